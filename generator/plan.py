"""Group cells into build jobs: one job per module × version × arch, all its Pythons.

One job per arch keeps one container (and one `before-all`) for all Pythons;
GitHub allows 256 jobs per matrix, so jobs are cut into shards of that size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from generator import cibw
from generator.cells import Cell, SkippedCell, expand, pinned_versions
from generator.matrix import LoadedMatrix
from generator.model import ResolvedModule
from generator.platforms import ARCHS, python_sort_key

JOBS_PER_SHARD = 256  # GitHub's limit for one matrix
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
) -> Plan:
    root = repo_root or matrix.root
    modules = _selected(matrix, only_modules)
    jobs: list[Job] = []
    skipped: list[SkippedCell] = []
    for module in modules:
        wanted, excluded = expand(module, pinned_versions(module))
        skipped.extend(excluded)
        jobs.extend(jobs_for(module, wanted, root))
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


def _selected(matrix: LoadedMatrix, only: Sequence[str] | None) -> list[ResolvedModule]:
    if only is None:
        return list(matrix.modules)
    wanted = {canonicalize_name(name) for name in only}
    for name in only:
        matrix.module(name)  # a clear error for a name that is not in the matrix
    return [module for module in matrix.modules if module.name in wanted]


def _cell_json(cell: Cell) -> dict[str, str]:
    return {"module": cell.module, "version": cell.version, "python": cell.python,
            "arch": cell.arch}  # fmt: skip
