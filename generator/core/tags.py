"""Which wheel files a cell (CPython X.Y on musllinux <arch>) can install: the one rule.

A musllinux_1_2 interpreter also installs musllinux_1_1 and _1_0 wheels (PEP 656), so all
three platform tags are offered, newest first, the way pip on Alpine ranks them. The lock's
statuses, the dependency check, the plan's "already published?", the images and pip's own
`--platform` flags all ask this module; a new musllinux minor or arch is one edit here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from generator.core.platforms import ARCHS, abi_tag, interpreter_tag, python_numbers, python_of_abi

# Newest first. pydantic-core's real musl wheels are tagged musllinux_1_1: a resolver
# offered only 1_2 would pick an old placeholder instead.
MUSLLINUX_MINORS = (2, 1, 0)


def musllinux_platforms(arch: str) -> list[str]:
    return [f"musllinux_1_{minor}_{arch}" for minor in MUSLLINUX_MINORS]


@functools.lru_cache(maxsize=256)
def cell_tags(python: str, arch: str) -> dict[Tag, int]:
    """Tag → rank (0 = most preferred) for CPython `python` (e.g. 3.14t) on musllinux `arch`."""
    version = python_numbers(python)
    platforms = musllinux_platforms(arch)
    ordered = [
        *cpython_tags(version, abis=[abi_tag(python)], platforms=platforms),
        *compatible_tags(version, interpreter_tag(python), platforms),
    ]
    return {tag: rank for rank, tag in reversed(list(enumerate(ordered)))}


@functools.lru_cache(maxsize=32)
def python_tags(python: str) -> frozenset[Tag]:
    """The tags a cell of this Python accepts on some musllinux arch."""
    return frozenset(tag for arch in ARCHS for tag in cell_tags(python, arch))


def wheel_tags(filename: str) -> frozenset[Tag]:
    """The tags of a wheel filename; empty for a name that is not a valid wheel name."""
    try:
        return frozenset(parse_wheel_filename(filename)[3])
    except InvalidWheelFilename:
        return frozenset()


def installs(tags: Iterable[Tag], python: str, arch: str) -> bool:
    """A wheel with these tags installs in the cell."""
    accepted = cell_tags(python, arch)
    return any(tag in accepted for tag in tags)


def best_wheel(filenames: Iterable[str], python: str, arch: str) -> str | None:
    """The filename pip would prefer for this cell, or None when none is compatible."""
    ranks = cell_tags(python, arch)
    best: tuple[int, str] | None = None
    for filename in filenames:
        found = [ranks[tag] for tag in wheel_tags(filename) if tag in ranks]
        if found and (best is None or (min(found), filename) < best):
            best = (min(found), filename)
    return best[1] if best else None


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
    # The only platforms in a cell's tags (cell_tags), whatever its Python.
    return frozenset([*musllinux_platforms(arch), "any"])


def is_pure(filename: str) -> bool:
    """A wheel for any platform (e.g. py3-none-any): nothing to build, ever."""
    tags = wheel_tags(filename)
    return bool(tags) and all(tag.platform == "any" for tag in tags)


def has_platform_wheels(release_filenames: Iterable[str]) -> bool:
    """The release ships a wheel that is not pure (for any OS): the project compiles."""
    return any(
        filename.lower().endswith(".whl") and wheel_tags(filename) and not is_pure(filename)
        for filename in release_filenames
    )


def abi3_floor(filenames: Iterable[str]) -> tuple[int, int] | None:
    """The lowest CPython an existing abi3 wheel of the release targets (any platform): the
    project builds with the limited API, so one build per arch serves every newer Python."""
    floors = []
    for filename in filenames:
        for tag in wheel_tags(filename):
            digits = tag.interpreter[2:]
            if tag.abi == "abi3" and tag.interpreter.startswith("cp") and digits.isdigit():
                floors.append((int(digits[0]), int(digits[1:] or 0)))
    return min(floors) if floors else None


def cpython_musllinux(tag: Tag) -> tuple[str, str] | None:
    """(python, arch) of a CPython-specific musllinux tag (`cp312-cp312-musllinux_1_2_x86_64`,
    free-threaded `cp314-cp314t-…`); None for abi3, pure and other platforms' tags."""
    python = python_of_abi(tag.abi)
    if python is None or tag.interpreter != interpreter_tag(python):
        return None
    prefix, _, arch = tag.platform.partition("_1_")
    if prefix != "musllinux" or "_" not in arch:
        return None
    return python, arch.split("_", 1)[1]  # musllinux_1_<minor>_<arch>


def pip_target_args(python: str, arch: str) -> list[str]:
    """pip's flags for "install as CPython `python` on musllinux `arch`", binary only, with
    exactly the ABIs and platforms of cell_tags: pip does not widen `--platform
    musllinux_1_2_<arch>` to the older minors, nor `--python-version 3.14` to free-threading."""
    major, minor = python_numbers(python)
    args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", f"{major}.{minor}"]
    ranked = sorted(cell_tags(python, arch).items(), key=lambda item: item[1])
    for abi in dict.fromkeys(tag.abi for tag, _rank in ranked):
        args += ["--abi", abi]
    for platform in musllinux_platforms(arch):
        args += ["--platform", platform]
    return args
