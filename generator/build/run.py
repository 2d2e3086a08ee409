"""Run one build job: exactly the job the plan wrote, or (locally) one planned from the
matrix and lock for a module version.

A contributor runs it on a workstation with docker or podman; the workflow runs it on
GitHub's runners with `--plan plan.json --job ID`. Both end in generator.plan.cibuildwheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.version import InvalidVersion, Version

from generator.errors import UserError
from generator.lock.model import Lock
from generator.matrix.expand import expand
from generator.matrix.load import LoadedMatrix
from generator.plan import cibuildwheel as cibw
from generator.plan.jobs import Job, Plan, jobs_for
from generator.plan.select import cells_to_build, module_for_plan, module_versions

ENGINES = ("docker", "podman")
BUILD_TIMEOUT = 6 * 3600  # seconds: a GitHub-hosted job's own limit
TAIL_LINES = 12  # of cibuildwheel's output, kept as a failed build's reason


def job_from_plan(plan: Plan, job_id: str, checkout: Path) -> Job:
    """The plan's job, its hook paths moved to `checkout` when the plan was made in another
    one (the hooks are reached through the container's /host mount of this runner)."""
    job = plan.job(job_id)
    old = f"{cibw.HOST_MOUNT}{plan.root}/"
    new = f"{cibw.HOST_MOUNT}{checkout.resolve()}/"
    if old == new:
        return job
    return replace(job, env={name: value.replace(old, new) for name, value in job.env.items()})


def select_jobs(
    matrix: LoadedMatrix,
    lock: Lock | None,
    module_name: str,
    version: str,
    archs: Sequence[str] = (),
    pythons: Sequence[str] = (),
) -> list[Job]:
    """The planned jobs of `module_name` `version`, narrowed to `archs` and `pythons`.

    Versions come from matrix.yml's pins or the lock (policies, implied modules). Without
    filters, a module with a lock entry gets the cells the plan would build, wheels/ aside.
    """
    module = module_for_plan(matrix, lock, module_name)
    planned = module_versions(module, lock)
    try:
        requested = Version(version)
    except InvalidVersion:
        raise UserError(
            f"'{version}' is not a valid version — give it as on PyPI, "
            f"e.g. {planned[0] if planned else '1.0.0'}"
        ) from None
    if not any(Version(v) == requested for v in planned):
        raise UserError(
            f"{module.name} {version} is not in the matrix or its lock (they ask for "
            f"{', '.join(planned)}) — add it to matrix.yml, or run `python -m generator update`"
        )
    exact = next(v for v in planned if Version(v) == requested)
    if lock is not None and lock.module(module.name) is not None:
        cells = list(cells_to_build(module, lock, None, (exact,)).to_build)
        skipped = expand(module, [exact])[1]
    else:
        cells, skipped = expand(module, [exact])
    for wanted, known, kind in ((archs, module.archs, "arch"), (pythons, module.pythons, "python")):
        unknown = [value for value in wanted if value not in known]
        if unknown:
            raise UserError(
                f"{module.name}: {kind} {', '.join(unknown)} is not in the matrix "
                f"(it has {', '.join(known)}) — add it to matrix.yml first"
            )
    chosen = [
        c for c in cells if (not archs or c.arch in archs) and (not pythons or c.python in pythons)
    ]
    if not chosen:
        reasons = sorted({s.reason for s in skipped})
        raise UserError(
            f"nothing to build for {module.name} {version} with these filters"
            + (f" ({'; '.join(reasons)})" if reasons else "")
        )
    return jobs_for(module, chosen, matrix.root, matrix.model.images)


def container_engine(wanted: str | None = None) -> str:
    """cibuildwheel's CIBW_CONTAINER_ENGINE value: `wanted` (or the environment's) as given,
    options included (`podman; create_args: --ulimit nofile=20000`), once its engine
    answers; with none given, docker or podman, whichever answers."""
    given = wanted or os.environ.get("CIBW_CONTAINER_ENGINE", "")
    name = given.split(";")[0].strip()
    if given and name not in ENGINES:
        raise UserError(
            f"container engine {name!r} is not one cibuildwheel runs — use docker or podman, "
            "optionally with options: 'podman; create_args: ...'"
        )
    candidates = [name] if given else list(ENGINES)
    problems = []
    for engine in candidates:
        if shutil.which(engine) is None:
            problems.append(f"{engine}: not installed")
            continue
        answer = _engine_answers(engine)
        if answer is None:
            return given or engine
        problems.append(f"{engine}: {answer}")
    raise UserError(
        "cibuildwheel builds musllinux wheels in a container, and no container engine is "
        f"usable here ({'; '.join(problems)}) — install and start docker or podman"
    )


def _engine_answers(engine: str) -> str | None:
    """None when the engine's daemon/runtime responds, else why not."""
    try:
        done = subprocess.run(
            [engine, "info"], capture_output=True, text=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        return "`info` did not answer within 20 s"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["`info` failed"])[-1]
    return None


def with_image(job: Job, image: str | None) -> Job:
    """The job built in `image` instead of the planned build image (`build --image`)."""
    if image is None:
        return job
    return replace(job, env={**job.env, cibw.image_variable(job.arch): image})


def build_environment(job: Job, engine: str) -> dict[str, str]:
    """This process's environment without stray CIBW_* settings, plus the job's; `engine`
    is the whole CIBW_CONTAINER_ENGINE value (engine and its options)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    env.update(job.env)
    env["CIBW_CONTAINER_ENGINE"] = engine
    return env


@dataclass(frozen=True)
class BuildRun:
    exit_code: int
    tail: str  # the last lines cibuildwheel printed: why a build failed


def run_job(job: Job, sdist: Path, output_dir: Path, engine: str) -> BuildRun:
    """Run cibuildwheel for the job, its output shown as it comes and its end kept."""
    argv = cibw.command(sdist, output_dir)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with subprocess.Popen(
        argv,
        env=build_environment(job, engine),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        timer = threading.Timer(BUILD_TIMEOUT, process.kill)
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                tail.append(line.rstrip())
        finally:
            timer.cancel()
        code = process.wait()
    if not timer.is_alive() and code < 0 and not tail:
        tail.append(f"killed after {BUILD_TIMEOUT} s")
    return BuildRun(code, "\n".join(line for line in tail if line.strip()))
