"""generator.lock.statuses.release_cells: the one place a cell's status is decided."""

from __future__ import annotations

import pytest

from generator.core.cells import Cell, Status
from generator.lock.model import LockedCell
from generator.lock.statuses import NO_SDIST, release_cells
from unit.builders import cell, dist, module, recorded_release, release

MATRIX = """
defaults: {python: ["3.11", "3.12", "3.14t"], arch: [x86_64, aarch64]}
modules:
  pkg: "1.0"
"""
EXCLUDING = """
defaults: {python: ["3.11", "3.12", "3.14t"], arch: [x86_64, aarch64]}
modules:
  pkg:
    versions: "1.0"
    exclude: [{python: "3.11", arch: aarch64, reason: segfaults in its tests}]
"""

SDIST = "pkg-1.0.tar.gz"
MUSL_1_2 = "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
MUSL_1_1 = "pkg-1.0-cp312-cp312-musllinux_1_1_aarch64.whl"
MANYLINUX = "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
PURE = "pkg-1.0-py3-none-any.whl"
ABI3_311_MANYLINUX = "pkg-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"
ABI3_312_WINDOWS = "pkg-1.0-cp312-abi3-win_amd64.whl"
ABI3_311_MUSL = "pkg-1.0-cp311-abi3-musllinux_1_2_x86_64.whl"

ALL_BUILD = {
    "cp311-x86_64": "build",
    "cp312-x86_64": "build",
    "cp314t-x86_64": "build",
    "cp311-aarch64": "build",
    "cp312-aarch64": "build",
    "cp314t-aarch64": "build",
}
NO_SDIST_SKIP = f"skip: {NO_SDIST}"


def short(identifier: str) -> str:
    """`cp312-musllinux_x86_64` → `cp312-x86_64`."""
    return identifier.replace("-musllinux_", "-")


def summary(locked: LockedCell) -> str:
    if locked.status is Status.SKIP:
        return f"skip: {locked.reason}"
    if locked.status is Status.ABI3:
        assert locked.built_by is not None
        return f"abi3 by {short(locked.built_by)}"
    if locked.wheel is not None:
        return f"{locked.status} {locked.wheel.filename}"
    return str(locked.status)


