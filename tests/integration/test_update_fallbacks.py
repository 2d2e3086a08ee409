"""update on recorded releases with a pure fallback (issue 11): frozenlist 1.8.0 and wrapt
2.5.2 ship py3-none-any beside platform wheels, six 1.17.0 is genuinely pure."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pypi_server import FixtureIndex

from generator import cli
from generator.lock.model import Lock, load_lock
from generator.matrix.load import load_matrix

MATRIX = """
defaults:
  python: ["3.12"]
  arch: [x86_64, i686, s390x, riscv64]
modules:
  frozenlist: latest
  wrapt: latest
  six: latest
"""


def update(tmp_path: Path, text: str, *args: str) -> Lock:
    (tmp_path / "matrix.yml").write_text(text)
    assert cli.main(["update", "--matrix", str(tmp_path / "matrix.yml"), *args]) == 0
    lock = load_lock(load_matrix(tmp_path / "matrix.yml"))
    assert lock is not None
    return lock


def statuses(lock: Lock, module: str) -> dict[str, str]:
    return {c.cell.arch: str(c.status) for c in lock.cells(module)}


def test_fallback_cells_are_built_and_pure_ones_fetched(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = update(tmp_path, MATRIX)
    assert statuses(lock, "frozenlist") == {
        "x86_64": "upstream",
        "s390x": "upstream",
        "i686": "build",
        "riscv64": "build",
    }
    assert statuses(lock, "wrapt") == {
        "x86_64": "upstream",
        "riscv64": "upstream",
        "i686": "build",
        "s390x": "build",
    }
    assert set(statuses(lock, "six").values()) == {"pure"}
    built = [c for c in lock.cells() if str(c.status) == "build"]
    assert built and all(c.wheel is None for c in built)
    err = capsys.readouterr().err
    assert "notice: upstream covers every cell of six — the line can go" in err
    assert "frozenlist —" not in err and "wrapt —" not in err


def test_a_cell_an_old_lock_served_with_the_fallback_is_built_on_the_next_update(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = update(tmp_path, MATRIX.replace("frozenlist: latest", "frozenlist: {prefer: wheel}"))
    assert statuses(old, "frozenlist")["i686"] == "pure"
    capsys.readouterr()
    outputs = tmp_path / "outputs"
    new = update(tmp_path, MATRIX, "--github-output", str(outputs))
    assert statuses(new, "frozenlist")["i686"] == "build"
    out = capsys.readouterr().out
    assert "update: frozenlist: 1.8.0 → 1.8.0 (2 new builds)" in out
    assert "modules=frozenlist\n" in outputs.read_text()
    # the fallback an earlier run put in wheels/ is not the build's wheel: the plan builds
    folder = tmp_path / "wheels" / "frozenlist"
    folder.mkdir(parents=True)
    (folder / "frozenlist-1.8.0-py3-none-any.whl").write_bytes(b"")
    summary = tmp_path / "summary.md"
    plan = ["plan", "--matrix", str(tmp_path / "matrix.yml"), "--summary", str(summary)]
    assert cli.main(plan) == 0
    table = capsys.readouterr().out
    assert "frozenlist  1.8.0    i686" in table and "frozenlist  1.8.0    riscv64" in table
    text = summary.read_text()
    assert "### Matrix lines that build nothing" in text
    assert "- upstream covers every cell of six — the line can go" in text


DEPENDENT = """
defaults:
  python: ["3.13"]
  arch: [x86_64, i686, riscv64]
modules:
  aiosignal: latest
"""


def test_a_dependency_served_only_by_its_fallback_is_an_implied_build(
    index: FixtureIndex, tmp_path: Path
) -> None:
    # aiosignal 1.4.0 (pure) needs frozenlist>=1.1.0, whose i686 and riscv64 wheel is the
    # py3-none-any fallback: those are built; x86_64 has a musllinux wheel
    lock = update(tmp_path, DEPENDENT)
    assert set(statuses(lock, "aiosignal").values()) == {"pure"}
    (frozenlist,) = lock.implied_modules()
    assert frozenlist.name == "frozenlist" and frozenlist.implied_by == ("aiosignal",)
    assert statuses(lock, "frozenlist") == {"i686": "build", "riscv64": "build"}
