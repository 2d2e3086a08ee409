"""generator.lock.coverage.dead_lines: which matrix lines build nothing any more."""

from __future__ import annotations

from generator.core.cells import Status
from generator.lock.coverage import DeadLine, dead_lines
from generator.lock.model import LockedCell
from unit.builders import lock, locked, locked_module

WHEEL = "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
PURE = "pkg-1.0-py3-none-any.whl"


def upstream(identifier: str, version: str = "1.0", module: str = "pkg") -> LockedCell:
    return locked(identifier, Status.UPSTREAM, module=module, version=version, wheel=WHEEL)


def pure(identifier: str, version: str = "1.0", module: str = "pkg") -> LockedCell:
    return locked(identifier, Status.PURE, module=module, version=version, wheel=PURE)


def build(identifier: str, version: str = "1.0", module: str = "pkg") -> LockedCell:
    return locked(identifier, Status.BUILD, module=module, version=version)


def skip(identifier: str, version: str = "1.0", module: str = "pkg") -> LockedCell:
    return locked(identifier, Status.SKIP, module=module, version=version, reason="excluded")


def test_a_module_whose_every_version_is_covered_is_one_line_without_version() -> None:
    entry = locked_module(
        "pkg",
        {
            "1.0": [upstream("cp312-x86_64"), pure("cp312-aarch64")],
            "2.0": [upstream("cp312-x86_64", "2.0"), skip("cp312-aarch64", "2.0")],
        },
    )
    lines = dead_lines(lock(entry))
    assert lines == (DeadLine("pkg", None),)
    assert lines[0].message == "upstream covers every cell of pkg — the line can go"


def test_only_the_covered_version_of_a_live_module_is_reported() -> None:
    entry = locked_module(
        "pkg",
        {
            "1.0": [upstream("cp312-x86_64"), upstream("cp312-aarch64")],
            "2.0": [upstream("cp312-x86_64", "2.0"), build("cp312-aarch64", "2.0")],
        },
    )
    lines = dead_lines(lock(entry))
    assert lines == (DeadLine("pkg", "1.0"),)
    assert lines[0].message == "upstream covers every cell of pkg 1.0 — the line can go"


def test_abi3_cells_are_made_here_and_keep_a_line_alive() -> None:
    abi3 = locked("cp312-x86_64", Status.ABI3, built_by="cp312-x86_64")
    entry = locked_module("pkg", {"1.0": [abi3, upstream("cp312-aarch64")]})
    assert dead_lines(lock(entry)) == ()


def test_a_version_whose_every_cell_is_skipped_is_not_covered() -> None:
    entry = locked_module("pkg", {"1.0": [skip("cp312-x86_64"), skip("cp312-aarch64")]})
    assert dead_lines(lock(entry)) == ()


def test_implied_modules_are_not_matrix_lines() -> None:
    implied = locked_module(
        "dep", {"1.0": [upstream("cp312-x86_64", module="dep")]}, implied_by=("pkg",)
    )
    entry = locked_module("pkg", {"1.0": [build("cp312-x86_64")]})
    assert dead_lines(lock(entry, implied)) == ()


def test_lines_come_sorted_by_module() -> None:
    first = locked_module("aaa", {"1.0": [pure("cp312-x86_64", module="aaa")]})
    second = locked_module("zzz", {"1.0": [upstream("cp312-x86_64", module="zzz")]})
    assert dead_lines(lock(second, first)) == (DeadLine("aaa", None), DeadLine("zzz", None))
