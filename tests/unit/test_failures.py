"""Failed cells: the back-off, what a run's results do to the record, and the plan honouring it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.core.cells import Status
from generator.errors import UserError
from generator.lock.failures import Failures, backoff, failures_from_json
from generator.plan.jobs import job_fingerprint, make_plan
from unit.builders import cell, lock, locked, locked_module, matrix

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WHERE = Path("matrix.failures.json")
PIN = 'defaults: {python: ["3.12"], arch: [x86_64]}\nmodules: {pkg: "1.0"}'


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        pytest.param(1, timedelta(hours=6), id="first failure: 6 h"),
        pytest.param(2, timedelta(hours=12), id="doubles"),
        pytest.param(4, timedelta(hours=48), id="4th: 2 days"),
        pytest.param(6, timedelta(days=7), id="capped at a week"),
        pytest.param(60, timedelta(days=7), id="still capped"),
    ],
)
def test_backoff_grows_and_is_bounded(attempts: int, wait: timedelta) -> None:
    assert backoff(attempts) == wait


def test_attempts_count_only_while_the_inputs_stay_the_same() -> None:
    one = Failures().updated([(cell("cp312-x86_64"), "boom", "log", "A")], [], NOW)
    two = one.updated([(cell("cp312-x86_64"), "boom", "log", "A")], [], NOW)
    changed = two.updated([(cell("cp312-x86_64"), "other", "log2", "B")], [], NOW)
    counts = [failure.attempts for book in (one, two, changed) for failure in book.cells.values()]
    assert counts == [1, 2, 1]
    built = two.updated([], [cell("cp312-x86_64")], NOW)
    assert built.cells == {}


def test_versions_spelled_differently_are_one_cell() -> None:
    failures = Failures().updated([(cell("cp312-x86_64", version="1.0"), "x", "", "A")], [], NOW)
    assert failures.get(cell("cp312-x86_64", version="1.0.0")) is not None
    assert failures.updated([], [cell("cp312-x86_64", version="1.0.0")], NOW).cells == {}


@pytest.mark.parametrize(
    ("fingerprint", "later", "waits"),
    [
        pytest.param("A", timedelta(hours=1), True, id="within the back-off: waits"),
        pytest.param("A", timedelta(hours=7), False, id="back-off over: due"),
        pytest.param("B", timedelta(hours=1), False, id="inputs changed: due at once"),
    ],
)
def test_waiting(fingerprint: str, later: timedelta, waits: bool) -> None:
    failures = Failures().updated([(cell("cp312-x86_64"), "boom", "", "A")], [], NOW)
    assert (failures.waiting(cell("cp312-x86_64"), fingerprint, NOW + later) is not None) == waits


def test_the_plan_skips_a_failed_job_until_its_backoff_is_over() -> None:
    the_matrix = matrix(PIN)
    the_lock = lock(locked_module("pkg", {"1.0": [locked("cp312-x86_64", Status.BUILD)]}))
    (job,) = make_plan(the_matrix, the_lock, None).jobs
    print_ = job_fingerprint(job, the_lock, the_matrix.root)
    failures = Failures().updated(
        [(cell("cp312-x86_64"), "gcc: error", "https://l", print_)], [], NOW
    )
    held = make_plan(the_matrix, the_lock, None, failures=failures, now=NOW + timedelta(hours=1))
    assert held.jobs == ()
    (skip,) = held.skipped
    assert skip.cell == cell("cp312-x86_64")
    assert skip.reason == "build failed 1× (gcc: error); next try after 2026-12-01 18:00 UTC"
    due = make_plan(the_matrix, the_lock, None, failures=failures, now=NOW + timedelta(hours=6))
    assert due.jobs == (job,)
    other = Failures().updated([(cell("cp312-x86_64"), "x", "", "old inputs")], [], NOW)
    assert make_plan(the_matrix, the_lock, None, failures=other, now=NOW).jobs == (job,)


def test_the_file_round_trips() -> None:
    failures = Failures().updated([(cell("cp314t-aarch64"), "why", "https://log", "F")], [], NOW)
    data = failures.to_json()
    assert data["modules"] == {
        "pkg": {
            "1.0": {
                "cp314t-musllinux_aarch64": {
                    "reason": "why",
                    "log": "https://log",
                    "attempts": 1,
                    "last": "2026-12-01T12:00:00Z",
                    "fingerprint": "F",
                }
            }
        }
    }
    assert failures_from_json(data, WHERE) == failures


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"format": 1, "modules": []}, "modules: Input should be a valid dict", id="type"
        ),
        pytest.param(
            {"format": 1, "modules": {"pkg": {"1.0": {"cp3-x": {}}}}},
            "pkg.1.0.cp3-x.reason",
            id="field",
        ),
    ],
)
def test_a_broken_file_is_a_located_error(data: object, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        failures_from_json(data, WHERE)
