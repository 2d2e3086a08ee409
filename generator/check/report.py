"""`check`'s answer: a table for people, JSON for tools."""

from __future__ import annotations

from collections.abc import Sequence

from generator.check.model import Source, TargetReport
from generator.fileio import dump_json

WHERE = {
    Source.PYPI: "PyPI",
    Source.REPOSITORY: "this repository",
    Source.COMPILE: "WOULD COMPILE",
    Source.UNAVAILABLE: "CANNOT INSTALL",
}
HEADINGS = ("distribution", "version", "served by", "wheel / reason")


def render_table(reports: Sequence[TargetReport], add_hint: str) -> str:
    """Per target: a summary line, then one row per distribution (what needs work first).
    `add_hint` says how to get what would compile built (add_hint())."""
    blocks = [_block(report) for report in reports]
    return "\n\n".join(blocks) + "\n\n" + summary(reports, add_hint) + "\n"


def add_hint(requirements: str, matrix: str | None) -> str:
    """What to run to build here what would compile; `matrix` is None where there is no
    matrix.yml (a downstream user's folder)."""
    command = f"python -m generator add -r {requirements}"
    if matrix is not None:
        return f"`{command}` puts the buildable ones in {matrix}"
    return (
        f"to get them built, run `{command}` from a checkout of this repository (or pass "
        "--matrix PATH to its matrix.yml)"
    )


def summary(reports: Sequence[TargetReport], hint: str) -> str:
    failing = [r for r in reports if not r.installs_without_compiler]
    if not failing:
        return f"check: all {len(reports)} target(s) install without a compiler"
    names = sorted({v.name for r in failing for v in r.verdicts if not v.source.served})
    return (
        f"check: {len(failing)} of {len(reports)} target(s) need a compiler or cannot install: "
        f"{', '.join(names)} — {hint}"
    )


def render_json(reports: Sequence[TargetReport]) -> str:
    names = sorted({v.name for r in reports for v in r.verdicts if not v.source.served})
    return dump_json(
        {
            "installs_without_compiler": all(r.installs_without_compiler for r in reports),
            "not_served": names,
            "targets": [
                {
                    "python": r.target.python,
                    "arch": r.target.arch,
                    "installs_without_compiler": r.installs_without_compiler,
                    "distributions": [v.to_json() for v in r.verdicts],
                    "warnings": list(r.warnings),
                }
                for r in reports
            ],
        }
    )


def _block(report: TargetReport) -> str:
    counts = {source: len(report.of(source)) for source in Source}
    head = (
        f"{report.target.label}: {_count(len(report.verdicts), 'distribution')} — "
        f"{counts[Source.PYPI]} from PyPI, {counts[Source.REPOSITORY]} from this repository, "
        f"{counts[Source.COMPILE]} would compile, {counts[Source.UNAVAILABLE]} cannot install"
    )
    rows = [HEADINGS] + [
        (v.name + ("" if v.requested else " *"), v.version, WHERE[v.source], v.detail)
        for v in report.verdicts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    notes = [f"  warning: {warning}" for warning in report.warnings]
    if not all(v.requested for v in report.verdicts):
        notes.insert(0, "  (* needed by another distribution, not named in the requirements)")
    return "\n".join([head, *lines, *notes])


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