@pytest.mark.parametrize(
    ("files", "requires_python", "matrix", "expected", "problems"),
    [
        pytest.param([SDIST], None, MATRIX, ALL_BUILD, (), id="build: only an sdist"),
        pytest.param(
            [SDIST, MANYLINUX], None, MATRIX, ALL_BUILD, (), id="build: a manylinux wheel is no use"
        ),
        pytest.param(
            [SDIST, dist(MUSL_1_2, sha256=None)],
            None,
            MATRIX,
            ALL_BUILD,
            (),
            id="build: a wheel without sha256 is not fetched",
        ),
        pytest.param(
            [SDIST, dist(MUSL_1_2, yanked=True)],
            None,
            MATRIX,
            ALL_BUILD,
            (),
            id="build: a yanked wheel beside live files is not fetched",
        ),
        pytest.param(
            [SDIST, MUSL_1_2],
            None,
            MATRIX,
            {**ALL_BUILD, "cp312-x86_64": f"upstream {MUSL_1_2}"},
            (),
            id="upstream: musllinux_1_2",
        ),
        pytest.param(
            [SDIST, MUSL_1_1],
            None,
            MATRIX,
            {**ALL_BUILD, "cp312-aarch64": f"upstream {MUSL_1_1}"},
            (),
            id="upstream: a musllinux_1_1-only wheel",
        ),
        pytest.param(
            [SDIST, PURE],
            None,
            MATRIX,
            {identifier: f"pure {PURE}" for identifier in ALL_BUILD},
            (),
            id="pure: py3-none-any serves every cell, free-threaded too",
        ),
        pytest.param(
            [PURE],
            None,
            MATRIX,
            {identifier: f"pure {PURE}" for identifier in ALL_BUILD},
            (),
            id="pure: no sdist needed",
        ),
        pytest.param(
            [SDIST, ABI3_311_MANYLINUX],
            None,
            MATRIX,
            {
                "cp311-x86_64": "abi3 by cp311-x86_64",
                "cp312-x86_64": "abi3 by cp311-x86_64",
                "cp314t-x86_64": "build",
                "cp311-aarch64": "abi3 by cp311-aarch64",
                "cp312-aarch64": "abi3 by cp311-aarch64",
                "cp314t-aarch64": "build",
            },
            (),
            id="abi3: one builder per arch, from the floor; free-threaded builds alone",
        ),
        pytest.param(
            [SDIST, ABI3_312_WINDOWS],
            None,
            MATRIX,
            {
                "cp311-x86_64": "build",
                "cp312-x86_64": "abi3 by cp312-x86_64",
                "cp314t-x86_64": "build",
                "cp311-aarch64": "build",
                "cp312-aarch64": "abi3 by cp312-aarch64",
                "cp314t-aarch64": "build",
            },
            (),
            id="abi3: Pythons below the floor build on their own",
        ),
        pytest.param(
            [SDIST, ABI3_311_MUSL],
            None,
            MATRIX,
            {
                "cp311-x86_64": f"upstream {ABI3_311_MUSL}",
                "cp312-x86_64": f"upstream {ABI3_311_MUSL}",
                "cp314t-x86_64": "build",
                "cp311-aarch64": "abi3 by cp311-aarch64",
                "cp312-aarch64": "abi3 by cp311-aarch64",
                "cp314t-aarch64": "build",
            },
            (),
            id="abi3: an upstream musllinux abi3 wheel serves its arch",
        ),
        pytest.param(
            [SDIST],
            ">=3.12",
            MATRIX,
            {
                **ALL_BUILD,
                "cp311-x86_64": "skip: requires-python >=3.12",
                "cp311-aarch64": "skip: requires-python >=3.12",
            },
            (),
            id="skip: requires-python (3.14t counts as 3.14)",
        ),
        pytest.param(
            [SDIST],
            None,
            EXCLUDING,
            {**ALL_BUILD, "cp311-aarch64": "skip: excluded in matrix: segfaults in its tests"},
            (),
            id="skip: matrix exclusion",
        ),
        pytest.param(
            [MANYLINUX],
            None,
            MATRIX,
            {identifier: NO_SDIST_SKIP for identifier in ALL_BUILD},
            (
                f"pkg 1.0: {NO_SDIST} (cp311-musllinux_x86_64, cp312-musllinux_x86_64, "
                "cp314t-musllinux_x86_64, cp311-musllinux_aarch64, cp312-musllinux_aarch64, "
                "cp314t-musllinux_aarch64)",
            ),
            id="skip: no sdist, with the problem text",
        ),
        pytest.param(
            [MUSL_1_2],
            None,
            MATRIX,
            {
                **{identifier: NO_SDIST_SKIP for identifier in ALL_BUILD},
                "cp312-x86_64": f"upstream {MUSL_1_2}",
            },
            (
                f"pkg 1.0: {NO_SDIST} (cp311-musllinux_x86_64, cp314t-musllinux_x86_64, "
                "cp311-musllinux_aarch64, cp312-musllinux_aarch64, cp314t-musllinux_aarch64)",
            ),
            id="skip: no sdist, only the cells no wheel serves",
        ),
    ],
)
def test_release_cells(
    files: list[str],
    requires_python: str | None,
    matrix: str,
    expected: dict[str, str],
    problems: tuple[str, ...],
) -> None:
    result = release_cells(module(matrix), release("1.0", *files, requires_python=requires_python))
    got = {short(locked.cell.identifier): summary(locked) for locked in result.cells}
    assert got == expected
    assert result.problems == problems


def test_release_cells_of_a_yanked_release_uses_its_yanked_files() -> None:
    yanked = release("1.0", dist(SDIST, yanked=True), dist(MUSL_1_2, yanked=True))
    got = {
        short(c.cell.identifier): summary(c) for c in release_cells(module(MATRIX), yanked).cells
    }
    assert got == {**ALL_BUILD, "cp312-x86_64": f"upstream {MUSL_1_2}"}


@pytest.mark.parametrize(
    ("only", "expected"),
    [
        pytest.param({cell("cp312-x86_64")}, {"cp312-x86_64": "build"}, id="one cell"),
        pytest.param(
            {cell("cp311-aarch64"), cell("cp312-aarch64")},
            {"cp311-aarch64": "skip: excluded in matrix: segfaults in its tests"}
            | {"cp312-aarch64": "build"},
            id="an excluded cell stays a skip",
        ),
        pytest.param(set[Cell](), {}, id="no cell"),
    ],
)
def test_release_cells_only(only: set[Cell], expected: dict[str, str]) -> None:
    result = release_cells(module(EXCLUDING), release("1.0", SDIST), only)
    assert {short(c.cell.identifier): summary(c) for c in result.cells} == expected


