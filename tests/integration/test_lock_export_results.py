"""lock-export --results: what the publish job makes of the build jobs' records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from unit.builders import lock, locked, locked_module

from generator import cli
from generator.core.cells import Status
from generator.lock.model import write_lock
from generator.plan.results import JobResult, Outcome
from generator.publish.interchange import read_cells, read_records

MATRIX = 'defaults: {python: ["3.12"], arch: [x86_64, aarch64]}\nmodules: {pkg: "1.0"}\n'


@pytest.fixture
def planned(tmp_path: Path) -> Path:
    """A checkout whose plan has two jobs: pkg on x86_64 and on aarch64."""
    (tmp_path / "matrix.yml").write_text(MATRIX)
    cells = [locked(f"cp312-{arch}", Status.BUILD) for arch in ("x86_64", "aarch64")]
    write_lock(tmp_path / "matrix.lock.json", lock(locked_module("pkg", {"1.0": cells})))
    argv = ["plan", "--matrix", str(tmp_path / "matrix.yml"), "--output"]
    assert cli.main([*argv, str(tmp_path / "plan.json")]) == 0
    return tmp_path


def export(root: Path, results: Path) -> int:
    argv = ["lock-export", "--matrix", str(root / "matrix.yml"), "--plan", str(root / "plan.json")]
    return cli.main([*argv, "--results", str(results), "--output-dir", str(root / "out")])


def record(root: Path, job_id: str, outcome: Outcome) -> None:
    plan = json.loads((root / "plan.json").read_text())
    (job,) = [j for j in plan["jobs"] if j["id"] == job_id]
    from generator.core.cells import Cell

    cells = tuple(Cell(job["module"], job["version"], p, job["arch"]) for p in job["python"])
    result = JobResult(job_id, cells, outcome, 0 if outcome is Outcome.BUILT else 1, "", "boom")
    (root / "results" / job_id).mkdir(parents=True)
    (root / "results" / job_id / f"result-{job_id}.json").write_text(result.text())


def test_a_job_without_a_result_counts_as_failed(planned: Path) -> None:
    """Only x86_64 left a record (built); aarch64's job died before building."""
    record(planned, "pkg-1.0-x86_64", Outcome.BUILT)
    assert export(planned, planned / "results") == 0
    assert [c.arch for c in read_cells(planned / "out" / "cells.json")] == ["x86_64"]
    statuses = {
        r.cell.arch: (r.status, r.reason) for r in read_records(planned / "out" / "catalog.json")
    }
    assert statuses["x86_64"] == ("built", "")
    assert statuses["aarch64"][0] == "failed" and "left no result" in statuses["aarch64"][1]
    failures = json.loads((planned / "out" / "matrix.failures.json").read_text())["modules"]
    assert list(failures["pkg"]["1.0"]) == ["cp312-musllinux_aarch64"]


def test_no_results_at_all_means_every_planned_job_failed(planned: Path) -> None:
    assert export(planned, planned / "missing") == 0
    assert read_cells(planned / "out" / "cells.json") == []


def test_a_result_of_another_plan_is_refused(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(planned, "pkg-1.0-x86_64", Outcome.BUILT)
    text = (planned / "results/pkg-1.0-x86_64/result-pkg-1.0-x86_64.json").read_text()
    other = planned / "results" / "other"
    other.mkdir()
    (other / "result-zzz.json").write_text(text.replace('"pkg-1.0-x86_64"', '"zzz"'))
    assert export(planned, planned / "results") == 2
    assert "does not match this plan's jobs" in capsys.readouterr().err
