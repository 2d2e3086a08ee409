"""Build-time dependencies between matrix modules: ready with find-links, deferred to the
next run, or blocked — never a silent compile of the dependency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from generator.core.cells import Status
from generator.lock.failures import Failures, retries_due
from generator.lock.model import Lock, LockedModule
from generator.plan.jobs import make_plan
from generator.plan.order import with_dependencies
from unit.builders import cell, lock, locked, locked_module, matrix, published

TWO = 'defaults: {python: ["3.12"], arch: [x86_64]}\nmodules: {dep: "1.0", user: "1.0"}'


def needing(requirement: str, source: str = "matrix") -> LockedModule:
    user = locked_module("user", {"1.0": [locked("cp312-x86_64", Status.BUILD, module="user")]})
    version = replace(user.versions[0], build_requires=((requirement, source),))
    return replace(user, versions=(version,))


def dep(status: Status, wheel: str | None = None) -> LockedModule:
    return locked_module(
        "dep", {"1.0": [locked("cp312-x86_64", status, module="dep", wheel=wheel)]}
    )


def test_a_dependency_built_in_this_run_defers_its_user() -> None:
    plan = make_plan(matrix(TWO), lock(dep(Status.BUILD), needing("dep>=1")), None)
    assert [j.id for j in plan.jobs] == ["dep-1.0-x86_64"]
    assert [j.id for j in plan.deferred] == ["user-1.0-x86_64"]
    assert plan.notes == (
        "user-1.0-x86_64 waits for dep 1.0 (cp312-musllinux_x86_64), built in this run: "
        "the next run builds it",
    )


@pytest.mark.parametrize(
    ("the_dep", "wheels"),
    [
        pytest.param(
            dep(Status.BUILD), ("dep-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",), id="published"
        ),
        pytest.param(
            dep(Status.UPSTREAM, "dep-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"), (), id="upstream"
        ),
    ],
)
def test_a_served_dependency_lets_its_user_build_with_find_links(
    the_dep: LockedModule, wheels: tuple[str, ...]
) -> None:
    the_matrix = matrix(TWO)
    plan = make_plan(the_matrix, lock(the_dep, needing("dep")), published(*wheels))
    (job,) = plan.jobs
    assert job.id == "user-1.0-x86_64" and not plan.deferred
    folder = f"/host{the_matrix.root.resolve()}/wheels/dep"
    assert f'PIP_FIND_LINKS="{folder}"' in job.env["CIBW_ENVIRONMENT_LINUX"]


def test_a_dependency_without_any_wheel_blocks_its_user_with_the_reason() -> None:
    skipped_dep = dep(Status.SKIP)
    plan = make_plan(matrix(TWO), lock(skipped_dep, needing("dep")), None)
    assert plan.jobs == () and plan.deferred == ()
    (blocked,) = [s for s in plan.skipped if s.cell.module == "user"]
    assert "no wheel of it serves cp312-musllinux_x86_64" in blocked.reason


def test_a_dependency_whose_line_has_not_the_arch_is_taken_from_the_index() -> None:
    """pynacl's cp315t cells need cffi, whose line leaves x86_64 to PyPI's wheels."""
    other_arch = locked_module(
        "dep", {"1.0": [locked("cp312-aarch64", Status.BUILD, module="dep")]}
    )
    lines = TWO.replace('dep: "1.0"', 'dep: {versions: "1.0", arch: [aarch64]}')
    plan = make_plan(matrix(lines), lock(other_arch, needing("dep")), None)
    assert sorted(j.id for j in plan.jobs) == ["dep-1.0-aarch64", "user-1.0-x86_64"]
    assert not plan.deferred and not [s for s in plan.skipped if s.cell.module == "user"]


def test_index_requirements_change_nothing() -> None:
    plan = make_plan(matrix(TWO), lock(dep(Status.BUILD), needing("dep", "index")), None)
    assert sorted(j.id for j in plan.jobs) == ["dep-1.0-x86_64", "user-1.0-x86_64"]
    assert all("PIP_FIND_LINKS" not in j.env["CIBW_ENVIRONMENT_LINUX"] for j in plan.jobs)


def test_only_takes_the_modules_the_selection_needs_to_build() -> None:
    the_lock = lock(dep(Status.BUILD), needing("dep"))
    assert with_dependencies(the_lock, ["User"]) == ["user", "dep"]
    plan = make_plan(matrix(TWO), the_lock, None, ["user"])
    assert [j.id for j in plan.jobs] == ["dep-1.0-x86_64"]  # not a dispatch loop


def test_retries_due_are_the_modules_whose_backoff_is_over() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    the_lock: Lock = lock(dep(Status.BUILD), needing("dep"))
    failures = Failures().updated([(cell("cp312-x86_64", "dep"), "x", "", "F")], [], now)
    assert retries_due(failures, the_lock, now + timedelta(hours=5)) == []
    assert retries_due(failures, the_lock, now + timedelta(hours=6)) == ["dep"]
    gone = failures.updated([(cell("cp312-x86_64", "old"), "x", "", "F")], [], now)
    assert retries_due(gone, the_lock, now + timedelta(days=9)) == ["dep"]  # not in the lock


def test_only_also_takes_the_modules_that_need_the_selection() -> None:
    """A dispatched dependency (its retry is due) brings the users waiting for it."""
    the_lock = lock(dep(Status.BUILD), needing("dep"))
    assert with_dependencies(the_lock, ["dep"]) == ["dep", "user"]


def test_find_links_and_the_checkout_do_not_change_a_jobs_fingerprint() -> None:
    from generator.plan import cibuildwheel as cibw
    from generator.plan.jobs import job_fingerprint

    the_matrix = matrix(TWO)
    the_lock = lock(dep(Status.BUILD), needing("dep"))
    (job, _) = (
        make_plan(the_matrix, the_lock, None).jobs + make_plan(the_matrix, the_lock, None).deferred
    )
    linked = replace(job, env=cibw.with_find_links(job.env, ["/host/x/wheels/dep"]))
    assert job_fingerprint(linked, the_lock, the_matrix.root) == job_fingerprint(
        job, the_lock, the_matrix.root
    )
    hooks = {"hooks/a.sh": "1"}
    hooked = replace(job, env={**job.env, "CIBW_BEFORE_ALL_LINUX": "sh /host/r/hooks/a.sh"})
    assert job_fingerprint(hooked, the_lock, the_matrix.root, hooks) != job_fingerprint(
        hooked, the_lock, the_matrix.root, {"hooks/a.sh": "2"}
    )  # a hook's content change retries at once


def test_a_build_requirement_whose_marker_does_not_apply_waits_for_nothing() -> None:
    plan = make_plan(
        matrix(TWO), lock(dep(Status.BUILD), needing("dep; python_version >= '3.15'")), None
    )
    assert sorted(j.id for j in plan.jobs) == ["dep-1.0-x86_64", "user-1.0-x86_64"]
    assert plan.deferred == ()
