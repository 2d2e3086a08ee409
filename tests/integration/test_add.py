"""add: what check finds would compile goes into matrix.yml, the rest of the file untouched.
Real pip against the recorded closure of tests/fixtures/check-pypi/ (see test_check.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pypi_server import FixtureIndex, running_index

from generator import cli
from generator.matrix.load import load_matrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check-pypi"
APP = "psycopg2==2.9.10\nfrozenlist>=1.4\nsix\npsycopg[binary]==3.2.10\n"
TARGETS = ["--python", "3.12", "--arch", "armv7l", "--arch", "i686"]


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureIndex]:
    with running_index(fixtures=FIXTURES) as served:
        monkeypatch.setenv("PIP_INDEX_URL", served.index_url)
        yield served


def add(checkout: Path, *args: str) -> int:
    return cli.main(["add", "--matrix", str(checkout / "matrix.yml"), *args])


def test_add_requirements_keeps_every_other_line_byte_identical(
    index: FixtureIndex, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """This repository's own matrix.yml (without its frozenlist line) already has psycopg2;
    frozenlist is a pure fallback on i686; psycopg-binary has no sdist."""
    matrix = checkout / "matrix.yml"
    matrix.write_text(_without_module(matrix.read_text(), "frozenlist"))
    before = matrix.read_bytes()
    (checkout / "requirements.txt").write_text(APP)
    assert add(checkout, "-r", str(checkout / "requirements.txt"), *TARGETS) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [  # refusals go to stderr, what was done to stdout
        "add: not adding psycopg-binary: no wheel for this target and no .tar.gz sdist: "
        "it cannot be built",
        "add: not adding psycopg2: already in matrix.yml — edit its entry there",
    ]
    assert captured.out.splitlines() == [f"add: frozenlist >=1.4 → {matrix}"]
    after = matrix.read_bytes()
    assert after.startswith(before)  # modules: is the last key of this file
    assert after[len(before) :] == (
        b'  frozenlist:\n    versions: ">=1.4"\n    python: ["3.12"]\n    arch: [i686, armv7l]\n'
    )
    module = load_matrix(matrix).module("frozenlist")
    assert (module.pythons, module.archs) == (("3.12",), ("i686", "armv7l"))


def _without_module(text: str, name: str) -> str:
    """`text` without the mapping-form entry of module `name` (its line and deeper ones)."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"  {name}:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    return "".join(lines[:start] + lines[end:])


def test_add_a_name_pins_it_and_keeps_comments_around_it(
    index: FixtureIndex, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = checkout / "matrix.yml"
    text = (
        "# mine\ndefaults:\n  python: ['3.12']\n  arch: [armv7l]   # the gap\n\nmodules:\n"
        '  six: "1.17.0"  # pure, but pinned here\n\n# the tail comment\nkeep-versions: 2\n'
    )
    matrix.write_text(text)
    assert add(checkout, "psycopg2==2.9.10") == 0  # Pythons and archs: the matrix's defaults
    assert matrix.read_text() == text.replace(
        "  # pure, but pinned here\n", '  # pure, but pinned here\n  psycopg2: "2.9.10"\n'
    )
    assert capsys.readouterr().out == f"add: psycopg2 2.9.10 → {matrix}\n"


def test_nothing_to_build_or_only_refusals_write_nothing(
    index: FixtureIndex, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = checkout / "matrix.yml"
    before = matrix.read_bytes()
    assert add(checkout, "six", "--python", "3.12", "--arch", "aarch64") == 0
    assert "nothing to add" in capsys.readouterr().out
    assert add(checkout, "psycopg2==2.9.10", "--python", "3.12", "--arch", "aarch64") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("add: not adding psycopg2: already in matrix.yml")
    assert captured.err.splitlines()[-1].startswith(f"error: {matrix}: nothing added — ")
    assert matrix.read_bytes() == before


def test_add_needs_something_to_add(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert add(checkout) == 2
    assert "give NAME[==VERSION] or -r requirements.txt" in capsys.readouterr().err
    assert add(checkout, "psycopg2==") == 2
    assert capsys.readouterr().err.startswith(
        "error: argument 1: 'psycopg2==' is not a requirement"
    )
