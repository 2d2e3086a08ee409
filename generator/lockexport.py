"""The lock, as the publish verbs read it: cells to verify, wheels to fetch, catalog records.

Formats are those of generator/publish/cells.py (cells, records) and publish/fetch.py.
With a plan (the run's `plan --json`), cells and fetches cover the module versions that
run builds; the catalog always covers the whole lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.buildcells import wheel_present
from generator.cells import Cell
from generator.errors import UserError
from generator.lock import Lock, LockedCell
from generator.platforms import build_identifier

PlannedKey = tuple[str, str, str]  # (module, version, identifier)


@dataclass(frozen=True)
class Export:
    cells: list[dict[str, str]]
    fetch: list[dict[str, str]]
    catalog: list[dict[str, str]]


def planned_cells(plan_path: Path) -> set[PlannedKey]:
    """(module, version, identifier) of every cell the plan's jobs build."""
    try:
        jobs = json.loads(plan_path.read_text(encoding="utf-8"))["jobs"]
        return {
            (job["module"], job["version"], build_identifier(python, job["arch"]))
            for job in jobs for python in job["python"]
        }  # fmt: skip
    except OSError as error:
        raise UserError(f"{plan_path}: cannot read ({error.strerror})") from None
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"{plan_path}: not a plan written by `plan --output` ({type(error).__name__}: {error})"
        ) from None


def export(lock: Lock, wheels_dir: Path, planned: set[PlannedKey] | None) -> Export:
    in_scope = _scope(lock, planned)
    cells, fetch = [], {}
    catalog = []
    for cell in lock.cells():
        if cell.status == "skip":
            continue
        built = _built(cell, wheels_dir, planned)
        catalog.append({**_cell_json(cell), "status": _catalog_status(cell, built)})
        if (cell.module, cell.version) not in in_scope:
            continue
        if cell.wheel is not None and len(cell.wheel.sha256) == 64:
            fetch[cell.wheel.filename] = cell.wheel.to_json()
            cells.append(_cell_json(cell))
        elif cell.status in ("build", "abi3") and built:
            cells.append(_cell_json(cell))
    return Export(cells, [fetch[name] for name in sorted(fetch)], catalog)


def _scope(lock: Lock, planned: set[PlannedKey] | None) -> set[tuple[str, str]]:
    every = {(c.module, c.version) for c in lock.cells()}
    if planned is None:
        return every
    return {(module, version) for module, version, _ in planned} & every


def _built(cell: LockedCell, wheels_dir: Path, planned: set[PlannedKey] | None) -> bool:
    """Built in this run (the plan has its builder), or already published in wheels/."""
    builder = cell.built_by or cell.identifier
    if planned is not None and (cell.module, cell.version, builder) in planned:
        return True
    if cell.status not in ("build", "abi3"):
        return False
    if planned is not None:
        return False  # collect verifies from this run's wheels only
    return wheel_present(wheels_dir, Cell(cell.module, cell.version, cell.python, cell.arch))


def _catalog_status(cell: LockedCell, built: bool) -> str:
    if cell.status in ("upstream", "pure"):
        return cell.status
    return "built" if built else "missing"


def _cell_json(cell: LockedCell) -> dict[str, str]:
    return {"module": cell.module, "version": cell.version, "python": cell.python,
            "arch": cell.arch}  # fmt: skip


def dump(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(records), indent=2, sort_keys=True) + "\n"
