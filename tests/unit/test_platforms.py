"""generator.core.platforms: build identifiers are made and parsed in one place."""

from __future__ import annotations

import pytest

from generator.core.platforms import ARCHS, PYTHONS, build_identifier, parse_identifier

EVERY_CELL = [
    pytest.param(python, arch, id=f"{python}-{arch}") for python in PYTHONS for arch in ARCHS
]


@pytest.mark.parametrize(("python", "arch"), EVERY_CELL)
def test_identifier_round_trip(python: str, arch: str) -> None:
    identifier = build_identifier(python, arch)
    assert identifier.endswith(f"-musllinux_{arch}")
    assert parse_identifier(identifier) == (python, arch)


@pytest.mark.parametrize(
    ("python", "arch", "identifier"),
    [
        pytest.param("3.9", "x86_64", "cp39-musllinux_x86_64", id="3.9"),
        pytest.param("3.10", "aarch64", "cp310-musllinux_aarch64", id="3.10"),
        pytest.param("3.14t", "armv7l", "cp314t-musllinux_armv7l", id="3.14t"),
    ],
)
def test_build_identifier_spelling(python: str, arch: str, identifier: str) -> None:
    assert build_identifier(python, arch) == identifier


def test_every_identifier_is_distinct() -> None:
    identifiers = [build_identifier(python, arch) for python in PYTHONS for arch in ARCHS]
    assert len(set(identifiers)) == len(PYTHONS) * len(ARCHS)


@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param("", id="empty"),
        pytest.param("cp312", id="no platform"),
        pytest.param("cp312-musllinux_", id="no arch"),
        pytest.param("cp312-manylinux_x86_64", id="manylinux"),
        pytest.param("pp310-musllinux_x86_64", id="PyPy"),
        pytest.param("cp3-musllinux_x86_64", id="one digit"),
        pytest.param("cpXY-musllinux_x86_64", id="not digits"),
        pytest.param("cp3t1-musllinux_x86_64", id="t inside"),
        pytest.param("musllinux_x86_64", id="no interpreter"),
        pytest.param(
            "cp3t-musllinux_x86_64",
            id="one digit, free-threaded",
        ),
    ],
)
def test_parse_identifier_rejects(identifier: str) -> None:
    with pytest.raises(ValueError, match="not a musllinux build identifier"):
        parse_identifier(identifier)
