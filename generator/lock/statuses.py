"""Decide each cell's status for one release: build, upstream, pure, abi3 or skip.

The one place statuses are decided (generator.core.cells.Status says what each means). A
pure function of the release's files and the module's matrix entry, so it is tested
without a network and gives the same answer on every run.

The pure-fallback rule: some compiled projects ship a pure (none-any) wheel beside their
platform wheels, a slow pure-Python fallback that pip picks where no platform wheel fits. A
pure wheel is such a *fallback* when the same release has any platform-specific wheel (for
any OS: the project compiles); a cell whose best wheel is a fallback is `build`, and the lock
names no wheel for it. A module's `prefer` overrides the rule: `build` builds every cell a
pure wheel would serve (a project whose sdist has optional extensions but ships only a pure
wheel), `wheel` always takes the pure wheel. Upstream musllinux wheels are taken either way,
and a release without a .tar.gz sdist keeps its pure wheel: nothing could be built instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from generator.core.cells import Cell, Status
from generator.core.platforms import is_free_threaded, python_numbers, python_sort_key
from generator.core.tags import (
    abi3_floor,
    best_wheel,
    has_platform_wheels,
    is_pure,
    wheels_for_arch,
)
from generator.core.versions import python_allowed, requires_python
from generator.core.wheels import FileRef
from generator.lock.model import LockedCell, sort_cells
from generator.matrix.expand import expand
from generator.matrix.model import ResolvedModule
from generator.pypi.models import DistFile, Release

NO_SDIST = "no .tar.gz sdist on the index, and no compatible wheel: it cannot be built here"


@dataclass(frozen=True)
class ReleaseCells:
    cells: tuple[LockedCell, ...]
    problems: tuple[str, ...]  # for people: e.g. cells nobody can serve


def release_cells(
    module: ResolvedModule, release: Release, only: Collection[Cell] | None = None
) -> ReleaseCells:
    """Every cell of `module` at `release` (only those in `only`, if given)."""
    version = str(release.version)
    wanted, excluded = expand(module, [version])
    if only is not None:
        wanted = [c for c in wanted if c in only]
        excluded = [s for s in excluded if s.cell in only]
    cells = [_skipped(s.cell, s.reason) for s in excluded]
    wheels = {f.filename: f for f in _usable_files(release) if f.is_wheel and f.sha256}
    builds_over_pure = pure_wheels_are_built(release, module.spec.prefer)
    to_build: list[Cell] = []
    for cell in wanted:
        if not python_allowed(release.requires_python, cell.python):
            cells.append(
                _skipped(cell, f"requires-python {requires_python(release.requires_python)}")
            )
            continue
        best = best_wheel(wheels_for_arch(wheels, cell.arch), cell.python, cell.arch)
        if best is None or (builds_over_pure and is_pure(best)):
            to_build.append(cell)
            continue
        status = Status.PURE if is_pure(best) else Status.UPSTREAM
        cells.append(LockedCell(cell, status, wheel=_ref(wheels[best])))
    problems = [
        f"{module.name} {version}: ignored {file} from the index" for file in release.ignored
    ]
    if to_build and release.sdist is None:
        cells += [_skipped(cell, NO_SDIST) for cell in to_build]
        ids = ", ".join(c.identifier for c in to_build)
        problems.append(f"{module.name} {version}: {NO_SDIST} ({ids})")
    elif to_build:
        cells += _build_cells(to_build, abi3_floor(f for f in wheels if "abi3" in f.lower()))
    return ReleaseCells(tuple(sort_cells(cells)), tuple(problems))


def pure_wheels_are_built(release: Release, prefer: str | None = None) -> bool:
    """The release's cells whose best wheel is pure are built instead (the pure-fallback
    rule, or `prefer: build`); never without an sdist to build from."""
    if release.sdist is None:
        return False
    if prefer is not None:
        return prefer == "build"
    # The pure wheel is a fallback: the release also has platform-specific wheels.
    return has_platform_wheels(f.filename for f in _usable_files(release) if f.is_wheel)


def _build_cells(cells: list[Cell], floor: tuple[int, int] | None) -> list[LockedCell]:
    """`build` cells, except that an abi3 project builds once per arch for all its Pythons
    from the floor up; free-threaded Pythons cannot use abi3 and build on their own."""
    result: list[LockedCell] = []
    by_arch: dict[str, list[Cell]] = {}
    for cell in cells:
        if (
            floor is not None
            and not is_free_threaded(cell.python)
            and python_numbers(cell.python) >= floor
        ):
            by_arch.setdefault(cell.arch, []).append(cell)
        else:
            result.append(LockedCell(cell, Status.BUILD))
    for group in by_arch.values():
        builder = min(group, key=lambda c: python_sort_key(c.python)).identifier
        result += [LockedCell(cell, Status.ABI3, built_by=builder) for cell in group]
    return result


def _usable_files(release: Release) -> tuple[DistFile, ...]:
    # A yanked release (pinned on purpose) has only yanked files: use them then.
    live = tuple(f for f in release.files if not f.yanked)
    return live or release.files


def _ref(dist: DistFile) -> FileRef:
    return FileRef(dist.filename, dist.url, dist.sha256 or "")


def _skipped(cell: Cell, reason: str) -> LockedCell:
    return LockedCell(cell, Status.SKIP, reason=reason)
