"""Decide each cell's status for one release: build, upstream, pure, abi3 or skip.

A pure function of the release's files and the module's matrix entry, so it is tested
without a network and gives the same answer on every run.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from generator.core.platforms import build_identifier, is_free_threaded, python_sort_key
from generator.core.tags import abi3_floor, best_wheel, is_pure, musllinux_platforms
from generator.lock.model import FileRef, LockedCell, sort_cells
from generator.matrix.expand import Cell, expand
from generator.matrix.model import ResolvedModule
from generator.pypi.models import DistFile, Release

NO_SDIST = "no .tar.gz sdist on the index, and no compatible wheel: it cannot be built here"


@dataclass(frozen=True)
class ReleaseCells:
    cells: tuple[LockedCell, ...]
    problems: tuple[str, ...]  # for people: e.g. cells nobody can serve


def release_cells(
    module: ResolvedModule, release: Release, only: Collection[tuple[str, str]] | None = None
) -> ReleaseCells:
    """Every cell of `module` at `release` (only the (python, arch) pairs in `only`, if given)."""
    version = str(release.version)
    wanted, excluded = expand(module, [version])
    if only is not None:
        wanted = [c for c in wanted if (c.python, c.arch) in only]
        excluded = [s for s in excluded if (s.cell.python, s.cell.arch) in only]
    cells = [_skipped(s.cell, s.reason) for s in excluded]
    files = _usable_files(release)
    wheels = {f.filename: f for f in files if f.is_wheel and f.sha256}
    allowed = _specifier(release.requires_python)
    to_build: list[Cell] = []
    for cell in wanted:
        if allowed is not None and not allowed.contains(
            Version(cell.python.rstrip("t")), prereleases=True
        ):
            cells.append(_skipped(cell, f"requires-python {allowed}"))
            continue
        best = best_wheel(wheels_for_arch(wheels, cell.arch), cell.python, cell.arch)
        if best is None:
            to_build.append(cell)
            continue
        status = "pure" if is_pure(best) else "upstream"
        cells.append(_locked(cell, status, wheel=_ref(wheels[best])))
    problems: list[str] = []
    if to_build and release.sdist is None:
        cells += [_skipped(cell, NO_SDIST) for cell in to_build]
        ids = ", ".join(build_identifier(c.python, c.arch) for c in to_build)
        problems.append(f"{module.name} {version}: {NO_SDIST} ({ids})")
    elif to_build:
        cells += _build_cells(to_build, abi3_floor(f for f in wheels if "abi3" in f.lower()))
    return ReleaseCells(tuple(sort_cells(cells)), tuple(problems))


def wheels_for_arch(filenames: Iterable[str], arch: str) -> list[str]:
    """The wheels that a musllinux cell on `arch` might install, told from their names:
    best_wheel gives the same answer for these as for all, without parsing the tags of
    every wheel for other platforms (most of a release)."""
    return [filename for filename in filenames if _platforms(filename) & _accepted(arch)]


@functools.lru_cache(maxsize=8192)  # every cell of a release asks about the same wheels
def _platforms(wheel_filename: str) -> frozenset[str]:
    # A wheel name ends in `-<platform tag>[.<platform tag>...].whl`; packaging lowercases.
    return frozenset(wheel_filename.lower().removesuffix(".whl").rpartition("-")[2].split("."))


@functools.lru_cache(maxsize=16)
def _accepted(arch: str) -> frozenset[str]:
    # The only platforms in a cell's tags (wheeltags.cell_tags), whatever its Python.
    return frozenset([*musllinux_platforms(arch), "any"])


def _build_cells(cells: list[Cell], floor: tuple[int, int] | None) -> list[LockedCell]:
    """`build` cells, except that an abi3 project builds once per arch for all its Pythons
    from the floor up; free-threaded Pythons cannot use abi3 and build on their own."""
    result: list[LockedCell] = []
    by_arch: dict[str, list[Cell]] = {}
    for cell in cells:
        if (
            floor is not None
            and not is_free_threaded(cell.python)
            and (python_sort_key(cell.python)[:2] >= floor)
        ):
            by_arch.setdefault(cell.arch, []).append(cell)
        else:
            result.append(_locked(cell, "build"))
    for group in by_arch.values():
        builder = min(group, key=lambda c: python_sort_key(c.python))
        builder_id = build_identifier(builder.python, builder.arch)
        result += [_locked(cell, "abi3", built_by=builder_id) for cell in group]
    return result


def _usable_files(release: Release) -> tuple[DistFile, ...]:
    # A yanked release (pinned on purpose) has only yanked files: use them then.
    live = tuple(f for f in release.files if not f.yanked)
    return live or release.files


def _specifier(text: str | None) -> SpecifierSet | None:
    if not text:
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None  # a broken requires-python is not ours to enforce; pip ignores it too


def _ref(dist: DistFile) -> FileRef:
    return FileRef(dist.filename, dist.url, dist.sha256 or "")


def _skipped(cell: Cell, reason: str) -> LockedCell:
    return _locked(cell, "skip", reason=reason)


def _locked(
    cell: Cell,
    status: str,
    *,
    reason: str | None = None,
    wheel: FileRef | None = None,
    built_by: str | None = None,
) -> LockedCell:
    return LockedCell(
        cell.module, cell.version, cell.python, cell.arch, status, reason, wheel, built_by
    )
