"""The lock, as the publish verbs read it: cells to verify, wheels to fetch, catalog records.

Formats are those of generator/publish/cells.py (cells, records) and publish/fetch.py.
With a plan (the run's `plan --json`), cells and fetches cover the module versions that
run builds plus every version with an upstream/pure wheel not yet in wheels/ (a version
PyPI already serves everywhere builds nothing, yet it is still published: wheels/, index,
images). Without one, every locked version. The catalog always covers the whole lock, and
counts a cell as built when this run builds it or wheels/ already holds its wheel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.platforms import build_identifier
from generator.errors import UserError
from generator.lock.model import BUILT_HERE, Lock, LockedCell
from generator.matrix.expand import Cell
from generator.plan.select import wheel_present
from generator.publish.repository import wheel_relpath

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
            for job in jobs
            for python in job["python"]
        }
    except OSError as error:
        raise UserError(f"{plan_path}: cannot read ({error.strerror})") from None
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"{plan_path}: not a plan written by `plan --output` ({type(error).__name__}: {error})"
        ) from None


def export(lock: Lock, wheels_dir: Path, planned: set[PlannedKey] | None) -> Export:
    in_scope = _scope(lock, wheels_dir, planned)
    cells, fetch = [], {}
    catalog = []
    for cell in lock.cells():
        if cell.status == "skip":
            continue
        built_now = _built_in_run(cell, planned)
        ours = cell.status in BUILT_HERE  # abi3: every Python its one build serves
        published = ours and wheel_present(wheels_dir, _plain(cell))
        status = _catalog_status(cell, built_now or published)
        catalog.append({**_cell_json(cell), "status": status})
        if (cell.module, cell.version) not in in_scope:
            continue
        if cell.wheel is not None and len(cell.wheel.sha256) == 64:
            fetch[cell.wheel.filename] = cell.wheel.to_json()
            cells.append(_cell_json(cell))
        elif ours and (built_now or (planned is None and published)):
            cells.append(_cell_json(cell))  # with a plan, collect verifies this run's builds only
    return Export(cells, [fetch[name] for name in sorted(fetch)], catalog)


def _scope(lock: Lock, wheels_dir: Path, planned: set[PlannedKey] | None) -> set[tuple[str, str]]:
    every = {(c.module, c.version) for c in lock.cells()}
    if planned is None:
        return every
    unpublished = {
        (c.module, c.version)
        for c in lock.cells()
        if c.wheel is not None and not (wheels_dir / wheel_relpath(c.wheel.filename)).is_file()
    }
    return ({(module, version) for module, version, _ in planned} & every) | unpublished


def _built_in_run(cell: LockedCell, planned: set[PlannedKey] | None) -> bool:
    """The run's plan has this cell's builder (abi3: the one identifier that builds it)."""
    builder = cell.built_by or cell.identifier
    return planned is not None and (cell.module, cell.version, builder) in planned


def _plain(cell: LockedCell) -> Cell:
    return Cell(cell.module, cell.version, cell.python, cell.arch)


def _catalog_status(cell: LockedCell, built: bool) -> str:
    if cell.status in ("upstream", "pure"):
        return cell.status
    return "built" if built else "missing"


def _cell_json(cell: LockedCell) -> dict[str, str]:
    return {
        "module": cell.module,
        "version": cell.version,
        "python": cell.python,
        "arch": cell.arch,
    }


def dump(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(records), indent=2, sort_keys=True) + "\n"
