"""What a publish run publishes, from the lock: cells to verify, wheels to fetch, catalog records.

With a plan (the run's `plan --output`), cells and fetches cover the module versions that
run builds plus every version with an upstream/pure wheel not yet in wheels/ (a version
PyPI already serves everywhere builds nothing, yet it is still published: wheels/, index,
images). Without one, every locked version. The catalog always covers the whole lock, and
counts a cell as built when this run builds it or wheels/ already holds its wheel.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.cells import Cell, Served, served_as
from generator.core.versions import release_key
from generator.core.wheels import FileRef, PublishedWheels
from generator.lock.failures import Failures
from generator.lock.model import Lock
from generator.publish.interchange import CellRecord

_Release = tuple[str, str]  # module, version: the unit a publish run takes whole


@dataclass(frozen=True)
class Export:
    cells: list[Cell]
    fetch: list[FileRef]
    catalog: list[CellRecord]


def export(
    lock: Lock,
    published: PublishedWheels,
    planned: set[Cell] | None,
    failures: Failures | None = None,
) -> Export:
    """`planned`: the cells this run's jobs built (None: no plan, every locked version);
    `failures`: cells whose build failed (this run or before), shown so in the catalog."""
    built_now = None if planned is None else {_normal(cell) for cell in planned}
    in_scope = _scope(lock, published, built_now)
    cells: list[Cell] = []
    fetch: dict[str, FileRef] = {}
    catalog: list[CellRecord] = []
    for locked in lock.cells():
        cell = locked.cell
        made_now = built_now is not None and _normal(locked.builder) in built_now
        made_before = locked.status.made_here and published.built_for(cell)
        failure = failures.get(_normal(locked.builder)) if failures else None
        status = served_as(locked.status, made_now or made_before, failure is not None)
        if status is None:
            continue
        if status is Served.FAILED and failure is not None:
            when = failure.retry_after().strftime("%Y-%m-%d %H:%M UTC")
            why = f"{failure.reason} (failed {failure.attempts}×, next try after {when})"
            catalog.append(CellRecord(cell, Served.FAILED, why, failure.log))
        else:
            catalog.append(CellRecord(cell, status))
        if (cell.module, cell.version) not in in_scope:
            continue
        if locked.wheel is not None and len(locked.wheel.sha256) == 64:
            fetch[locked.wheel.filename] = locked.wheel
            cells.append(cell)
        elif locked.status.made_here and (made_now or (built_now is None and made_before)):
            cells.append(cell)  # with a plan, collect verifies this run's builds only
    return Export(cells, [fetch[name] for name in sorted(fetch)], catalog)


def _scope(lock: Lock, published: PublishedWheels, built_now: set[Cell] | None) -> set[_Release]:
    every = {(c.cell.module, c.cell.version) for c in lock.cells()}
    if built_now is None:
        return every
    unpublished = {
        (c.cell.module, c.cell.version)
        for c in lock.cells()
        if c.wheel is not None and not published.has(c.wheel.filename)
    }
    building = {(cell.module, cell.version) for cell in built_now}  # release_key spelling
    return {pair for pair in every if (pair[0], release_key(pair[1])) in building} | unpublished


def _normal(cell: Cell) -> Cell:
    return Cell(cell.module, release_key(cell.version), cell.python, cell.arch)
