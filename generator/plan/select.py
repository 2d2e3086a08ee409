"""Which cells need a build job: the lock's cells that need one (abi3: one per arch) whose
wheel this repository does not publish yet.

Without a lock every pinned cell without a published wheel is built (the matrix alone
cannot know what PyPI has). With one, versions come from it (so `latest` and specifiers
work offline), and a cell the lock does not know yet (matrix.yml changed since the last
update) is built to be safe. Pure: the lock and the published wheels are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from packaging.utils import canonicalize_name

from generator.core.cells import Cell, SkippedCell, Status
from generator.core.versions import release_key, same_version
from generator.core.wheels import PublishedWheels
from generator.lock.implied import implied_module
from generator.lock.model import Lock, LockedModule
from generator.matrix.expand import expand, pinned_versions
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ResolvedModule
from generator.matrix.policy import Pinned


@dataclass(frozen=True)
class ModuleCells:
    module: ResolvedModule
    to_build: tuple[Cell, ...]
    skipped: tuple[SkippedCell, ...]


def module_versions(module: ResolvedModule, lock: Lock | None) -> tuple[str, ...]:
    """A policy's versions from the lock (a clear error without one); pins as the lock
    spells them (`2.0` pinned, `2.0.0` on the index), else as written."""
    locked = lock.versions(module.name) if lock is not None else ()
    if isinstance(module.policy, Pinned) or not locked:
        pins = pinned_versions(module)
        return tuple(next((v for v in locked if same_version(v, pin)), pin) for pin in pins)
    return locked


def module_for_plan(matrix: LoadedMatrix, lock: Lock | None, name: str) -> ResolvedModule:
    """A matrix module, or an implied one from the lock (matrix defaults, no hooks)."""
    implied = lock.module(name) if lock else None
    if implied is not None and implied.implied:
        return implied_as_module(matrix, implied)
    return matrix.module(name)


def implied_as_module(matrix: LoadedMatrix, locked: LockedModule) -> ResolvedModule:
    cells = [c.cell for v in locked.versions for c in v.cells]
    return implied_module(matrix, locked.name, [v.version for v in locked.versions], cells)


def cells_to_build(
    module: ResolvedModule,
    lock: Lock | None,
    published: PublishedWheels | None,
    versions: tuple[str, ...],
) -> ModuleCells:
    """The module's cells at `versions` that need a job; `published` None: wheels/ aside."""
    locked = lock.module(module.name) if lock else None
    if lock is None:
        wanted, skipped = expand(module, versions)
        return ModuleCells(module, _unserved(wanted, published), tuple(skipped))
    if locked is not None and locked.implied:
        cells = [c for v in locked.versions for c in v.cells if v.version in versions]
        wanted = [c.cell for c in cells if c.needs_job]
        return ModuleCells(module, _missing(wanted, published), ())
    wanted, skipped = expand(module, versions)
    known = {_release(c.cell): c for c in lock.cells(module.name)}
    to_build: list[Cell] = []
    for cell in wanted:
        entry = known.get(_release(cell))
        if entry is None or entry.needs_job:
            to_build.append(cell)
        elif entry.status is Status.SKIP:
            skipped.append(SkippedCell(cell, entry.reason or "skipped by the lock"))
    return ModuleCells(module, _missing(to_build, published), tuple(skipped))


def plan_module_names(matrix: LoadedMatrix, lock: Lock | None, only: list[str] | None) -> list[str]:
    """Matrix modules (all, or those in `only`), then the implied modules they need."""
    names = [m.name for m in matrix.modules]
    implied = lock.implied_modules() if lock else []
    if only is None:
        return names + [m.name for m in implied]
    wanted = {canonicalize_name(name) for name in only}
    known = set(names) | {m.name for m in implied}
    for name in only:
        if canonicalize_name(name) not in known:
            matrix.module(name)  # the matrix's clear error for an unknown name
    chosen = [name for name in names if name in wanted]
    chosen += [m.name for m in implied if m.name in wanted or set(m.implied_by) & wanted]
    return chosen


def _missing(cells: list[Cell], published: PublishedWheels | None) -> tuple[Cell, ...]:
    """The cells without a wheel built here (all of them when published is None): the lock
    says they build, so a pure fallback in wheels/ is not their wheel."""
    if published is None:
        return tuple(cells)
    return tuple(cell for cell in cells if not published.built_for(cell))


def _unserved(cells: list[Cell], published: PublishedWheels | None) -> tuple[Cell, ...]:
    """Without a lock: the cells no published wheel serves. A pure wheel counts, since
    nothing says the project compiles, and a pure result fails a cibuildwheel build."""
    if published is None:
        return tuple(cells)
    return tuple(cell for cell in cells if not published.serves(cell))


def _release(cell: Cell) -> Cell:
    return replace(cell, version=release_key(cell.version))
