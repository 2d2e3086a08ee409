"""Which cells need a build job: the lock's `build` cells (abi3: one per arch) not yet in wheels/.

Without a lock every pinned cell without a wheel in wheels/ is built (the matrix alone
cannot know what PyPI has).
With one, versions come from it (so `latest` and specifiers work offline), and a cell the
lock does not know yet (matrix.yml changed since the last update) is built to be safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from generator.core.tags import cell_tags
from generator.errors import UserError
from generator.lock.implied import implied_module
from generator.lock.model import Lock, LockedCell, LockedModule
from generator.matrix.expand import Cell, SkippedCell, expand, pinned_versions
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ResolvedModule
from generator.matrix.policy import Pinned


@dataclass(frozen=True)
class ModuleCells:
    module: ResolvedModule
    to_build: tuple[Cell, ...]
    skipped: tuple[SkippedCell, ...]


def module_versions(module: ResolvedModule, lock: Lock | None) -> tuple[str, ...]:
    """Pins as written; a policy's versions from the lock (a clear error without one)."""
    if isinstance(module.policy, Pinned) or lock is None or lock.module(module.name) is None:
        return pinned_versions(module)
    return lock.versions(module.name)


def resolve_module(matrix: LoadedMatrix, lock: Lock | None, name: str) -> ResolvedModule:
    """A matrix module, or an implied one from the lock (matrix defaults, no hooks)."""
    implied = lock.module(name) if lock else None
    if implied is not None and implied.implied:
        return implied_as_module(matrix, implied)
    return matrix.module(name)


def implied_as_module(matrix: LoadedMatrix, locked: LockedModule) -> ResolvedModule:
    pairs = {(c.python, c.arch) for v in locked.versions for c in v.cells}
    return implied_module(matrix, locked.name, [v.version for v in locked.versions], pairs)


def cells_to_build(
    module: ResolvedModule,
    lock: Lock | None,
    wheels_dir: Path | None,
    versions: tuple[str, ...],
) -> ModuleCells:
    locked = lock.module(module.name) if lock else None
    if lock is None:
        wanted, skipped = expand(module, versions)
        return ModuleCells(module, _missing(wanted, wheels_dir), tuple(skipped))
    if locked is not None and locked.implied:
        cells = [c for v in locked.versions for c in v.cells if v.version in versions]
        wanted = [_cell(c) for c in cells if c.builds_here]
        return ModuleCells(module, _missing(wanted, wheels_dir), ())
    wanted, skipped = expand(module, versions)
    known = {(c.version, c.identifier): c for c in lock.cells(module.name)}
    to_build: list[Cell] = []
    for cell in wanted:
        entry = known.get((_normal(cell.version), cell.identifier))
        if entry is None or entry.builds_here:
            to_build.append(cell)
        elif entry.status == "skip":
            skipped.append(SkippedCell(cell, entry.reason or "skipped by the lock"))
    return ModuleCells(module, _missing(to_build, wheels_dir), tuple(skipped))


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


def wheel_present(wheels_dir: Path, cell: Cell) -> bool:
    """A wheel under wheels/<module>/ of this version that installs on this cell."""
    folder = wheels_dir / canonicalize_name(cell.module)
    if not folder.is_dir():
        return False
    tags = cell_tags(cell.python, cell.arch)
    for path in folder.glob("*.whl"):
        try:
            _name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        if version == Version(cell.version) and any(tag in tags for tag in wheel_tags):
            return True
    return False


def _missing(cells: list[Cell], wheels_dir: Path | None) -> tuple[Cell, ...]:
    """The cells without a published wheel (all of them when wheels_dir is None)."""
    if wheels_dir is None:
        return tuple(cells)
    return tuple(cell for cell in cells if not wheel_present(wheels_dir, cell))


def _cell(locked: LockedCell) -> Cell:
    return Cell(locked.module, locked.version, locked.python, locked.arch)


def _normal(version: str) -> str:
    try:
        return str(Version(version))
    except ValueError:
        raise UserError(f"'{version}' is not a valid version") from None
