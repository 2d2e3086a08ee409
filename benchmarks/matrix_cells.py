"""Summary: a lock's cells by status and by arch, and its jobs, as Markdown tables.

Reads a `matrix.lock.json` (default: the one beside ./matrix.yml; `update` writes it) and
prints how its cells are served — build / upstream / pure / abi3 / skip — per arch, then
per module, and how many build jobs (module × version × arch) and how many cells a job
must produce. Implied modules (dependencies no wheel serves) are counted apart. Use it to
compare two matrices: run `update` for each, then this on each lock.

    .venv/bin/python benchmarks/matrix_cells.py [LOCK]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from generator.core.cells import Status
from generator.core.platforms import ARCHS
from generator.errors import GeneratorError
from generator.lock.model import LOCK_NAME, LockedCell, LockedModule, read_lock

STATUSES = [str(status) for status in Status]


def table(title: str, rows: dict[str, Counter[str]]) -> list[str]:
    """One Markdown table: a row per key, a column per status, then a total row."""
    lines = [f"| {title} | {' | '.join(STATUSES)} | all |", "|---" * (len(STATUSES) + 2) + "|"]
    total: Counter[str] = Counter()
    for key, counts in rows.items():
        total.update(counts)
        lines.append(_row(key, counts))
    lines.append(_row("**all**", total))
    return lines


def _row(key: str, counts: Counter[str]) -> str:
    cells = [str(counts[status]) for status in STATUSES]
    return f"| {key} | {' | '.join(cells)} | {sum(counts.values())} |"


def by_arch(cells: Iterable[LockedCell]) -> dict[str, Counter[str]]:
    rows: dict[str, Counter[str]] = {arch: Counter() for arch in ARCHS}
    for locked in cells:
        rows[locked.cell.arch][str(locked.status)] += 1
    return {arch: counts for arch, counts in rows.items() if counts}


def by_module(modules: Iterable[LockedModule]) -> dict[str, Counter[str]]:
    rows: dict[str, Counter[str]] = {}
    for module in modules:
        for version in module.versions:
            counts = rows.setdefault(f"{module.name} {version.version}", Counter())
            counts.update(str(locked.status) for locked in version.cells)
    return rows


def jobs(cells: Iterable[LockedCell]) -> tuple[int, int]:
    """Build jobs (one per module × version × arch) and the cells they must produce."""
    needed = [locked.cell for locked in cells if locked.needs_job]
    return len({(cell.module, cell.version, cell.arch) for cell in needed}), len(needed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", nargs="?", type=Path, default=Path(LOCK_NAME))
    path = parser.parse_args().lock
    try:
        lock = read_lock(path)
    except GeneratorError as error:
        raise SystemExit(f"error: {error}") from None
    if lock is None:
        raise SystemExit(f"error: {path}: no lock there — run `python -m generator update` first")
    listed = [module for module in lock.modules.values() if not module.implied]
    implied = lock.implied_modules()
    cells = [locked for module in listed for v in module.versions for locked in v.cells]
    print("\n".join(table("arch", by_arch(cells))), end="\n\n")
    print("\n".join(table("module version", by_module(listed))), end="\n\n")
    job_count, job_cells = jobs(cells)
    print(f"build jobs: {job_count} (module × version × arch), cells they produce: {job_cells}")
    if implied:
        implied_cells = [locked for m in implied for v in m.versions for locked in v.cells]
        implied_jobs, _ = jobs(implied_cells)
        names = " ".join(module.name for module in implied)
        print(f"implied modules: {names} ({implied_jobs} more build jobs)")


if __name__ == "__main__":
    main()
