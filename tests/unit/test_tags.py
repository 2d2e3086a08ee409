"""generator.core.tags: which wheel files a cell (CPython X.Y on musllinux <arch>) installs."""

from __future__ import annotations

import pytest
from packaging.tags import Tag

from generator.core.tags import (
    abi3_floor,
    best_wheel,
    cell_tags,
    cpython_musllinux,
    has_platform_wheels,
    is_pure,
    pip_target_args,
    wheels_for_arch,
)


def tag(text: str) -> Tag:
    interpreter, abi, platform = text.split("-")
    return Tag(interpreter, abi, platform)


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        pytest.param(
            "cp312-cp312-musllinux_1_2_x86_64", "cp312-abi3-musllinux_1_2_x86_64", id="cp312>abi3"
        ),
        pytest.param("cp312-abi3-musllinux_1_0_x86_64", "py3-none-any", id="abi3>py3-none-any"),
        pytest.param(
            "cp312-cp312-musllinux_1_1_x86_64",
            "cp312-abi3-musllinux_1_2_x86_64",
            id="the ABI before the musllinux minor",
        ),
        pytest.param(
            "cp312-cp312-musllinux_1_2_x86_64", "cp312-cp312-musllinux_1_1_x86_64", id="1_2>1_1"
        ),
        pytest.param(
            "cp312-cp312-musllinux_1_1_x86_64", "cp312-cp312-musllinux_1_0_x86_64", id="1_1>1_0"
        ),
        pytest.param(
            "cp312-abi3-musllinux_1_2_x86_64", "cp38-abi3-musllinux_1_2_x86_64", id="newer abi3"
        ),
        pytest.param("py3-none-musllinux_1_2_x86_64", "py3-none-any", id="platform>any"),
    ],
)
def test_cell_tags_ranks(better: str, worse: str) -> None:
    ranks = cell_tags("3.12", "x86_64")
    assert ranks[tag(better)] < ranks[tag(worse)]


@pytest.mark.parametrize(
    ("python", "wheel_tag", "accepted"),
    [
        pytest.param("3.12", "cp312-cp312-musllinux_1_2_x86_64", True, id="cp312 musl"),
        pytest.param("3.12", "cp312-cp312-manylinux_2_17_x86_64", False, id="manylinux"),
        pytest.param("3.12", "cp312-cp312-musllinux_1_2_aarch64", False, id="other arch"),
        pytest.param("3.12", "cp313-cp313-musllinux_1_2_x86_64", False, id="other Python"),
        pytest.param("3.12", "cp312-cp312-musllinux_1_3_x86_64", False, id="unknown minor"),
        pytest.param("3.14t", "cp314-cp314t-musllinux_1_2_x86_64", True, id="cp314t musl"),
        pytest.param("3.14t", "cp314-cp314-musllinux_1_2_x86_64", False, id="3.14t: no cp314"),
        pytest.param("3.14t", "cp311-abi3-musllinux_1_2_x86_64", False, id="3.14t: no abi3"),
        pytest.param("3.14t", "py3-none-any", True, id="3.14t: pure"),
    ],
)
def test_cell_tags_membership(python: str, wheel_tag: str, accepted: bool) -> None:
    assert (tag(wheel_tag) in cell_tags(python, "x86_64")) is accepted


M12 = "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
M11 = "pkg-1.0-cp312-cp312-musllinux_1_1_x86_64.whl"
ABI3 = "pkg-1.0-cp311-abi3-musllinux_1_2_x86_64.whl"
PURE = "pkg-1.0-py3-none-any.whl"
MANY = "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
FT = "pkg-1.0-cp314-cp314t-musllinux_1_2_x86_64.whl"
CP314 = "pkg-1.0-cp314-cp314-musllinux_1_2_x86_64.whl"


