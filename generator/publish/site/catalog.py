"""The catalog's job summary ($GITHUB_STEP_SUMMARY): for each module, versions × Pythons
down, archs across, each cell's status; the dead-line notices and failed builds above.
Combinations without a record (not in the matrix) show "·". The page people use is
catalog_page.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generator.core.cells import Cell, Family, Served
from generator.core.platforms import arch_sort_key, python_numbers
from generator.core.versions import version_key
from generator.publish.interchange import CellRecord

SYMBOLS = {
    Served.BUILT: "✅",
    Served.UPSTREAM: "⬆️",
    Served.PURE: "🐍",
    Served.FAILED: "⚠️",
    Served.MISSING: "❌",
}
_ABSENT = "·"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|])")


@dataclass(frozen=True)
class _Grid:
    module: str
    rows: list[Family]  # newest version first, Pythons ascending within a version
    arches: list[str]
    records: dict[Cell, CellRecord]

    def at(self, row: Family, arch: str) -> CellRecord | None:
        return self.records.get(Cell(row.module, row.version, row.python, arch))


def _grids(records: Sequence[CellRecord]) -> list[_Grid]:
    by_module: dict[str, list[CellRecord]] = {}
    for record in records:
        by_module.setdefault(record.cell.module, []).append(record)
    grids = []
    for module in sorted(by_module):
        cells = [record.cell for record in by_module[module]]
        rows = sorted(
            {c.family for c in cells},
            key=lambda row: (version_key(row.version), _negated(row.python)),
            reverse=True,
        )
        arches = sorted({c.arch for c in cells}, key=arch_sort_key)
        status = {r.cell: r for r in by_module[module]}
        grids.append(_Grid(module, rows, arches, status))
    return grids


def _negated(python: str) -> tuple[int, int]:
    # Newest version first, but Pythons ascending inside it.
    major, minor = python_numbers(python)
    return (-major, -minor)


def summary_line(records: Sequence[CellRecord]) -> str:
    counts = Counter(record.status for record in records)
    parts = [f"{SYMBOLS[status]} {status}: {counts[status]}" for status in Served]
    return f"{len(records)} cells — " + ", ".join(parts)


def render_markdown(
    records: Sequence[CellRecord], title: str = "Wheel catalog", notices: Sequence[str] = ()
) -> str:
    lines = [f"## {title}", "", summary_line(records), ""]
    if notices:
        lines += ["### Notices", "", *(f"- {notice}" for notice in notices), ""]
    failed = [r for r in sorted(records) if r.status is Served.FAILED]
    if failed:
        lines += ["### Failed builds", ""]
        lines += [f"- {md(str(r.cell))}: {md(r.reason)}{_log_link(r.log, ' — ')}" for r in failed]
        lines.append("")
    for grid in _grids(records):
        lines += [f"### {md(grid.module)}", ""]
        lines.append("| version | python | " + " | ".join(grid.arches) + " |")
        lines.append("|---|---|" + "---|" * len(grid.arches))
        for row in grid.rows:
            marks = [_mark(grid, row, arch) for arch in grid.arches]
            lines.append(f"| {md(row.version)} | {row.python} | " + " | ".join(marks) + " |")
        lines.append("")
    return "\n".join(lines)


def _mark(grid: _Grid, row: Family, arch: str) -> str:
    record = grid.at(row, arch)
    if record is None:
        return _ABSENT
    text = f"{SYMBOLS[record.status]} {record.status}"
    return f"[{text}]({record.log})" if is_web_url(record.log) else text


def md(text: str) -> str:
    """Outside text (names, versions, reasons) as literal Markdown: no HTML (job summaries
    render some), no table cell breaks, no links or emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def is_web_url(url: str) -> bool:
    """Only http(s) URLs become links (never javascript: or data:)."""
    return url.startswith(("https://", "http://"))


def _log_link(log: str, before: str) -> str:
    return f"{before}[log]({log})" if is_web_url(log) else ""
