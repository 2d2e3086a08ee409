"""build: the local verb runs cibuildwheel with exactly the plan's env, and explains
what it cannot do (a checkout copy: never the repository's own lock or wheels/)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.cli import run_generator

from generator.commands.common import checkout_plan
from generator.matrix.load import load_matrix


@pytest.fixture(autouse=True)
def in_checkout(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout)


def build(*args: str, path: str = "/usr/bin:/bin") -> subprocess.CompletedProcess[str]:
    return run_generator("build", *args, cwd=Path.cwd(), path=path)


def test_dry_run_uses_the_plans_env_and_neutral_config() -> None:
    done = build("--module", "cryptography", "--version", "50.0.2", "--dry-run")
    assert done.returncode == 0, done.stderr
    printed = {entry["id"]: entry for entry in map(json.loads, done.stdout.splitlines())}
    planned = {
        j.id: j
        for j in checkout_plan(load_matrix(Path("matrix.yml"))).jobs
        if j.module == "cryptography"
    }
    assert printed.keys() == planned.keys() and len(planned) == 6  # every arch but i686
    for job_id, job in planned.items():
        assert printed[job_id]["env"] == job.env
        assert "--config-file /" in printed[job_id]["argv"]


def test_filters_narrow_the_job() -> None:
    done = build(
        "--module",
        "lxml",
        "--version",
        "6.1.3",
        "--arch",
        "s390x",
        "--python",
        "3.12 3.14",
        "--dry-run",
    )
    entry = json.loads(done.stdout)
    assert entry["env"]["CIBW_BUILD"] == "cp312-musllinux_s390x cp314-musllinux_s390x"


def test_cells_outside_the_matrix_are_refused() -> None:
    cases = {
        ("--version", "1.0"): "lxml 1.0 is not in the matrix",
        ("--version", "foo"): "'foo' is not a valid version",
        ("--version", "6.1.3", "--arch", "aarch64"): "arch aarch64 is not in the matrix",
        ("--version", "6.1.3", "--python", "3.9"): "python 3.9 is not in the matrix",
    }
    for args, message in cases.items():
        done = build("--module", "lxml", *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
    excluded = build(
        "--module", "grpcio", "--version", "1.85.3", "--arch", "armv7l", "--python", "3.11"
    )
    assert excluded.returncode == 2 and "GitHub's 6 h limit" in excluded.stderr


def test_no_container_engine_is_a_clear_error(tmp_path: Path) -> None:
    """PATH holds only python and git: neither docker nor podman can be found."""
    (tmp_path / "bin").mkdir()
    done = build("--module", "lxml", "--version", "6.1.3", path=str(tmp_path / "bin"))
    assert done.returncode == 2
    assert "no container engine is usable here" in done.stderr
    assert "docker: not installed" in done.stderr and "podman: not installed" in done.stderr
    assert "Traceback" not in done.stderr
