"""`build`: run cibuildwheel for one planned job (`--plan/--job`, as the workflow does) or
for one module version (`--module/--version`, locally)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
from pathlib import Path

from generator.build.run import (
    BuildRun,
    container_engine,
    job_from_plan,
    run_job,
    select_jobs,
    with_image,
)
from generator.build.sdist import fetch_sdist, sdist_in
from generator.commands.common import (
    Subparsers,
    add_matrix_argument,
    add_plan_job_arguments,
    path_arg,
    planned_job,
)
from generator.errors import Failure
from generator.fileio import path_under, write_atomically
from generator.lock.model import load_lock
from generator.matrix.load import LoadedMatrix, load_matrix
from generator.plan import cibuildwheel as cibw
from generator.plan.jobs import Job
from generator.plan.results import JobResult, Outcome, run_log_url
from generator.pypi.client import PyPIClient


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "build", help="build (and import-test) the wheels of one job or module version"
    )
    add_matrix_argument(parser)
    add_plan_job_arguments(parser)
    parser.add_argument("--module", help="with --version: plan this module's job(s) here")
    parser.add_argument("--version")
    parser.add_argument(
        "--arch", action="append", default=[], help="only these archs (default: the matrix's)"
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="only these Pythons, repeatable or space separated (default: the matrix's)",
    )
    parser.add_argument(
        "--image",
        metavar="REF",
        help="build in this image instead of the planned one (matrix.yml `images:`, else "
        "cibuildwheel's musllinux_1_2), e.g. a mirror or a local stand-in",
    )
    parser.add_argument(
        "--container-engine",
        metavar="CONFIG",
        help="cibuildwheel's engine setting, e.g. 'podman; create_args: --ulimit nofile=20000' "
        "(default: $CIBW_CONTAINER_ENGINE, else docker or podman, whichever answers)",
    )
    parser.add_argument("--sdist-dir", type=path_arg, default=Path("sdist"))
    parser.add_argument(
        "--output-dir",
        type=path_arg,
        default=Path("wheelhouse"),
        metavar="DIR",
        help="the wheels, and result-<job id>.json for each job (built or failed, for publish)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print each job's argv and env as JSON; run nothing"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    jobs = [with_image(job, args.image) for job in _jobs(args, matrix)]
    module, version = jobs[0].module, jobs[0].version
    sdist = sdist_in(args.sdist_dir, module, version)
    if args.dry_run:
        package = sdist or args.sdist_dir / f"{module}-{version}.tar.gz"
        for job in jobs:
            argv = cibw.command(package, args.output_dir)
            print(json.dumps({"id": job.id, "argv": shlex.join(argv), "env": job.env}))
        return 0
    engine = container_engine(args.container_engine)
    if sdist is None:
        lock = load_lock(matrix)
        locked = lock.sdist(module, version) if lock else None
        with PyPIClient(matrix.model.index_url) as client:
            sdist = fetch_sdist(
                client, module, version, args.sdist_dir, locked.sha256 if locked else None
            )
    failed = []
    for job in jobs:
        print(f"== {job.id}: {' '.join(job.identifiers)} ({engine})", flush=True)
        done = run_job(job, sdist, args.output_dir, engine)
        result_path = path_under(args.output_dir, f"result-{job.id}.json")
        write_atomically(result_path, _result(job, done).text())
        if done.exit_code != 0:
            failed.append(f"{job.id} (exit {done.exit_code})")
    if failed:
        raise Failure(f"cibuildwheel failed for {', '.join(failed)}: see its log above")
    return 0


def _result(job: Job, done: BuildRun) -> JobResult:
    outcome = Outcome.BUILT if done.exit_code == 0 else Outcome.FAILED
    reason = "" if outcome is Outcome.BUILT else _reason(done)
    return JobResult(
        job.id, job.cells, outcome, done.exit_code, run_log_url(dict(os.environ)), reason
    )


def _reason(done: BuildRun) -> str:
    """One line that says why: cibuildwheel's last error line, else its exit code."""
    lines = done.tail.splitlines()
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or [f"cibuildwheel exited {done.exit_code}"])[-1].strip()[:300]


def _jobs(args: argparse.Namespace, matrix: LoadedMatrix) -> list[Job]:
    archs = [a for value in args.arch for a in value.split()]
    pythons = [p for value in args.python for p in value.split()]
    planned = planned_job(args, narrowed=bool(archs or pythons))
    if planned is not None:
        return [job_from_plan(planned[0], args.job, matrix.root)]
    return select_jobs(matrix, load_lock(matrix), args.module, args.version, archs, pythons)