def test_release_cells_are_sorted_by_arch_then_python() -> None:
    result = release_cells(module(MATRIX), release("1.0", SDIST))
    assert [short(c.cell.identifier) for c in result.cells] == [
        "cp311-aarch64",
        "cp312-aarch64",
        "cp314t-aarch64",
        "cp311-x86_64",
        "cp312-x86_64",
        "cp314t-x86_64",
    ]


# The pure-fallback rule, on releases recorded from PyPI (tests/fixtures/pypi/json/).
ALL_ARCHS = """
defaults:
  python: ["3.9", "3.12", "3.14t"]
  arch: [x86_64, i686, aarch64, armv7l, ppc64le, s390x, riscv64]
modules:
  frozenlist: latest
  wrapt: latest
  six: latest
"""


def by_arch(project: str, version: str, text: str = ALL_ARCHS) -> dict[str, set[str]]:
    """arch → the statuses of its cells; a `build` cell must name no wheel."""
    result = release_cells(module(text, project), recorded_release(project, version))
    statuses: dict[str, set[str]] = {}
    for locked in result.cells:
        if locked.status is Status.BUILD:
            assert locked.wheel is None, "a built cell is not served by the fallback"
        statuses.setdefault(locked.cell.arch, set()).add(str(locked.status))
    return statuses


def test_frozenlist_builds_where_only_its_pure_fallback_fits() -> None:
    # 1.8.0 ships musllinux wheels for x86_64, aarch64, armv7l, ppc64le, s390x and a
    # py3-none-any fallback, which pip would pick on i686 and riscv64
    assert by_arch("frozenlist", "1.8.0") == {
        "x86_64": {"upstream"},
        "aarch64": {"upstream"},
        "armv7l": {"upstream"},
        "ppc64le": {"upstream"},
        "s390x": {"upstream"},
        "i686": {"build"},
        "riscv64": {"build"},
    }


def test_wrapt_builds_where_only_its_pure_fallback_fits() -> None:
    # 2.5.2 ships musllinux wheels for x86_64, aarch64, riscv64 beside py3-none-any
    assert by_arch("wrapt", "2.5.2") == {
        "x86_64": {"upstream"},
        "aarch64": {"upstream"},
        "riscv64": {"upstream"},
        "i686": {"build"},
        "armv7l": {"build"},
        "ppc64le": {"build"},
        "s390x": {"build"},
    }


def test_a_genuinely_pure_project_stays_pure() -> None:
    statuses = by_arch("six", "1.17.0")
    assert len(statuses) == 7 and all(found == {"pure"} for found in statuses.values())


def with_prefer(project: str, prefer: str) -> str:
    return ALL_ARCHS.replace(f"  {project}: latest", f"  {project}: {{prefer: {prefer}}}")


def test_prefer_wheel_keeps_the_fallback() -> None:
    statuses = by_arch("frozenlist", "1.8.0", with_prefer("frozenlist", "wheel"))
    assert statuses["i686"] == statuses["riscv64"] == {"pure"}
    assert statuses["x86_64"] == {"upstream"}


def test_prefer_build_builds_what_a_pure_wheel_would_serve_without_platform_wheels() -> None:
    statuses = by_arch("six", "1.17.0", with_prefer("six", "build"))
    assert len(statuses) == 7 and all(found == {"build"} for found in statuses.values())


def test_prefer_build_still_takes_upstream_musllinux_wheels() -> None:
    statuses = by_arch("wrapt", "2.5.2", with_prefer("wrapt", "build"))
    assert statuses["x86_64"] == {"upstream"} and statuses["i686"] == {"build"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param([SDIST, PURE, MANYLINUX], {"build"}, id="a manylinux wheel: a fallback"),
        pytest.param(
            [SDIST, PURE, ABI3_312_WINDOWS], {"build", "abi3"}, id="an abi3 Windows wheel too"
        ),
        pytest.param([SDIST, PURE, "pkg-1.0-bad.whl"], {"pure"}, id="a broken name is no wheel"),
        pytest.param([PURE, MANYLINUX], {"pure"}, id="no sdist: the fallback is all there is"),
    ],
)
def test_fallback_rule(files: list[str], expected: set[str]) -> None:
    result = release_cells(module(MATRIX), release("1.0", *files))
    assert {str(c.status) for c in result.cells} == expected
