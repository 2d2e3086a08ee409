"""What changed between two locks, for people (CI log lines) and for the workflow (new builds)."""

from __future__ import annotations

from collections.abc import Callable

from generator.lock.model import Lock, LockedCell, LockedModule

Key = tuple[str, str, str]  # module, version, identifier


def _keys(lock: Lock | None, wanted: Callable[[LockedCell], bool]) -> set[Key]:
    cells = lock.cells() if lock is not None else []
    return {(c.module, c.version, c.identifier) for c in cells if wanted(c)}


def build_keys(lock: Lock | None) -> set[Key]:
    """Every cell a build job must produce."""
    return _keys(lock, lambda cell: cell.builds_here)


def new_build_cells(old: Lock | None, new: Lock) -> set[Key]:
    return build_keys(new) - build_keys(old)


def served_keys(lock: Lock | None) -> set[Key]:
    """Every cell that gets a wheel (built or fetched)."""
    return _keys(lock, lambda cell: cell.status != "skip")


def modules_to_publish(old: Lock | None, new: Lock) -> list[str]:
    """Modules with new cells to build or to fetch: what the build workflow must run for.
    An implied module is reached through the module that needs it (`plan --only`)."""
    names: set[str] = set()
    for module, _version, _identifier in served_keys(new) - served_keys(old):
        locked = new.module(module)
        names.update(locked.implied_by if locked is not None and locked.implied else [module])
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
        builds = sum(1 for key in fresh if key[0] == name)
        suffix = f" ({builds} new build{'s' if builds != 1 else ''})" if builds else ""
        implied = f" [implied by {', '.join(after.implied_by)}]" if after.implied else ""
        lines.append(f"{name}: {_versions(before)} → {_versions(after)}{suffix}{implied}")
    return lines


def _versions(module: LockedModule | None) -> str:
    if module is None:
        return "new"
    return ", ".join(v.version for v in module.versions) or "none"
