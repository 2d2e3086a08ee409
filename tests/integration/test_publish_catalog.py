import json
from pathlib import Path

import pytest
from support.catalog_site import REGISTRY, write_site

from generator import cli
from generator.core.cells import Cell, Served
from generator.publish.interchange import CellRecord
from generator.publish.site.catalog import render_markdown


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


def test_markdown_lists_the_notices_and_keeps_outside_text_out_of_its_markup() -> None:
    odd = CellRecord(
        Cell("a|b", "1", "3.12", "x86_64"), Served.FAILED, "<img src=x>", "javascript:x"
    )
    text = render_markdown([*records(), odd], notices=["upstream covers every cell of six"])
    assert "### Notices\n\n- upstream covers every cell of six\n" in text
    assert "<img" not in text and "&lt;img src=x&gt;" in text
    assert "](javascript:" not in text  # only http(s) logs become links
    assert "### a\\|b" in text and "| 1 | 3.12 | ⚠️ failed |" in text


def test_catalog_verb_writes_the_page_and_appends_to_the_job_summary(tmp_path: Path) -> None:
    page = write_site(tmp_path)
    text = page.read_text()
    assert "COPY --from=ghcr.io/owner/repo:markupsafe3.0.3-py3.12 / /wheels/" in text
    assert text.count("<script>") == 1 and "<img" not in text  # the hostile one is text
    assert "&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;" in text
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## Wheel catalog") and "the line can go" in summary


def test_catalog_verb_explains_bad_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_site(tmp_path)
    argv = ["catalog", "--records", str(tmp_path / "catalog.json"), "--registry", REGISTRY]
    argv += ["--wheels", str(tmp_path / "wheels"), "--output", str(tmp_path / "new/index.html")]
    assert cli.main([*argv, "--lock", str(tmp_path / "nope.json")]) == 2
    assert "--lock" in capsys.readouterr().err
    sums = tmp_path / "wheels" / "SHA256SUMS"
    sums.write_text(sums.read_text() + "0123  ../../etc/passwd\n")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"{sums}:6: not `<sha256>  <project>/<wheel filename>` — regenerate it" in err
    assert not (tmp_path / "new").exists()


def test_catalog_verb_refuses_a_record_whose_name_is_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_site(tmp_path)
    records = tmp_path / "catalog.json"
    data = json.loads(records.read_text())
    data[0]["module"] = '<img src=x onerror="window.pwned=1">'
    records.write_text(json.dumps(data))
    argv = ["catalog", "--records", str(records), "--registry", REGISTRY]
    argv += ["--wheels", str(tmp_path / "wheels"), "--output", str(tmp_path / "new/index.html")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {records}: ") and "is not a project name" in err, err
    assert err.count("\n") == 1 and not (tmp_path / "new").exists()


def test_catalog_verb_needs_a_registry_outside_github_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_site(tmp_path)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    (tmp_path / "matrix.yml").write_text("modules:\n  six: {versions: 1.17.0}\n")
    argv = ["catalog", "--records", str(tmp_path / "catalog.json"), "--matrix"]
    argv += [str(tmp_path / "matrix.yml"), "--output", str(tmp_path / "new/index.html")]
    assert cli.main(argv) == 2
    assert "--registry is required outside GitHub Actions" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_REPOSITORY", "Owner/Repo")
    assert cli.main(argv) == 0
    assert (
        "COPY --from=ghcr.io/owner/repo:markupsafe3.0.3"
        in (tmp_path / "new/index.html").read_text()
    )


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
