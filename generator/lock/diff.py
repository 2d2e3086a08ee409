"""What changed between two locks, for people (CI log lines) and for the workflow (new builds)."""

from __future__ import annotations

from collections.abc import Callable

from generator.core.cells import Cell, Status
from generator.lock.model import Lock, LockedCell, LockedModule


def _cells(lock: Lock | None, wanted: Callable[[LockedCell], bool]) -> set[Cell]:
    cells = lock.cells() if lock is not None else []
    return {locked.cell for locked in cells if wanted(locked)}


def build_cells(lock: Lock | None) -> set[Cell]:
    """Every cell a build job must produce."""
    return _cells(lock, lambda locked: locked.needs_job)


def new_build_cells(old: Lock | None, new: Lock) -> set[Cell]:
    return build_cells(new) - build_cells(old)


def served_cells(lock: Lock | None) -> set[Cell]:
    """Every cell that gets a wheel (built or fetched)."""
    return _cells(lock, lambda locked: locked.status.served)


def fallbacks_to_build(old: Lock | None, new: Lock) -> set[Cell]:
    """Cells an old lock served with a pure wheel that now need a job: the pure wheel was
    a fallback (generator.lock.statuses). Served before, but not by a build of theirs."""
    return _cells(old, lambda locked: locked.status is Status.PURE) & build_cells(new)


def modules_to_publish(old: Lock | None, new: Lock) -> list[str]:
    """Modules with new cells to build or to fetch: what the build workflow must run for.
    An implied module is reached through the module that needs it (`plan --only`)."""
    names: set[str] = set()
    for cell in (served_cells(new) - served_cells(old)) | fallbacks_to_build(old, new):
        locked = new.module(cell.module)
        names.update(locked.implied_by if locked is not None and locked.implied else [cell.module])
    return sorted(names)


def change_lines(old: Lock | None, new: Lock) -> list[str]:
    """One line per module whose entry changed, e.g. `cffi: 2.1.0 → 2.1.1 (4 new builds)`."""
    old = old or Lock()
    fresh = new_build_cells(old, new)
    lines = []
    for name in sorted(set(old.modules) | set(new.modules)):
        before, after = old.modules.get(name), new.modules.get(name)
        if before == after:
            continue
        if after is None:
            lines.append(f"{name}: removed from the lock")
            continue
        builds = sum(1 for cell in fresh if cell.module == name)
        suffix = f" ({builds} new build{'s' if builds != 1 else ''})" if builds else ""
        implied = f" [implied by {', '.join(after.implied_by)}]" if after.implied else ""
        lines.append(f"{name}: {_versions(before)} → {_versions(after)}{suffix}{implied}")
    return lines


def _versions(module: LockedModule | None) -> str:
    if module is None:
        return "new"
    return ", ".join(v.version for v in module.versions) or "none"
