"""generator.plan.select.cells_to_build and generator.plan.jobs.make_plan's grouping."""

from __future__ import annotations

import pytest

from generator.core.cells import Status
from generator.core.wheels import PublishedWheels
from generator.lock.model import Lock
from generator.plan.cibuildwheel import identifiers
from generator.plan.jobs import make_plan
from generator.plan.select import cells_to_build, module_for_plan, module_versions
from unit.builders import lock, locked, locked_module, matrix, module, published

PINNED = """
defaults: {python: ["3.12", "3.13"], arch: [x86_64, aarch64]}
modules:
  pkg: "1.0"
"""
EXCLUDING = """
defaults: {python: ["3.12", "3.13"], arch: [x86_64, aarch64]}
modules:
  pkg:
    versions: "1.0"
    exclude: [{arch: aarch64, python: "3.13", reason: no runner}]
"""
ALL = ["cp312-x86_64", "cp313-x86_64", "cp312-aarch64", "cp313-aarch64"]

MIXED_LOCK = lock(
    locked_module(
        "pkg",
        {
            "1.0": [
                locked("cp312-x86_64", Status.BUILD),
                locked("cp313-x86_64", Status.UPSTREAM, wheel="pkg-1.0-cp313-cp313-x.whl"),
                locked("cp312-aarch64", Status.SKIP, reason="requires-python >=3.13"),
                # cp313-aarch64 is not in the lock: matrix.yml changed since the update
            ]
        },
        policy="1.0",
    )
)
ABI3_LOCK = lock(
    locked_module(
        "pkg",
        {
            "1.0": [
                locked("cp312-x86_64", Status.ABI3, built_by="cp312-x86_64"),
                locked("cp313-x86_64", Status.ABI3, built_by="cp312-x86_64"),
                locked("cp312-aarch64", Status.ABI3, built_by="cp312-aarch64"),
                locked("cp313-aarch64", Status.ABI3, built_by="cp312-aarch64"),
            ]
        },
        policy="1.0",
    )
)
PURE_LOCK = lock(
    locked_module(
        "pkg",
        {"1.0": [locked(i, Status.PURE, wheel="pkg-1.0-py3-none-any.whl") for i in ALL]},
        policy="1.0",
    )
)


def short(identifier: str) -> str:
    return identifier.replace("-musllinux_", "-")


