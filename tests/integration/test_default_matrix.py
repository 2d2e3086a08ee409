"""The default matrix.yml aims at cells PyPI does not serve: every line builds something.

Checked on the lock `update` wrote for it (recorded in tests/fixtures/default-matrix.lock.json,
from PyPI as of 2026-12). The first test keeps that recording honest: when matrix.yml changes
(a module, a pin, its Pythons, archs or exclusions) it fails until the lock is recorded
again, so the second test never speaks about an old matrix.
"""

from __future__ import annotations

from pathlib import Path

from generator.lock.model import Lock, read_lock
from generator.matrix.expand import expand, pinned_versions
from generator.matrix.load import LoadedMatrix, load_matrix

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "tests" / "fixtures" / "default-matrix.lock.json"
RERECORD = (
    "record it again: copy matrix.yml and hooks/ to an empty folder, run "
    "`python -m generator update` there and copy its matrix.lock.json to " + str(RECORDED)
)


def recorded(path: Path = RECORDED) -> Lock:
    lock = read_lock(path)
    assert lock is not None, f"{path} is missing — {RERECORD}"
    return lock


def stale_lines(matrix: LoadedMatrix, lock: Lock) -> list[str]:
    """What in the lock no longer matches the matrix: modules, versions, cells, skip reasons."""
    problems: list[str] = []
    listed = {module.name for module in matrix.modules}
    recorded_names = {name for name, entry in lock.modules.items() if not entry.implied}
    problems += [f"{name}: in matrix.yml, not in the lock" for name in listed - recorded_names]
    problems += [f"{name}: in the lock, not in matrix.yml" for name in recorded_names - listed]
    for module in matrix.modules:
        if module.name not in recorded_names:
            continue
        if set(lock.versions(module.name)) != set(pinned_versions(module)):
            problems.append(f"{module.name}: versions {lock.versions(module.name)} in the lock")
            continue
        for version in pinned_versions(module):
            entry = lock.version(module.name, version)
            assert entry is not None
            wanted, excluded = expand(module, [version])
            reasons = {locked.cell.identifier: locked.reason for locked in entry.cells}
            if set(reasons) != {cell.identifier for cell in [*wanted, *(s.cell for s in excluded)]}:
                problems.append(f"{module.name} {version}: other cells in the lock")
            elif any(reasons[skipped.cell.identifier] != skipped.reason for skipped in excluded):
                problems.append(f"{module.name} {version}: other exclusions in the lock")
    return problems


def idle_lines(lock: Lock) -> list[str]:
    """Module versions of the matrix none of whose cells this repository builds."""
    return [
        f"{name} {version.version}"
        for name, entry in sorted(lock.modules.items())
        if not entry.implied
        for version in entry.versions
        if not any(locked.status.made_here for locked in version.cells)
    ]


def test_the_recorded_lock_is_of_the_committed_matrix() -> None:
    problems = stale_lines(load_matrix(REPO / "matrix.yml"), recorded())
    assert not problems, f"{RECORDED.name} is stale ({'; '.join(problems)}) — {RERECORD}"


def test_every_module_version_line_builds_at_least_one_cell() -> None:
    idle = idle_lines(recorded())
    assert not idle, f"these lines build nothing (upstream or pure serve every cell): {idle}"
