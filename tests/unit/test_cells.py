"""generator.core.cells: what each status means, and the abi3 case the review found.

An abi3 cell that is not its group's builder is `made_here` (this repository's build makes
its wheel) but does not `needs_job` (the builder's job makes it): the catalog counts it as
built once the wheel is published, the build-cell count leaves it out.
"""

from __future__ import annotations

import pytest

from generator.core.cells import Cell, Served, Status, needs_job, served_as
from generator.core.wheels import PublishedWheels
from generator.lock.diff import build_cells
from generator.publish.selection import export
from unit.builders import cell, lock, locked, locked_module, published


@pytest.mark.parametrize(
    ("status", "made_here", "fetched", "served"),
    [
        pytest.param(Status.BUILD, True, False, True, id="build"),
        pytest.param(Status.ABI3, True, False, True, id="abi3"),
        pytest.param(Status.UPSTREAM, False, True, True, id="upstream"),
        pytest.param(Status.PURE, False, True, True, id="pure"),
        pytest.param(Status.SKIP, False, False, False, id="skip"),
    ],
)
def test_status_properties(status: Status, made_here: bool, fetched: bool, served: bool) -> None:
    assert (status.made_here, status.fetched, status.served) == (made_here, fetched, served)


@pytest.mark.parametrize(
    ("status", "built_by", "expected"),
    [
        pytest.param(Status.BUILD, None, True, id="build"),
        pytest.param(Status.ABI3, "cp311-musllinux_x86_64", True, id="abi3 builder"),
        pytest.param(Status.ABI3, "cp310-musllinux_x86_64", False, id="abi3 not the builder"),
        pytest.param(Status.ABI3, "cp311-musllinux_aarch64", False, id="abi3 other arch's builder"),
        pytest.param(Status.UPSTREAM, None, False, id="upstream"),
        pytest.param(Status.PURE, None, False, id="pure"),
        pytest.param(Status.SKIP, None, False, id="skip"),
    ],
)
def test_needs_job(status: Status, built_by: str | None, expected: bool) -> None:
    assert needs_job(status, "cp311-musllinux_x86_64", built_by) is expected


@pytest.mark.parametrize(
    ("status", "published", "expected"),
    [
        pytest.param(Status.BUILD, True, Served.BUILT, id="build, published"),
        pytest.param(Status.BUILD, False, Served.MISSING, id="build, not yet"),
        pytest.param(Status.ABI3, True, Served.BUILT, id="abi3, published"),
        pytest.param(Status.ABI3, False, Served.MISSING, id="abi3, not yet"),
        pytest.param(Status.UPSTREAM, False, Served.UPSTREAM, id="upstream"),
        pytest.param(Status.PURE, True, Served.PURE, id="pure"),
        pytest.param(Status.SKIP, True, None, id="skip: not in the catalog"),
    ],
)
def test_served_as(status: Status, published: bool, expected: Served | None) -> None:
    assert served_as(status, published) == expected


# pkg 1.0 on x86_64: one abi3 group (3.11 builds, 3.12 and 3.13 ride along), one build cell.
BUILDER = locked("cp311-x86_64", Status.ABI3, built_by="cp311-x86_64")
RIDER = locked("cp312-x86_64", Status.ABI3, built_by="cp311-x86_64")
RIDER_313 = locked("cp313-x86_64", Status.ABI3, built_by="cp311-x86_64")
FREE_THREADED = locked("cp314t-x86_64", Status.BUILD)
ABI3_LOCK = lock(locked_module("pkg", {"1.0": [BUILDER, RIDER, RIDER_313, FREE_THREADED]}))
ABI3_WHEEL = "pkg-1.0-cp311-abi3-musllinux_1_2_x86_64.whl"
FREE_THREADED_WHEEL = "pkg-1.0-cp314-cp314t-musllinux_1_2_x86_64.whl"


def test_abi3_rider_is_made_here_but_needs_no_job() -> None:
    assert RIDER.status.made_here
    assert not RIDER.needs_job
    assert RIDER.builder == BUILDER.cell
    assert BUILDER.needs_job


def test_build_cells_leave_abi3_riders_out() -> None:
    assert build_cells(ABI3_LOCK) == {BUILDER.cell, FREE_THREADED.cell}