@pytest.mark.parametrize(
    ("text", "the_lock", "wheels", "to_build", "skipped"),
    [
        pytest.param(PINNED, None, None, ALL, {}, id="no lock: every pinned cell"),
        pytest.param(
            EXCLUDING,
            None,
            None,
            ["cp312-x86_64", "cp313-x86_64", "cp312-aarch64"],
            {"cp313-aarch64": "excluded in matrix: no runner"},
            id="no lock: minus the exclusions",
        ),
        pytest.param(
            PINNED,
            None,
            published("pkg-1.0-cp312-cp312-musllinux_1_1_x86_64.whl"),
            ["cp313-x86_64", "cp312-aarch64", "cp313-aarch64"],
            {},
            id="no lock: a published wheel removes its cell",
        ),
        pytest.param(
            PINNED,
            MIXED_LOCK,
            None,
            ["cp312-x86_64", "cp313-aarch64"],
            {"cp312-aarch64": "requires-python >=3.13"},
            id="lock: build, and a cell it does not know; upstream left out",
        ),
        pytest.param(
            PINNED,
            MIXED_LOCK,
            published("pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),
            ["cp313-aarch64"],
            {"cp312-aarch64": "requires-python >=3.13"},
            id="lock: a published wheel removes a build cell",
        ),
        pytest.param(
            PINNED,
            MIXED_LOCK,
            published("pkg-1.0-py3-none-any.whl"),
            ["cp312-x86_64", "cp313-aarch64"],
            {"cp312-aarch64": "requires-python >=3.13"},
            id="lock: a pure fallback in wheels/ is not a build cell's wheel",
        ),
        pytest.param(
            PINNED,
            None,
            published("pkg-1.0-py3-none-any.whl"),
            [],
            {},
            id="no lock: a published pure wheel serves every cell",
        ),
        pytest.param(
            PINNED, ABI3_LOCK, None, ["cp312-x86_64", "cp312-aarch64"], {}, id="lock: abi3 builders"
        ),
        pytest.param(
            PINNED,
            ABI3_LOCK,
            published("pkg-1.0-cp312-abi3-musllinux_1_2_aarch64.whl"),
            ["cp312-x86_64"],
            {},
            id="lock: a published abi3 wheel removes its builder",
        ),
        pytest.param(PINNED, PURE_LOCK, None, [], {}, id="lock: pure cells need no job"),
        pytest.param(
            PINNED,
            PURE_LOCK,
            published("pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            [],
            {},
            id="lock: a wheel for another platform changes nothing",
        ),
    ],
)
def test_cells_to_build(
    text: str,
    the_lock: Lock | None,
    wheels: PublishedWheels | None,
    to_build: list[str],
    skipped: dict[str, str],
) -> None:
    the_module = module(text)
    result = cells_to_build(the_module, the_lock, wheels, ("1.0",))
    assert result.module == the_module
    assert [short(c.identifier) for c in result.to_build] == to_build
    assert {short(s.cell.identifier): s.reason for s in result.skipped} == skipped


IMPLIED_LOCK = lock(
    locked_module(
        "pkg",
        {"1.0": [locked(i, Status.PURE, wheel="pkg-1.0-py3-none-any.whl") for i in ALL]},
        policy="1.0",
    ),
    locked_module(
        "dep",
        {
            "2.0": [
                locked("cp312-x86_64", Status.BUILD, module="dep", version="2.0"),
                locked("cp313-x86_64", Status.UPSTREAM, module="dep", version="2.0", wheel="d.whl"),
                locked("cp314-x86_64", Status.BUILD, module="dep", version="2.0"),
                locked("cp312-aarch64", Status.SKIP, module="dep", version="2.0", reason="old"),
            ],
            "2.1": [locked("cp312-x86_64", Status.BUILD, module="dep", version="2.1")],
        },
        policy="",
        implied_by=("pkg",),
    ),
)


@pytest.mark.parametrize(
    ("versions", "wheels", "to_build"),
    [
        pytest.param(
            ("2.0", "2.1"),
            None,
            ["dep 2.0 cp312-x86_64", "dep 2.0 cp314-x86_64", "dep 2.1 cp312-x86_64"],
            id="every locked build cell, even a Python the defaults lack",
        ),
        pytest.param(("2.1",), None, ["dep 2.1 cp312-x86_64"], id="only the versions asked for"),
        pytest.param(
            ("2.0", "2.1"),
            published("dep-2.0-cp314-cp314-musllinux_1_2_x86_64.whl"),
            ["dep 2.0 cp312-x86_64", "dep 2.1 cp312-x86_64"],
            id="minus the published",
        ),
    ],
)
def test_cells_to_build_of_an_implied_module(
    versions: tuple[str, ...], wheels: PublishedWheels | None, to_build: list[str]
) -> None:
    the_matrix = matrix(PINNED)
    implied = module_for_plan(the_matrix, IMPLIED_LOCK, "dep")
    assert (implied.name, implied.pythons, implied.archs) == (
        "dep",
        ("3.12", "3.13", "3.14"),
        ("x86_64", "aarch64"),
    )
    assert module_versions(implied, IMPLIED_LOCK) == ("2.0", "2.1")
    result = cells_to_build(implied, IMPLIED_LOCK, wheels, versions)
    assert [f"{c.module} {c.version} {short(c.identifier)}" for c in result.to_build] == to_build
    assert result.skipped == ()


def test_module_versions_of_a_policy_come_from_the_lock() -> None:
    the_module = module('modules: {pkg: "latest:2"}')
    the_lock = lock(locked_module("pkg", {"1.0": [], "1.1": []}, policy="latest:2"))
    assert module_versions(the_module, the_lock) == ("1.0", "1.1")


TWO_MODULES = """
defaults: {python: ["3.14t", "3.13", "3.12"], arch: [x86_64, armv7l]}
modules:
  pkg: ["1.0", "2.0"]
  other:
    versions: "0.5"
    python: ["3.13", "3.9"]
    arch: [aarch64]
"""


@pytest.mark.parametrize(
    ("the_lock", "wheels", "only", "jobs"),
    [
        pytest.param(
            None,
            None,
            None,
            [
                "pkg-1.0-x86_64: 3.12 3.13 3.14t",
                "pkg-1.0-armv7l: 3.12 3.13 3.14t",
                "pkg-2.0-x86_64: 3.12 3.13 3.14t",
                "pkg-2.0-armv7l: 3.12 3.13 3.14t",
                "other-0.5-aarch64: 3.9 3.13",
            ],
            id="one job per module × version × arch, Pythons sorted",
        ),
        pytest.param(
            None,
            published(
                "pkg-2.0-cp313-cp313-musllinux_1_2_armv7l.whl",
                "other-0.5-cp39-cp39-musllinux_1_2_aarch64.whl",
            ),
            None,
            [
                "pkg-1.0-x86_64: 3.12 3.13 3.14t",
                "pkg-1.0-armv7l: 3.12 3.13 3.14t",
                "pkg-2.0-x86_64: 3.12 3.13 3.14t",
                "pkg-2.0-armv7l: 3.12 3.14t",
                "other-0.5-aarch64: 3.13",
            ],
            id="published cells leave their job",
        ),
        pytest.param(
            None,
            published("other-0.5-cp313-abi3-musllinux_1_1_aarch64.whl"),
            ["Other"],
            ["other-0.5-aarch64: 3.9"],
            id="only one module, any spelling; an abi3 wheel serves Pythons from its floor",
        ),
    ],
)
def test_make_plan_groups_jobs(
    the_lock: Lock | None, wheels: PublishedWheels | None, only: list[str] | None, jobs: list[str]
) -> None:
    plan = make_plan(matrix(TWO_MODULES), the_lock, wheels, only)
    assert [f"{job.id}: {' '.join(job.pythons)}" for job in plan.jobs] == jobs
    assert plan.deferred == ()
    for job in plan.jobs:
        assert job.env["CIBW_BUILD"] == " ".join(identifiers(job.pythons, job.arch))
        assert job.env["CIBW_ARCHS_LINUX"] == job.arch


def test_make_plan_includes_implied_modules_after_the_matrix() -> None:
    plan = make_plan(matrix(PINNED), IMPLIED_LOCK, None)
    assert [f"{job.id}: {' '.join(job.pythons)}" for job in plan.jobs] == [
        "dep-2.0-x86_64: 3.12 3.14",
        "dep-2.1-x86_64: 3.12",
    ]
    assert make_plan(matrix(PINNED), IMPLIED_LOCK, None, ["pkg"]).jobs == plan.jobs


def test_cells_to_build_matches_a_pin_to_the_locked_spelling_of_its_version() -> None:
    the_module = module('defaults: {python: ["3.12"], arch: [x86_64]}\nmodules: {pkg: "1.0"}')
    skipped_by_lock = locked(
        "cp312-x86_64", Status.SKIP, version="1.0.0", reason="requires-python >=3.13"
    )
    the_lock = lock(locked_module("pkg", {"1.0.0": [skipped_by_lock]}, policy="1.0"))
    result = cells_to_build(the_module, the_lock, None, module_versions(the_module, the_lock))
    assert result.to_build == ()
    assert [s.reason for s in result.skipped] == ["requires-python >=3.13"]