@pytest.mark.parametrize(
    ("filenames", "python", "expected"),
    [
        pytest.param([M11, M12], "3.12", M12, id="musllinux_1_2 over 1_1"),
        pytest.param([ABI3, M11], "3.12", M11, id="cp312 1_1 over abi3 1_2"),
        pytest.param([PURE, ABI3], "3.12", ABI3, id="abi3 over pure"),
        pytest.param([PURE, MANY], "3.12", PURE, id="pure over nothing"),
        pytest.param([MANY], "3.12", None, id="manylinux only: none"),
        pytest.param([], "3.12", None, id="no files"),
        pytest.param(["pkg-1.0.tar.gz", "junk.whl"], "3.12", None, id="not wheels"),
        pytest.param([CP314, FT], "3.14t", FT, id="free-threaded takes cp314t"),
        pytest.param([CP314, ABI3], "3.14t", None, id="free-threaded takes no cp314 nor abi3"),
        pytest.param([CP314, ABI3], "3.14", CP314, id="3.14 takes cp314"),
    ],
)
def test_best_wheel(filenames: list[str], python: str, expected: str | None) -> None:
    assert best_wheel(filenames, python, "x86_64") == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        pytest.param("pkg-1.0-py3-none-any.whl", True, id="py3-none-any"),
        pytest.param("pkg-1.0-py2.py3-none-any.whl", True, id="py2.py3-none-any"),
        pytest.param(M12, False, id="musllinux"),
        pytest.param("pkg-1.0-py3-none-any.musllinux_1_2_x86_64.whl", False, id="any and musl"),
        pytest.param(ABI3, False, id="abi3"),
        pytest.param("pkg-1.0.tar.gz", False, id="sdist"),
        pytest.param("not-a-wheel.whl", False, id="invalid name"),
    ],
)
def test_is_pure(filename: str, expected: bool) -> None:
    assert is_pure(filename) is expected


FL = "frozenlist-1.8.0"


@pytest.mark.parametrize(
    ("chosen", "release", "expected"),
    [
        pytest.param(
            f"{FL}-py3-none-any.whl",
            [
                f"{FL}-py3-none-any.whl",
                f"{FL}-cp312-cp312-musllinux_1_2_x86_64.whl",
                f"{FL}.tar.gz",
            ],
            True,
            id="pure beside platform wheels",
        ),
        pytest.param(
            "six-1.17.0-py2.py3-none-any.whl",
            ["six-1.17.0-py2.py3-none-any.whl", "six-1.17.0.tar.gz"],
            False,
            id="a pure project",
        ),
        pytest.param(
            f"{FL}-cp312-cp312-musllinux_1_2_x86_64.whl",
            [f"{FL}-py3-none-any.whl", f"{FL}-cp312-cp312-musllinux_1_2_x86_64.whl"],
            False,
            id="the platform wheel itself",
        ),
        pytest.param(
            f"{FL}-py3-none-any.whl",
            [f"{FL}-py3-none-any.whl", "not-a-wheel.whl", f"{FL}.tar.gz"],
            False,
            id="an invalid name is no platform wheel",
        ),
    ],
)
def test_a_pure_wheel_is_a_fallback_beside_platform_wheels(
    chosen: str, release: list[str], expected: bool
) -> None:
    assert (is_pure(chosen) and has_platform_wheels(release)) is expected


@pytest.mark.parametrize(
    ("filenames", "expected"),
    [
        pytest.param([], None, id="no wheels"),
        pytest.param([M12, PURE], None, id="no abi3 wheel"),
        pytest.param(["pkg-1.0-cp311-abi3-win_amd64.whl"], (3, 11), id="any platform counts"),
        pytest.param(
            [
                "pkg-1.0-cp311-abi3-musllinux_1_2_x86_64.whl",
                "pkg-1.0-cp38-abi3-macosx_11_0_arm64.whl",
            ],
            (3, 8),
            id="the lowest",
        ),
        pytest.param(["pkg-1.0-cp310-abi3-manylinux_2_17_x86_64.whl"], (3, 10), id="two digits"),
        pytest.param(["pkg-1.0-cp39.cp310-abi3-win32.whl"], (3, 9), id="compressed tag set"),
        pytest.param(
            ["pkg-1.0-cpXY-abi3-any.whl", "pkg-1.0-cp310-abi3-win32.whl"],
            (3, 10),
            id="an interpreter tag without digits is ignored",
        ),
    ],
)
def test_abi3_floor(filenames: list[str], expected: tuple[int, int] | None) -> None:
    assert abi3_floor(filenames) == expected


