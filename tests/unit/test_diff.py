"""generator.lock.diff: what changed between two locks."""

from __future__ import annotations

import pytest

from generator.core.cells import Status
from generator.lock.diff import change_lines, modules_to_publish, new_build_cells
from generator.lock.model import Lock, LockedModule
from unit.builders import lock, locked, locked_module

PURE = "pkg-1.0-py3-none-any.whl"


def pkg(version: str, *cells: tuple[str, Status]) -> LockedModule:
    return locked_module(
        "pkg",
        {version: [locked(i, s, version=version, built_by=_builder(i, s)) for i, s in cells]},
    )


def _builder(identifier: str, status: Status) -> str | None:
    """abi3 cells in these tables are built by the cp311 cell of their arch."""
    return "cp311-" + identifier.split("-")[1] if status is Status.ABI3 else None


def dep(*cells: tuple[str, Status], implied_by: tuple[str, ...] = ("pkg",)) -> LockedModule:
    return locked_module(
        "dep",
        {"2.0": [locked(i, s, module="dep", version="2.0") for i, s in cells]},
        policy="",
        implied_by=implied_by,
    )


B, U, A, S, P = Status.BUILD, Status.UPSTREAM, Status.ABI3, Status.SKIP, Status.PURE
PKG_1_0 = pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", U))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(None, lock(PKG_1_0), {"pkg 1.0 cp312-x86_64"}, id="no old lock"),
        pytest.param(lock(PKG_1_0), lock(PKG_1_0), set(), id="unchanged"),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", B))),
            {"pkg 1.0 cp313-x86_64"},
            id="upstream wheel gone: a new build",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.1", ("cp312-x86_64", B), ("cp313-x86_64", B))),
            {"pkg 1.1 cp312-x86_64", "pkg 1.1 cp313-x86_64"},
            id="new version",
        ),
        pytest.param(
            None,
            lock(pkg("1.0", ("cp311-x86_64", A), ("cp312-x86_64", A), ("cp311-aarch64", A))),
            {"pkg 1.0 cp311-x86_64", "pkg 1.0 cp311-aarch64"},
            id="abi3: only the builders",
        ),
        pytest.param(
            lock(PKG_1_0), lock(pkg("1.0", ("cp312-x86_64", S))), set(), id="build became a skip"
        ),
    ],
)
def test_new_build_cells(old: Lock | None, new: Lock, expected: set[str]) -> None:
    got = new_build_cells(old, new)
    assert {f"{c.module} {c.version} {c.identifier.replace('-musllinux_', '-')}" for c in got} == (
        expected
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(None, lock(PKG_1_0), ["pkg"], id="no old lock"),
        pytest.param(lock(PKG_1_0), lock(PKG_1_0), [], id="unchanged"),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", B))),
            [],
            id="same cells served another way",
        ),
        pytest.param(
            lock(pkg("1.0", ("cp312-i686", P), ("cp313-i686", P))),
            lock(pkg("1.0", ("cp312-i686", B), ("cp313-i686", A))),
            ["pkg"],
            id="a pure fallback's cells now built",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", U), ("cp314-x86_64", U))),
            ["pkg"],
            id="a new upstream cell",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", U), ("cp314-x86_64", S))),
            [],
            id="a new skip is nothing to publish",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(PKG_1_0, dep(("cp312-x86_64", U), implied_by=("zed", "pkg"))),
            ["pkg", "zed"],
            id="an implied module through who needs it",
        ),
        pytest.param(
            lock(PKG_1_0, dep(("cp312-x86_64", U))),
            lock(PKG_1_0, dep(("cp312-x86_64", U), ("cp313-x86_64", B))),
            ["pkg"],
            id="a new cell of an implied module",
        ),
    ],
)
def test_modules_to_publish(old: Lock | None, new: Lock, expected: list[str]) -> None:
    assert modules_to_publish(old, new) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(None, lock(PKG_1_0), ["pkg: new → 1.0 (1 new build)"], id="new module"),
        pytest.param(lock(PKG_1_0), lock(PKG_1_0), [], id="unchanged"),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.1", ("cp312-x86_64", B), ("cp313-x86_64", B))),
            ["pkg: 1.0 → 1.1 (2 new builds)"],
            id="new version, builds counted",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(pkg("1.0", ("cp312-x86_64", B), ("cp313-x86_64", S))),
            ["pkg: 1.0 → 1.0"],
            id="changed cells, no new build",
        ),
        pytest.param(
            lock(PKG_1_0, dep(("cp312-x86_64", B))),
            lock(PKG_1_0),
            ["dep: removed from the lock"],
            id="removed module",
        ),
        pytest.param(
            lock(PKG_1_0),
            lock(PKG_1_0, dep(("cp312-x86_64", B), implied_by=("pkg", "other"))),
            ["dep: new → 2.0 (1 new build) [implied by pkg, other]"],
            id="implied module",
        ),
        pytest.param(
            None,
            lock(locked_module("zed", {}), PKG_1_0),
            ["pkg: new → 1.0 (1 new build)", "zed: new → none"],
            id="sorted by name; a module without versions",
        ),
    ],
)
def test_change_lines(old: Lock | None, new: Lock, expected: list[str]) -> None:
    assert change_lines(old, new) == expected
