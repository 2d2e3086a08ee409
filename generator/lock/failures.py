"""Cells whose build failed: kept beside the lock (`matrix.failures.json`), retried with a
bounded back-off.

The publish job records each failed cell with the reason, a link to the log and the number
of attempts; a cell that builds again leaves the file. The plan skips a recorded cell until
its back-off has passed (6 h after the first failure, doubling, at most a week), or at once
when what it builds from changed: another sdist (a new release is a new cell anyway) or
another job environment (matrix.yml's entry for the module: apk, hooks, environment,
Pythons). The file holds times, so unlike the lock it changes when a failure recurs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from generator.core.cells import Cell
from generator.core.platforms import parse_identifier
from generator.core.versions import release_key
from generator.errors import UserError
from generator.fileio import dump_json, read_json, validated
from generator.lock.model import Lock

FAILURES_NAME = "matrix.failures.json"
FIRST_BACKOFF = timedelta(hours=6)
MAX_BACKOFF = timedelta(days=7)
_FIX = f"delete {FAILURES_NAME} (every failed cell is then retried) or restore it from git"


@dataclass(frozen=True)
class CellFailure:
    reason: str
    log: str
    attempts: int
    last: datetime  # UTC, of the latest failed attempt
    fingerprint: str  # what the build was made from (see `fingerprint`)

    def retry_after(self) -> datetime:
        return self.last + backoff(self.attempts)


def backoff(attempts: int) -> timedelta:
    """How long a cell that failed `attempts` times in a row waits: 6 h, 12 h, … ≤ 7 days."""
    doubled: timedelta = FIRST_BACKOFF * (2 ** min(max(attempts - 1, 0), 16))
    return min(doubled, MAX_BACKOFF)


def fingerprint(env: Mapping[str, str], sdist_sha256: str) -> str:
    """What a job builds from: its sdist and its whole cibuildwheel environment."""
    text = json.dumps({"env": dict(env), "sdist": sdist_sha256}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Failures:
    cells: Mapping[Cell, CellFailure] = field(default_factory=dict)

    def get(self, cell: Cell) -> CellFailure | None:
        wanted = _key(cell)
        return next((f for c, f in self.cells.items() if _key(c) == wanted), None)

    def waiting(self, cell: Cell, print_: str, now: datetime) -> CellFailure | None:
        """The failure that holds this cell back now, or None when it is due for a build."""
        failure = self.get(cell)
        if failure is None or failure.fingerprint != print_ or now >= failure.retry_after():
            return None
        return failure

    def updated(
        self,
        failed: Iterable[tuple[Cell, str, str, str]],
        built: Iterable[Cell],
        now: datetime,
    ) -> Failures:
        """After a run: `failed` (cell, reason, log, fingerprint) counted, `built` cells
        forgotten; a failure with another fingerprint starts counting again."""
        gone = {_key(cell) for cell in built} | {_key(cell) for cell, *_ in failed}
        cells = {c: f for c, f in self.cells.items() if _key(c) not in gone}
        for cell, reason, log, print_ in failed:
            before = self.get(cell)
            attempts = before.attempts + 1 if before and before.fingerprint == print_ else 1
            cells[cell] = CellFailure(reason, log, attempts, now, print_)
        return Failures(cells)

    def without_modules(self, keep: Iterable[str]) -> Failures:
        """Only the modules still in the lock (a module that left the matrix leaves here)."""
        wanted = set(keep)
        return replace(self, cells={c: f for c, f in self.cells.items() if c.module in wanted})

    def to_json(self) -> dict[str, object]:
        modules: dict[str, dict[str, dict[str, dict[str, object]]]] = {}
        for cell in sorted(self.cells):
            failure = self.cells[cell]
            modules.setdefault(cell.module, {}).setdefault(cell.version, {})[cell.identifier] = {
                "reason": failure.reason,
                "log": failure.log,
                "attempts": failure.attempts,
                "last": failure.last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "fingerprint": failure.fingerprint,
            }
        return {"format": 1, "modules": modules}


def retries_due(failures: Failures, lock: Lock, now: datetime) -> list[str]:
    """Modules with a failed cell whose back-off is over: the scheduled update starts a
    build for them (nothing else would, as their lock entry does not change)."""
    return sorted(
        {
            cell.module
            for cell, failure in failures.cells.items()
            if now >= failure.retry_after() and lock.version(cell.module, cell.version)
        }
    )


class _FailureWire(TypedDict):
    reason: str
    log: str
    attempts: int
    last: str
    fingerprint: str


class _FailuresWire(TypedDict):
    format: Literal[1]
    modules: dict[str, dict[str, dict[str, _FailureWire]]]


_FAILURES = TypeAdapter(_FailuresWire)


def _key(cell: Cell) -> Cell:
    # `6.0` in matrix.yml and `6.0.0` in the lock are one release.
    return replace(cell, version=release_key(cell.version))


def failures_path(lock_path: Path) -> Path:
    return lock_path.with_name(FAILURES_NAME)


def read_failures(path: Path) -> Failures:
    """The failures file, or no failures when there is none yet."""
    if not path.exists():
        return Failures()
    what = "a failures file written by `lock-export --results`"
    return failures_from_json(read_json(path, what, _FIX), path)


def failures_from_json(data: object, path: Path) -> Failures:
    what = "a failures file written by `lock-export --results`"
    wire = validated(_FAILURES, data, str(path), what, _FIX)
    cells: dict[Cell, CellFailure] = {}
    for module, versions in wire["modules"].items():
        for version, by_identifier in versions.items():
            for identifier, entry in by_identifier.items():
                python, arch = _identifier(identifier, path)
                if entry["attempts"] < 1:
                    raise UserError(
                        f"{path}: {module} {version} {identifier}: attempts < 1 — {_FIX}"
                    )
                cells[Cell(module, version, python, arch)] = CellFailure(
                    entry["reason"],
                    entry["log"],
                    entry["attempts"],
                    _time(entry["last"], path),
                    entry["fingerprint"],
                )
    return Failures(cells)


def failures_text(failures: Failures) -> str:
    return dump_json(failures.to_json())


def _identifier(text: str, path: Path) -> tuple[str, str]:
    try:
        return parse_identifier(text)
    except ValueError:
        raise UserError(f"{path}: {text!r} is not a build identifier — {_FIX}") from None


def _time(text: str, path: Path) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{path}: {text!r} is not an ISO 8601 time — {_FIX}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