PURE_A = "a-1-py3-none-any.whl"
ABI3_B = "b-1-cp39-abi3-musllinux_1_1_aarch64.whl"
MULTI_C = "c-1-cp312-cp312-manylinux_2_17_x86_64.musllinux_1_1_x86_64.whl"
WINDOWS_D = "d-1-cp312-cp312-win_amd64.whl"


@pytest.mark.parametrize(
    ("arch", "expected"),
    [
        pytest.param("x86_64", [M12, PURE_A, MULTI_C], id="x86_64: musl, pure, multi-platform"),
        pytest.param("aarch64", [PURE_A, ABI3_B], id="aarch64"),
        pytest.param("s390x", [PURE_A], id="only pure"),
    ],
)
def test_wheels_for_arch(arch: str, expected: list[str]) -> None:
    filenames = [M12, MANY, PURE_A, ABI3_B, MULTI_C, WINDOWS_D]
    assert wheels_for_arch(filenames, arch) == expected


@pytest.mark.parametrize(
    ("wheel_tag", "expected"),
    [
        pytest.param("cp312-cp312-musllinux_1_2_x86_64", ("3.12", "x86_64"), id="cp312"),
        pytest.param("cp310-cp310-musllinux_1_1_armv7l", ("3.10", "armv7l"), id="cp310 1_1"),
        pytest.param("cp314-cp314t-musllinux_1_2_aarch64", ("3.14t", "aarch64"), id="cp314t"),
        pytest.param("cp312-abi3-musllinux_1_2_x86_64", None, id="abi3"),
        pytest.param("py3-none-any", None, id="pure"),
        pytest.param("cp312-none-musllinux_1_2_x86_64", None, id="no ABI"),
        pytest.param("cp312-cp312-manylinux_2_17_x86_64", None, id="manylinux"),
        pytest.param("cp312-cp312-linux_x86_64", None, id="linux"),
        pytest.param("cp312-cp312-musllinux_1_2", None, id="musllinux without arch"),
        pytest.param("cp313-cp312-musllinux_1_2_x86_64", None, id="interpreter and ABI differ"),
        pytest.param("pp310-pypy310_pp73-musllinux_1_2_x86_64", None, id="PyPy"),
    ],
)
def test_cpython_musllinux(wheel_tag: str, expected: tuple[str, str] | None) -> None:
    assert cpython_musllinux(tag(wheel_tag)) == expected


def _values(args: list[str], flag: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == flag]


@pytest.mark.parametrize(
    ("python", "arch", "version", "abis_first", "abis_not"),
    [
        pytest.param("3.12", "x86_64", "3.12", ["cp312", "abi3", "none"], ["cp312t"], id="3.12"),
        pytest.param(
            "3.14t", "aarch64", "3.14", ["cp314t"], ["cp314", "abi3"], id="3.14t: free-threaded ABI"
        ),
    ],
)
def test_pip_target_args(
    python: str, arch: str, version: str, abis_first: list[str], abis_not: list[str]
) -> None:
    args = pip_target_args(python, arch)
    assert args[:3] == ["--only-binary=:all:", "--implementation", "cp"]
    assert _values(args, "--python-version") == [version]
    abis = _values(args, "--abi")
    assert abis[: len(abis_first)] == abis_first
    assert "none" in abis
    assert not set(abis) & set(abis_not)
    assert _values(args, "--platform") == [
        f"musllinux_1_2_{arch}",
        f"musllinux_1_1_{arch}",
        f"musllinux_1_0_{arch}",
    ]
