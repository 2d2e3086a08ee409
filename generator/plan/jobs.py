"""Group cells into build jobs: one job per module × version × arch, all its Pythons.

One job per arch keeps one container (and one `before-all`) for all Pythons;
GitHub allows 256 jobs per matrix, so jobs are cut into shards of that size.

The plan is the artifact: `plan --output plan.json` writes it, every later job of the run
reads it back with `Plan.from_json` (a build job runs exactly the job the plan wrote).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from generator.core.cells import Cell, CellJson, SkippedCell, is_project_name
from generator.core.platforms import ARCHS, PYTHONS, python_sort_key
from generator.core.versions import is_exact_version
from generator.core.wheels import PublishedWheels
from generator.errors import UserError
from generator.fileio import read_json, validated
from generator.lock.failures import Failures, fingerprint
from generator.lock.model import Lock
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ResolvedModule
from generator.plan import cibuildwheel as cibw
from generator.plan.order import order, with_dependencies
from generator.plan.select import (
    cells_to_build,
    module_for_plan,
    module_versions,
    plan_module_names,
)

JOBS_PER_SHARD = 256  # GitHub's limit for one matrix
SHARDS = 4  # build jobs rendered per workflow; jobs beyond SHARDS × 256 wait for the next run
_FIND_LINKS = re.compile(r' ?PIP_FIND_LINKS=\\?"[^"\\]*\\?"')
PLAN_FIX = "write it again with `python -m generator plan --output plan.json`"


@dataclass(frozen=True)
class Job:
    module: str
    version: str
    arch: str
    pythons: tuple[str, ...]
    env: dict[str, str] = field(compare=False)

    @property
    def id(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", f"{self.module}-{self.version}-{self.arch}")

    @property
    def identifiers(self) -> tuple[str, ...]:
        return cibw.identifiers(self.pythons, self.arch)

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(Cell(self.module, self.version, python, self.arch) for python in self.pythons)

    @property
    def runner(self) -> str:
        return ARCHS[self.arch].runner

    @property
    def qemu(self) -> bool:
        return ARCHS[self.arch].qemu

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "module": self.module,
            "version": self.version,
            "python": list(self.pythons),
            "arch": self.arch,
            "identifiers": list(self.identifiers),
            "runner": self.runner,
            "qemu": self.qemu,
            "env": self.env,
        }

    def matrix_entry(self) -> dict[str, str]:
        """What the workflow matrix carries: the job's id (the build reads the rest from the
        plan) and what the runner must know before the generator runs."""
        return {
            "id": self.id,
            "runner": self.runner,
            "qemu-platform": ARCHS[self.arch].qemu_platform,
        }


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    deferred: tuple[Job, ...]  # over SHARDS × JOBS_PER_SHARD: built by the next run
    skipped: tuple[SkippedCell, ...]
    root: Path  # the checkout the jobs' hook paths point into
    notes: tuple[str, ...] = ()  # for people: why jobs wait for the next run

    def shards(self) -> list[list[Job]]:
        return [
            list(self.jobs[start : start + JOBS_PER_SHARD])
            for start in range(0, len(self.jobs), JOBS_PER_SHARD)
        ]

    def job(self, job_id: str) -> Job:
        found = next((job for job in self.jobs if job.id == job_id), None)
        if found is None:
            known = ", ".join(job.id for job in self.jobs) or "none"
            raise UserError(f"the plan has no job {job_id!r} (it has: {known}) — pass a job id")
        return found

    def planned_cells(self) -> set[Cell]:
        """Every cell this run's jobs build (abi3: the builder cells)."""
        return {cell for job in self.jobs for cell in job.cells}

    def to_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "notes": list(self.notes),
            "jobs": [job.to_json() for job in self.jobs],
            "deferred": [job.to_json() for job in self.deferred],
            "skipped": [{**s.cell.to_json(), "reason": s.reason} for s in self.skipped],
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> Plan:
        """A plan as `to_json` wrote it, checked field by field (a UserError says where)."""
        wire = validated(_PLAN, data, where, "a plan written by `plan --output`", PLAN_FIX)
        jobs = tuple(_job(entry, where) for entry in wire["jobs"])
        deferred = tuple(_job(entry, where) for entry in wire["deferred"])
        try:
            skipped = tuple(SkippedCell(Cell.from_json(s), s["reason"]) for s in wire["skipped"])
        except ValueError as error:
            raise UserError(f"{where}: skipped: {error} — {PLAN_FIX}") from None
        return cls(jobs, deferred, skipped, Path(wire["root"]), tuple(wire["notes"]))


def read_plan(path: Path) -> Plan:
    data = read_json(path, "a plan written by `plan --output`", PLAN_FIX)
    return Plan.from_json(data, str(path))


