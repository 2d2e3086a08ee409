"""The catalog: for each module, versions × Pythons down, archs across, each cell's status.

Rendered as a static HTML page (GitHub Pages, no JavaScript) and as Markdown for a run's job
summary ($GITHUB_STEP_SUMMARY). Combinations without a record (not in the matrix) show "·".
"""

from __future__ import annotations

import html
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
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: center; }
th[scope=row] { text-align: left; font-weight: normal; }
td.built { background: #d9f2d9; } td.upstream { background: #dbe9fb; }
td.pure { background: #eee; } td.missing { background: #f8d3d3; font-weight: bold; }
td.failed { background: #fbe5c8; font-weight: bold; }
""".strip()


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


def render_markdown(records: Sequence[CellRecord], title: str = "Wheel catalog") -> str:
    lines = [f"## {title}", "", summary_line(records), ""]
    failed = [r for r in sorted(records) if r.status is Served.FAILED]
    if failed:
        lines += ["### Failed builds", ""]
        lines += [
            f"- {r.cell}: {r.reason}" + (f" — [log]({r.log})" if r.log else "") for r in failed
        ]
        lines.append("")
    for grid in _grids(records):
        lines += [f"### {grid.module}", ""]
        lines.append("| version | python | " + " | ".join(grid.arches) + " |")
        lines.append("|---|---|" + "---|" * len(grid.arches))
        for row in grid.rows:
            marks = [_mark(grid, row, arch) for arch in grid.arches]
            lines.append(f"| {row.version} | {row.python} | " + " | ".join(marks) + " |")
        lines.append("")
    return "\n".join(lines)


def _mark(grid: _Grid, row: Family, arch: str) -> str:
    record = grid.at(row, arch)
    if record is None:
        return _ABSENT
    text = f"{SYMBOLS[record.status]} {record.status}"
    return f"[{text}]({record.log})" if record.log else text


def render_html(records: Sequence[CellRecord], title: str = "Wheel catalog") -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>\n{_CSS}\n</style></head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(summary_line(records))}</p>",
    ]
    for grid in _grids(records):
        out.append(f'<h2 id="{html.escape(grid.module)}">{html.escape(grid.module)}</h2>')
        out.append("<table>")
        heads = "".join(f'<th scope="col">{html.escape(arch)}</th>' for arch in grid.arches)
        out.append(f'<tr><th scope="col">version</th><th scope="col">python</th>{heads}</tr>')
        for row in grid.rows:
            tds = "".join(_html_cell(grid, row, arch) for arch in grid.arches)
            head = (
                f"<th scope=row>{html.escape(row.version)}</th><td>{html.escape(row.python)}</td>"
            )
            out.append(f"<tr>{head}{tds}</tr>")
        out.append("</table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_cell(grid: _Grid, row: Family, arch: str) -> str:
    record = grid.at(row, arch)
    if record is None:
        return f"<td>{_ABSENT}</td>"
    text = f"{SYMBOLS[record.status]} {record.status}"
    if record.log:
        text = f'<a href="{html.escape(record.log)}">{text}</a>'
    title = f' title="{html.escape(record.reason)}"' if record.reason else ""
    return f'<td class="{record.status}"{title}>{text}</td>'
