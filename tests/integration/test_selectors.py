"""Each planned job makes the REAL cibuildwheel select exactly its identifiers.

`cibuildwheel --print-build-identifiers` needs no Docker: it applies the job's
CIBW_* env and argv (the same `generator.plan.cibuildwheel.command` the build verb runs) to a
tiny sdist whose own config tries to select something else.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.cli import run_generator
from support.pypi_server import running_index
from support.tiny_sdist import make_tiny_sdist

from generator.commands.common import checkout_plan
from generator.core.platforms import ARCHS, PYTHONS
from generator.matrix.load import load_matrix
from generator.plan import cibuildwheel as cibw
from generator.plan.jobs import Job

SYNTHETIC = f"""
defaults:
  python: {list(PYTHONS)}
  arch: {list(ARCHS)}
modules:
  alpha: ["1.0", "2.0"]
  beta:
    versions: "3.1"
    python: ["3.9", "3.14t"]
    exclude:
      - {{arch: [i686, riscv64], reason: test}}
      - {{python: "3.9", arch: s390x, reason: test}}
"""


def printed_identifiers(
    job: Job, sdist: Path, tmp_path: Path, *, neutral_config: bool = True
) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")} | job.env
    argv = [*cibw.command(sdist, tmp_path / "out"), "--print-build-identifiers"]
    if not neutral_config:
        at = argv.index("--config-file")
        del argv[at : at + 2]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def assert_every_job_selects_exactly_its_identifiers(jobs: list[Job], tmp_path: Path) -> None:
    sdist = make_tiny_sdist(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        printed = list(pool.map(lambda job: printed_identifiers(job, sdist, tmp_path), jobs))
    for job, identifiers in zip(jobs, printed, strict=True):
        assert identifiers == list(job.identifiers), job.id
        assert all("-musllinux_" in i and i.endswith(f"_{job.arch}") for i in identifiers)


def jobs_from_plan_json(matrix: Path) -> list[Job]:
    """The jobs exactly as `python -m generator plan --json` prints them."""
    done = run_generator("plan", "--json", "--matrix", str(matrix))
    assert done.returncode == 0, done.stderr
    jobs = []
    for entry in json.loads(done.stdout)["jobs"]:
        job = Job(
            entry["module"], entry["version"], entry["arch"], tuple(entry["python"]), entry["env"]
        )
        assert list(job.identifiers) == entry["identifiers"]
        jobs.append(job)
    return jobs


def test_committed_matrix_jobs_select_exactly_their_identifiers(
    tmp_path: Path, checkout: Path
) -> None:
    jobs = jobs_from_plan_json(checkout / "matrix.yml")
    assert jobs
    assert_every_job_selects_exactly_its_identifiers(jobs, tmp_path)


def test_synthetic_all_archs_matrix_selects_exactly(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(SYNTHETIC)
    jobs = jobs_from_plan_json(tmp_path / "matrix.yml")
    assert {job.arch for job in jobs} == set(ARCHS)
    beta = {job.arch: job.pythons for job in jobs if job.module == "beta"}
    assert "i686" not in beta and "riscv64" not in beta
    assert beta["s390x"] == ("3.14t",) and beta["x86_64"] == ("3.9", "3.14t")
    assert_every_job_selects_exactly_its_identifiers(jobs, tmp_path)


@pytest.mark.parametrize(
    ("dropped_env", "neutral_config"),
    [(("CIBW_BUILD",), True), (("CIBW_SKIP",), False)],
    ids=["without CIBW_BUILD", "without CIBW_SKIP and --config-file"],
)
def test_the_check_can_fail(
    tmp_path: Path, checkout: Path, dropped_env: tuple[str, ...], neutral_config: bool
) -> None:
    """Without the neutralising options the selection changes, and the check sees it."""
    job = checkout_plan(load_matrix(checkout / "matrix.yml")).jobs[0]
    env = {k: v for k, v in job.env.items() if k not in dropped_env}
    damaged = Job(job.module, job.version, job.arch, job.pythons, env)
    printed = printed_identifiers(
        damaged, make_tiny_sdist(tmp_path), tmp_path, neutral_config=neutral_config
    )
    assert printed != list(job.identifiers)


def test_lock_based_plan_with_abi3_and_implied_cells_selects_exactly(tmp_path: Path) -> None:
    """A plan from the lock: abi3 jobs name one builder per arch, implied cffi has its own job."""
    matrix = (
        'defaults:\n  python: ["3.9", "3.12", "3.14", "3.14t"]\n'
        "  arch: [x86_64, aarch64, riscv64, s390x]\n"
        'modules:\n  bcrypt: ">=4.1,<4.2"\n  argon2-cffi-bindings: latest\n  pyyaml: latest\n'
    )
    with running_index("html-only") as index:
        (tmp_path / "matrix.yml").write_text(f"index-url: {index.index_url}\n{matrix}")
        done = run_generator("update", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 0, done.stderr
    jobs = jobs_from_plan_json(tmp_path / "matrix.yml")
    by_id = {job.id: job for job in jobs}
    assert by_id["bcrypt-4.1.1-s390x"].pythons == ("3.9", "3.14t")  # abi3 builder + 3.14t
    assert any(job.module == "cffi" for job in jobs)  # implied by argon2-cffi-bindings
    assert_every_job_selects_exactly_its_identifiers(jobs, tmp_path)