def make_plan(
    matrix: LoadedMatrix,
    lock: Lock | None,
    published: PublishedWheels | None,
    only_modules: Sequence[str] | None = None,
    failures: Failures | None = None,
    now: datetime | None = None,
    hooks: Mapping[str, str] | None = None,
) -> Plan:
    """Jobs for the cells that need building: with a lock, only the cells it says need a
    job (abi3: one per arch; implied modules too); without one, every pinned cell — in both
    cases minus those whose wheel is already `published` (None: build them all), and minus
    the jobs whose every cell failed before and waits out its back-off (`failures`, `now`)."""
    jobs: list[Job] = []
    skipped: list[SkippedCell] = []
    selection = None if only_modules is None else with_dependencies(lock, only_modules)
    for name in plan_module_names(matrix, lock, selection):
        module = module_for_plan(matrix, lock, name)
        cells = cells_to_build(module, lock, published, module_versions(module, lock))
        skipped.extend(cells.skipped)
        for job in jobs_for(module, cells.to_build, matrix.root, matrix.model.images):
            waits = _waiting(job, lock, matrix.root, failures, now or datetime.now(UTC), hooks)
            if waits is None:
                jobs.append(job)
            else:
                skipped.extend(SkippedCell(cell, waits) for cell in job.cells)
    ordered = order(jobs, lock, published, matrix.root)
    skipped += [SkippedCell(cell, why) for job, why in ordered.blocked for cell in job.cells]
    limit = SHARDS * JOBS_PER_SHARD
    now_jobs = ordered.ready[:limit]
    later = (*ordered.ready[limit:], *(job for job, _why in ordered.deferred))
    notes = tuple(f"{job.id} {why}: the next run builds it" for job, why in ordered.deferred)
    return Plan(tuple(now_jobs), tuple(later), tuple(skipped), matrix.root, notes)


def jobs_for(
    module: ResolvedModule,
    cells: Iterable[Cell],
    repo_root: Path,
    images: Mapping[str, str],
) -> list[Job]:
    """One job per (version, arch), in the order the cells came; `images` by arch."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for cell in cells:
        grouped.setdefault((cell.version, cell.arch), []).append(cell.python)
    jobs = []
    for (version, arch), pythons in grouped.items():
        ordered = tuple(sorted(pythons, key=python_sort_key))
        env = cibw.job_environment(module, ordered, arch, repo_root, images.get(arch))
        jobs.append(Job(module.name, version, arch, ordered, env))
    return jobs


def job_fingerprint(
    job: Job, lock: Lock | None, root: Path, hooks: Mapping[str, str] | None = None
) -> str:
    """What the job builds from: its sdist, its environment wherever the checkout is, and
    the content of the hooks it runs (`hooks`: path → sha256). The find-links of its build
    dependencies are left out: whether those are published is decided before, every run."""
    sdist = lock.sdist(job.module, job.version) if lock else None
    here = f"{cibw.HOST_MOUNT}{root.resolve()}/"
    env = {
        name: _FIND_LINKS.sub("", value).replace(here, f"{cibw.HOST_MOUNT}/<checkout>/")
        for name, value in job.env.items()
    }
    for path, digest in sorted((hooks or {}).items()):
        if any(path in value for value in env.values()):
            env[f"hook:{path}"] = digest
    return fingerprint(env, sdist.sha256 if sdist else "")


def _waiting(
    job: Job,
    lock: Lock | None,
    root: Path,
    failures: Failures | None,
    now: datetime,
    hooks: Mapping[str, str] | None,
) -> str | None:
    """Why the job waits (every cell failed with the same inputs, back-off not over)."""
    if failures is None:
        return None
    print_ = job_fingerprint(job, lock, root, hooks)
    held = [failures.waiting(cell, print_, now) for cell in job.cells]
    if not held or any(failure is None for failure in held):
        return None
    failure = max((f for f in held if f is not None), key=lambda f: f.attempts)
    when = failure.retry_after().strftime("%Y-%m-%d %H:%M UTC")
    return f"build failed {failure.attempts}× ({failure.reason}); next try after {when}"


class _JobWire(TypedDict):
    id: str
    module: str
    version: str
    python: list[str]
    arch: str
    identifiers: list[str]
    runner: str
    qemu: bool
    env: dict[str, str]


class _SkippedWire(CellJson):
    reason: str


class _PlanWire(TypedDict):
    root: str
    notes: list[str]
    jobs: list[_JobWire]
    deferred: list[_JobWire]
    skipped: list[_SkippedWire]


_PLAN = TypeAdapter(_PlanWire)


def _job(entry: _JobWire, where: str) -> Job:
    problem = _job_problem(entry)
    if problem:
        raise UserError(f"{where}: job {entry['id']!r}: {problem} — {PLAN_FIX}")
    return Job(
        entry["module"], entry["version"], entry["arch"], tuple(entry["python"]), entry["env"]
    )


def _job_problem(entry: _JobWire) -> str | None:
    if not is_project_name(entry["module"]):
        return f"module {entry['module']!r} is not a project name"
    if not is_exact_version(entry["version"]):
        return f"version {entry['version']!r} is not a PEP 440 version"
    if entry["arch"] not in ARCHS:
        return f"unknown arch {entry['arch']!r}"
    unknown = [python for python in entry["python"] if python not in PYTHONS]
    if unknown or not entry["python"]:
        return f"unknown Python(s) {unknown or '(none)'}"
    job = Job(entry["module"], entry["version"], entry["arch"], tuple(entry["python"]), {})
    if job.id != entry["id"] or list(job.identifiers) != entry["identifiers"]:
        return "its id or identifiers do not match its module, version, Pythons and arch"
    return None
