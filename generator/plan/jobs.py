"""Group cells into build jobs: one job per module × version × arch, all its Pythons.

One job per arch keeps one container (and one `before-all`) for all Pythons;
GitHub allows 256 jobs per matrix, so jobs are cut into shards of that size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator.core.platforms import ARCHS, python_sort_key
from generator.lock.model import Lock, load_lock
from generator.matrix.expand import Cell, SkippedCell
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ResolvedModule
from generator.plan import cibuildwheel as cibw
from generator.plan.select import (
    cells_to_build,
    module_versions,
    plan_module_names,
    resolve_module,
)

JOBS_PER_SHARD = 256  # GitHub's limit for one matrix
WHEELS_DIR = "wheels"  # beside matrix.yml: wheels/<module>/<wheel>, published by this repo
SHARDS = 4  # build jobs rendered per workflow; jobs beyond SHARDS × 256 wait for the next run


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
        """What the workflow matrix carries: enough to call `generator build`."""
        return {
            "id": self.id,
            "module": self.module,
            "version": self.version,
            "arch": self.arch,
            "python": " ".join(self.pythons),
            "runner": self.runner,
            "qemu-platform": ARCHS[self.arch].qemu_platform,
        }


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    deferred: tuple[Job, ...]  # over SHARDS × JOBS_PER_SHARD: built by the next run
    skipped: tuple[SkippedCell, ...]

    def shards(self) -> list[list[Job]]:
        return [
            list(self.jobs[start : start + JOBS_PER_SHARD])
            for start in range(0, len(self.jobs), JOBS_PER_SHARD)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [job.to_json() for job in self.jobs],
            "deferred": [job.id for job in self.deferred],
            "skipped": [{**_cell_json(s.cell), "reason": s.reason} for s in self.skipped],
        }


def make_plan(
    matrix: LoadedMatrix,
    only_modules: Sequence[str] | None = None,
    repo_root: Path | None = None,
    lock: Lock | Literal["load"] | None = "load",
) -> Plan:
    """Jobs for the cells that need building: with the lock (read beside the matrix unless
    given), only its `build` cells (abi3: one per arch; implied modules too) that have no
    wheel in wheels/ yet; without one, every pinned cell."""
    root = repo_root or matrix.root
    if lock == "load":
        lock = load_lock(matrix)
    jobs: list[Job] = []
    skipped: list[SkippedCell] = []
    selection = None if only_modules is None else list(only_modules)
    names = plan_module_names(matrix, lock, selection)
    for name in names:
        module = resolve_module(matrix, lock, name)
        cells = cells_to_build(module, lock, root / WHEELS_DIR, module_versions(module, lock))
        skipped.extend(cells.skipped)
        jobs.extend(jobs_for(module, cells.to_build, root))
    limit = SHARDS * JOBS_PER_SHARD
    return Plan(tuple(jobs[:limit]), tuple(jobs[limit:]), tuple(skipped))


def jobs_for(module: ResolvedModule, cells: Iterable[Cell], repo_root: Path) -> list[Job]:
    """One job per (version, arch), in the order the cells came."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for cell in cells:
        grouped.setdefault((cell.version, cell.arch), []).append(cell.python)
    jobs = []
    for (version, arch), pythons in grouped.items():
        ordered = tuple(sorted(pythons, key=python_sort_key))
        env = cibw.job_environment(module, ordered, arch, repo_root)
        jobs.append(Job(module.name, version, arch, ordered, env))
    return jobs


def _cell_json(cell: Cell) -> dict[str, str]:
    return {
        "module": cell.module,
        "version": cell.version,
        "python": cell.python,
        "arch": cell.arch,
    }
