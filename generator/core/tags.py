"""Which wheels a cell (CPython X.Y on musllinux <arch>) can install, decided by packaging.tags.

A musllinux_1_2 interpreter also installs musllinux_1_1 and _1_0 wheels (PEP 656), so all
three platform tags are offered, newest first, the way pip on Alpine ranks them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from generator.core.platforms import is_free_threaded

_MUSLLINUX_MINORS = (2, 1, 0)


def musllinux_platforms(arch: str) -> list[str]:
    return [f"musllinux_1_{minor}_{arch}" for minor in _MUSLLINUX_MINORS]


@functools.lru_cache(maxsize=256)
def cell_tags(python: str, arch: str) -> dict[Tag, int]:
    """Tag → rank (0 = most preferred) for CPython `python` (e.g. 3.14t) on musllinux `arch`."""
    major, minor = (int(part) for part in python.rstrip("t").split("."))
    abi = f"cp{major}{minor}{'t' if is_free_threaded(python) else ''}"
    platforms = musllinux_platforms(arch)
    ordered = [
        *cpython_tags((major, minor), abis=[abi], platforms=platforms),
        *compatible_tags((major, minor), f"cp{major}{minor}", platforms),
    ]
    return {tag: rank for rank, tag in reversed(list(enumerate(ordered)))}


def wheel_tags(filename: str) -> frozenset[Tag]:
    """The tags of a wheel filename; empty for a name that is not a valid wheel name."""
    try:
        return frozenset(parse_wheel_filename(filename)[3])
    except InvalidWheelFilename:
        return frozenset()


def best_wheel(filenames: Iterable[str], python: str, arch: str) -> str | None:
    """The filename pip would prefer for this cell, or None when none is compatible."""
    ranks = cell_tags(python, arch)
    best: tuple[int, str] | None = None
    for filename in filenames:
        found = [ranks[tag] for tag in wheel_tags(filename) if tag in ranks]
        if found and (best is None or (min(found), filename) < best):
            best = (min(found), filename)
    return best[1] if best else None


def is_pure(filename: str) -> bool:
    """A wheel for any platform (e.g. py3-none-any): nothing to build, ever."""
    tags = wheel_tags(filename)
    return bool(tags) and all(tag.platform == "any" for tag in tags)


def abi3_floor(filenames: Iterable[str]) -> tuple[int, int] | None:
    """The lowest CPython an existing abi3 wheel of the release targets (any platform): the
    project builds with the limited API, so one build per arch serves every newer Python."""
    floors = []
    for filename in filenames:
        for tag in wheel_tags(filename):
            if tag.abi == "abi3" and tag.interpreter.startswith("cp") and tag.interpreter[2:]:
                digits = tag.interpreter[2:]
                floors.append((int(digits[0]), int(digits[1:] or 0)))
    return min(floors) if floors else None
