import json
from pathlib import Path

import pytest

from generator import cli
from generator.core.cells import Cell, Served
from generator.publish.interchange import CellRecord
from generator.publish.site.catalog import render_html, render_markdown


def records() -> list[CellRecord]:
    def record(version: str, python: str, arch: str, status: str) -> CellRecord:
        return CellRecord(Cell("demo", version, python, arch), Served(status))

    return [
        record("1.9", "3.12", "x86_64", "built"),
        record("1.10", "3.12", "x86_64", "upstream"),
        record("1.10", "3.12", "aarch64", "missing"),
        record("1.10", "3.13", "x86_64", "built"),
        CellRecord(Cell("purely", "2.0", "3.12", "x86_64"), Served.PURE),
    ]


def test_markdown_table_rows_newest_version_first_and_archs_in_canonical_order() -> None:
    text = render_markdown(records())
    lines = text.splitlines()
    assert "5 cells" in lines[2] and "❌ missing: 1" in lines[2]
    header = lines.index("### demo")
    assert lines[header + 2] == "| version | python | x86_64 | aarch64 |"
    assert lines[header + 4] == "| 1.10 | 3.12 | ⬆️ upstream | ❌ missing |"
    assert lines[header + 5] == "| 1.10 | 3.13 | ✅ built | · |"
    assert lines[header + 6] == "| 1.9 | 3.12 | ✅ built | · |"
    assert "### purely" in text and "🐍 pure" in text


def test_html_is_static_and_escaped() -> None:
    odd = CellRecord(Cell("<x>", "1", "3.12", "x86_64"), Served.BUILT)
    page = render_html([*records(), odd])
    assert "<script" not in page
    assert "&lt;x&gt;" in page and "<x>" not in page
    assert '<td class="missing">❌ missing</td>' in page


def test_catalog_verb_writes_html_and_appends_to_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cells = tmp_path / "cells.json"
    cells.write_text(
        json.dumps(
            [
                {
                    "module": "demo",
                    "version": "1.0",
                    "python": "3.12",
                    "arch": "x86_64",
                    "status": "built",
                }
            ]
        )
    )
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    argv = ["catalog", "--records", str(cells), "--output", str(tmp_path / "site/index.html")]
    assert cli.main([*argv, "--summary", str(summary)]) == 0
    assert "✅ built" in (tmp_path / "site/index.html").read_text()
    assert summary.read_text().startswith("earlier step\n## Wheel catalog")


def test_catalog_verb_rejects_an_unknown_status(tmp_path: Path) -> None:
    cells = tmp_path / "cells.json"
    cells.write_text(
        json.dumps(
            [
                {
                    "module": "demo",
                    "version": "1.0",
                    "python": "3.12",
                    "arch": "x86_64",
                    "status": "done",
                }
            ]
        )
    )
    assert cli.main(["catalog", "--records", str(cells)]) == 2
