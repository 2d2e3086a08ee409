"""generator.plan.jobs.Plan.from_json: the plan is the artifact; its reader says where it broke."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from generator.errors import UserError
from generator.plan.jobs import PLAN_FIX, Plan, make_plan
from unit.builders import matrix

MATRIX = """
defaults: {python: ["3.12", "3.14t"], arch: [x86_64, armv7l]}
modules:
  pkg:
    versions: ["1.0", "2.0"]
    environment: {CFLAGS: "-O2"}
    exclude: [{arch: armv7l, versions: "<2", reason: too old for armv7l}]
"""


def plan() -> Plan:
    return make_plan(matrix(MATRIX), None, None)


def test_the_plan_has_jobs_and_skips() -> None:
    built = plan()
    assert [job.id for job in built.jobs] == ["pkg-1.0-x86_64", "pkg-2.0-x86_64", "pkg-2.0-armv7l"]
    assert len(built.skipped) == 2


def test_round_trip() -> None:
    built = plan()
    read = Plan.from_json(built.to_json(), "plan.json")
    assert read == built
    assert read.to_json() == built.to_json()  # env too, which Job equality leaves out
    assert [job.env for job in read.jobs] == [job.env for job in built.jobs]


def test_round_trip_of_deferred_jobs() -> None:
    built = plan()
    data = built.to_json()
    data["deferred"], data["jobs"] = data["jobs"][1:], data["jobs"][:1]
    read = Plan.from_json(data, "plan.json")
    assert [job.id for job in read.jobs] == ["pkg-1.0-x86_64"]
    assert [job.id for job in read.deferred] == ["pkg-2.0-x86_64", "pkg-2.0-armv7l"]


Edit = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Edit:
    """An edit of the plan's JSON: set the value at a dotted path (list indexes as numbers)."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def _delete(key: str) -> Edit:
    return lambda data: data.pop(key)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            _set("jobs.0.python", "3.12"),
            "plan.json: jobs.0.python: Input should be a valid list",
            id="jobs.0.python: text, not a list",
        ),
        pytest.param(
            _set("jobs.1.python.0", 3.12),
            "plan.json: jobs.1.python.0: Input should be a valid string",
            id="jobs.1.python.0: a number",
        ),
        pytest.param(
            _set("jobs.2.env.CIBW_BUILD", 1),
            "plan.json: jobs.2.env.CIBW_BUILD: Input should be a valid string",
            id="jobs.2.env.CIBW_BUILD: a number",
        ),
        pytest.param(
            _set("jobs.0.qemu", "false"),
            "plan.json: jobs.0.qemu: Input should be a valid boolean",
            id="jobs.0.qemu: text, not a boolean",
        ),
        pytest.param(
            _set("deferred", {}),
            "plan.json: deferred: Input should be a valid list",
            id="deferred: a mapping",
        ),
        pytest.param(
            _set("skipped.1.reason", None),
            "plan.json: skipped.1.reason: Input should be a valid string",
            id="skipped.1.reason: null",
        ),
        pytest.param(_delete("root"), "plan.json: root: Field required", id="root missing"),
    ],
)
def test_wrong_types_are_located(edit: Edit, message: str) -> None:
    data = copy.deepcopy(plan().to_json())
    edit(data)
    with pytest.raises(UserError) as caught:
        Plan.from_json(data, "plan.json")
    assert str(caught.value).startswith(message + " — not a plan written by `plan --output`")
    assert str(caught.value).endswith(PLAN_FIX)


def test_not_a_mapping_is_located() -> None:
    with pytest.raises(UserError, match=r"^plan\.json: the document: "):
        Plan.from_json([], "plan.json")


MISMATCH = "its id or identifiers do not match its module, version, Pythons and arch"


@pytest.mark.parametrize(
    ("edit", "job_id", "problem"),
    [
        pytest.param(_set("jobs.0.id", "pkg-9.9-x86_64"), "pkg-9.9-x86_64", MISMATCH, id="id"),
        pytest.param(_set("jobs.0.version", "1.1"), "pkg-1.0-x86_64", MISMATCH, id="version"),
        pytest.param(_set("jobs.0.arch", "aarch64"), "pkg-1.0-x86_64", MISMATCH, id="arch"),
        pytest.param(
            _set("jobs.0.identifiers", ["cp312-musllinux_x86_64"]),
            "pkg-1.0-x86_64",
            MISMATCH,
            id="identifiers",
        ),
        pytest.param(
            _set("jobs.0.python", ["3.12"]),
            "pkg-1.0-x86_64",
            MISMATCH,
            id="a Python fewer than its identifiers",
        ),
        pytest.param(
            _set("jobs.0.arch", "sparc"), "pkg-1.0-x86_64", "unknown arch 'sparc'", id="arch sparc"
        ),
        pytest.param(
            _set("jobs.0.python", ["2.7"]),
            "pkg-1.0-x86_64",
            "unknown Python(s) ['2.7']",
            id="Python 2.7",
        ),
        pytest.param(
            _set("jobs.0.python", []), "pkg-1.0-x86_64", "unknown Python(s) (none)", id="no Python"
        ),
        pytest.param(
            _set("jobs.0.module", "-ihttp://127.0.0.1:1/simple/?x"),
            "pkg-1.0-x86_64",
            "module '-ihttp://127.0.0.1:1/simple/?x' is not a project name",
            id="a module that reads as a pip option",
        ),
        pytest.param(
            _set("jobs.0.version", "1.0\n --x"),
            "pkg-1.0-x86_64",
            "version '1.0\\n --x' is not a PEP 440 version",
            id="a version with a newline",
        ),
        pytest.param(
            _set("deferred", [{**plan().to_json()["jobs"][0], "id": "x"}]),
            "x",
            MISMATCH,
            id="a deferred job too",
        ),
    ],
)
def test_a_job_that_does_not_match_its_id(edit: Edit, job_id: str, problem: str) -> None:
    data = copy.deepcopy(plan().to_json())
    edit(data)
    expected = f"plan.json: job {job_id!r}: {problem} — {PLAN_FIX}"
    with pytest.raises(UserError, match=f"^{re.escape(expected)}$"):
        Plan.from_json(data, "plan.json")
