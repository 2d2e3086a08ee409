"""What one build job did: the record every build job leaves for the publish job.

`build` writes it (result-<job id>.json in --output-dir) whether cibuildwheel succeeded
or not; the publish job reads
the run's records (`lock-export --results DIR`) so that a failed job costs only its own
cells: the others are published, the failed ones recorded (generator.lock.failures).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from generator.core.cells import Cell, CellJson
from generator.errors import UserError
from generator.fileio import dump_json, read_json, validated

RESULT_GLOB = "result-*.json"
_FIX = "`build` writes it into its --output-dir; re-run the build job"


class Outcome(enum.StrEnum):
    BUILT = "built"
    FAILED = "failed"


@dataclass(frozen=True)
class JobResult:
    job: str  # the plan's job id
    cells: tuple[Cell, ...]
    outcome: Outcome
    exit_code: int  # cibuildwheel's
    log: str  # a link to the job's log ("" when not run in GitHub Actions)
    reason: str  # failed: the last lines of the build's output; built: ""

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "cells": [cell.to_json() for cell in self.cells],
            "outcome": str(self.outcome),
            "exit": self.exit_code,
            "log": self.log,
            "reason": self.reason,
        }

    def text(self) -> str:
        return dump_json(self.to_json())


class _ResultWire(TypedDict):
    job: str
    cells: list[CellJson]
    outcome: Literal["built", "failed"]
    exit: int
    log: str
    reason: str


_RESULT = TypeAdapter(_ResultWire)


def read_result(path: Path) -> JobResult:
    what = "a build result"
    wire = validated(_RESULT, read_json(path, what, _FIX), str(path), what, _FIX)
    try:
        cells = tuple(Cell.from_json(c) for c in wire["cells"])
    except ValueError as error:
        raise UserError(f"{path}: {error} — {_FIX}") from None
    return JobResult(
        wire["job"], cells, Outcome(wire["outcome"]), wire["exit"], wire["log"], wire["reason"]
    )


def read_results(directory: Path) -> list[JobResult]:
    """Every result record below `directory` (one folder per downloaded artifact is usual);
    a missing folder means no build job ran."""
    if not directory.exists():
        return []
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder of build results (result-*.json of `build`)")
    results = [read_result(path) for path in sorted(directory.rglob(RESULT_GLOB))]
    seen: dict[str, JobResult] = {}
    for result in results:
        if seen.setdefault(result.job, result) != result:
            raise UserError(f"{directory}: two different results for job {result.job!r}")
    return list(seen.values())


def run_log_url(environ: dict[str, str]) -> str:
    """The GitHub Actions run's log page, from the runner's own variables ('' elsewhere)."""
    server, repository = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    run, attempt = environ.get("GITHUB_RUN_ID"), environ.get("GITHUB_RUN_ATTEMPT", "1")
    if not (server and repository and run):
        return ""
    return f"{server}/{repository}/actions/runs/{run}/attempts/{attempt}"