@pytest.mark.parametrize(
    ("wheels", "planned", "catalog", "verified"),
    [
        pytest.param(
            published(),
            None,
            {"cp311": "missing", "cp312": "missing", "cp313": "missing", "cp314t": "missing"},
            [],
            id="nothing published, no plan",
        ),
        pytest.param(
            published(ABI3_WHEEL),
            None,
            {"cp311": "built", "cp312": "built", "cp313": "built", "cp314t": "missing"},
            ["cp311", "cp312", "cp313"],
            id="the abi3 wheel published: riders count as built",
        ),
        pytest.param(
            published(ABI3_WHEEL, FREE_THREADED_WHEEL),
            None,
            {"cp311": "built", "cp312": "built", "cp313": "built", "cp314t": "built"},
            ["cp311", "cp312", "cp313", "cp314t"],
            id="everything published",
        ),
        pytest.param(
            published(),
            {BUILDER.cell},
            {"cp311": "built", "cp312": "built", "cp313": "built", "cp314t": "missing"},
            ["cp311", "cp312", "cp313"],
            id="this run builds the builder: riders count as built",
        ),
        pytest.param(
            published(ABI3_WHEEL),
            {FREE_THREADED.cell},
            {"cp311": "built", "cp312": "built", "cp313": "built", "cp314t": "built"},
            ["cp314t"],
            id="with a plan, only this run's builds are verified",
        ),
        pytest.param(
            published(),
            set(),
            {"cp311": "missing", "cp312": "missing", "cp313": "missing", "cp314t": "missing"},
            [],
            id="an empty plan builds nothing",
        ),
    ],
)
def test_export_counts_abi3_riders(
    wheels: PublishedWheels,
    planned: set[Cell] | None,
    catalog: dict[str, str],
    verified: list[str],
) -> None:
    result = export(ABI3_LOCK, wheels, planned)
    assert {r.cell.identifier.split("-")[0]: str(r.status) for r in result.catalog} == catalog
    assert [c.identifier.split("-")[0] for c in result.cells] == verified
    assert result.fetch == []


def test_export_catalog_leaves_skips_out_and_fetches_upstream() -> None:
    wheel = "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    the_lock = lock(
        locked_module(
            "pkg",
            {
                "1.0": [
                    locked("cp312-x86_64", Status.UPSTREAM, wheel=wheel),
                    locked("cp313-x86_64", Status.SKIP, reason="requires-python <3.13"),
                ]
            },
        )
    )
    result = export(the_lock, published(), None)
    assert [(str(r.cell), str(r.status)) for r in result.catalog] == [
        ("pkg==1.0 (python 3.12, x86_64)", "upstream")
    ]
    assert [f.filename for f in result.fetch] == [wheel]
    assert result.cells == [cell("cp312-x86_64")]


def test_export_counts_a_planned_build_whose_pin_is_spelled_shorter() -> None:
    built = locked("cp312-x86_64", Status.BUILD, version="1.0.0")
    the_lock = lock(locked_module("pkg", {"1.0.0": [built]}, policy="1.0"))
    planned = {cell("cp312-x86_64", version="1.0")}  # what make_plan writes for the pin "1.0"
    result = export(the_lock, published(), planned)
    assert [str(r.status) for r in result.catalog] == ["built"]
    assert result.cells == [built.cell]


@pytest.mark.parametrize(
    ("status", "published", "expected"),
    [
        (Status.BUILD, False, Served.FAILED),
        (Status.ABI3, False, Served.FAILED),
        (Status.BUILD, True, Served.BUILT),  # a later run built it: no longer failed
        (Status.UPSTREAM, False, Served.UPSTREAM),
        (Status.SKIP, False, None),
    ],
)
def test_served_as_a_failed_build(status: Status, published: bool, expected: Served | None) -> None:
    assert served_as(status, published, failed=True) == expected


def test_export_a_fallback_cell_that_an_old_lock_had_as_pure() -> None:
    # An earlier run fetched the pure fallback into wheels/; the new lock builds the cell:
    # the fallback is neither its build (catalog: missing) nor fetched for it any more.
    the_lock = lock(locked_module("pkg", {"1.0": [locked("cp312-i686", Status.BUILD)]}))
    result = export(the_lock, published("pkg-1.0-py3-none-any.whl"), None)
    assert [str(r.status) for r in result.catalog] == ["missing"]
    assert result.cells == [] and result.fetch == []
