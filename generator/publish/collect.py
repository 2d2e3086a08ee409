"""Collect everything a run publishes into one flat directory and prove each cell installs.

`collect` gathers (1) the wheels built in this run, (2) the upstream/pure wheels the lock names
(sha256-checked), (3) every runtime dependency (from `wheels/` or the index, chosen by pip), then
runs pip offline against that directory for each cell, and writes the sha256 manifest.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import requests

from generator.core.cells import Cell, Origin
from generator.core.wheels import FileRef, parse_wheel_name, sha256_of_file
from generator.errors import Failure, GeneratorError, UserError
from generator.fileio import copy_atomically, path_under, write_atomically
from generator.publish.closure import download_closure, verify_cell
from generator.publish.fetch import download_session, fetch_wheel
from generator.publish.interchange import (
    BUILT_SUBJECTS_NAME,
    MANIFEST_NAME,
    Manifest,
    ManifestEntry,
)
from generator.publish.repository import check_size, wheel_relpath

Warn = Callable[[str], None]
T = TypeVar("T")
_WORKERS = 8  # pip runs are mostly I/O and process start-up


def warn_to_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def collect(
    built_dirs: Sequence[Path],
    fetch_list: Sequence[FileRef],
    dest: Path,
    *,
    cells: Sequence[Cell] | None = None,
    wheels_dir: Path | None = None,
    with_dependencies: bool = True,
    session: requests.Session | None = None,
    warn: Warn = warn_to_stderr,
) -> Manifest:
    """Fill `dest` (flat: one directory of wheels) and return the manifest, also written to
    dest/manifest.json. `cells` default to those readable from CPython musllinux filenames."""
    dest.mkdir(parents=True, exist_ok=True)
    origins: dict[str, Origin] = {}
    for wheel in _built_wheels(built_dirs):
        copy_atomically(wheel, path_under(dest, wheel.name))
        origins[wheel.name] = Origin.BUILT
    session = session or download_session()
    for entry in fetch_list:
        local = [wheels_dir / wheel_relpath(entry.filename)] if wheels_dir else []
        fetch_wheel(entry, dest, session, local)
        origins.setdefault(entry.filename, Origin.FETCHED)
    chosen = sorted(set(cells) if cells is not None else _cells_of(origins))
    if not chosen and cells is None:
        raise UserError(
            "no cell to publish: no CPython musllinux wheel among the inputs and no cells given "
            "— pass the built artifacts directory, or list the cells (--cells) for pure/abi3 wheels"
        )
    if with_dependencies:
        links = [dest, *([wheels_dir] if wheels_dir else [])]
        for found in _each(chosen, lambda cell: _gather_dependencies(cell, dest, links)):
            for name in found:
                origins.setdefault(name, Origin.DEPENDENCY)
    _each(chosen, lambda cell: verify_cell(cell, dest))
    manifest = Manifest(_entries(dest, origins, warn), chosen)
    manifest.write(dest / MANIFEST_NAME)
    write_atomically(dest / BUILT_SUBJECTS_NAME, manifest.built_subjects())
    return manifest


def _built_wheels(built_dirs: Sequence[Path]) -> list[Path]:
    """Every wheel below the artifact directories (one nested directory per artifact is usual);
    the same filename twice is fine only with the same bytes."""
    by_name: dict[str, Path] = {}
    for root in built_dirs:
        if not root.exists():
            continue  # no build job uploaded anything: a run that only fetches wheels
        if not root.is_dir():
            raise UserError(f"{root}: not a directory of built wheels (artifact download path?)")
        for wheel in sorted(root.rglob("*.whl")):
            parse_wheel_name(wheel.name, str(wheel.parent))
            check_size(str(wheel), wheel.stat().st_size)
            seen = by_name.setdefault(wheel.name, wheel)
            if seen != wheel and sha256_of_file(seen) != sha256_of_file(wheel):
                raise Failure(
                    f"{wheel.name} was built twice with different contents ({seen} and {wheel})"
                    " — two build jobs produce the same cell; fix the plan so each cell has one job"
                )
    return list(by_name.values())


def _cells_of(origins: dict[str, Origin]) -> set[Cell]:
    return {cell for name in origins for cell in parse_wheel_name(name).cells()}


def _gather_dependencies(cell: Cell, dest: Path, links: list[Path]) -> list[str]:
    """Copy the cell's dependency closure into dest, from what is already here (this run's
    wheels, wheels/) when that suffices — the index's newest versions are not needed then."""
    with tempfile.TemporaryDirectory(prefix="deps-") as scratch:
        try:
            closure = download_closure(cell, Path(scratch), links, offline=True)
        except Failure:
            closure = download_closure(cell, Path(scratch), links, offline=False)
        added = []
        for wheel in closure:
            # The cell's own project comes from the build or the lock, never from here.
            if parse_wheel_name(wheel.name).project == cell.module:
                continue
            target = path_under(dest, wheel.name)
            if not target.exists():
                copy_atomically(wheel, target)
            added.append(wheel.name)
        return added


def _each(cells: Sequence[Cell], work: Callable[[Cell], T]) -> list[T]:
    """Run `work` for every cell in parallel; report every failing cell, not just the first."""
    results: list[T] = []
    problems: list[str] = []
    if not cells:
        return results  # a run whose every build failed: nothing to verify
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(cells))) as pool:
        for future in [pool.submit(work, cell) for cell in cells]:
            try:
                results.append(future.result())
            except GeneratorError as error:
                problems.append(str(error))
    if problems:
        listing = "\n  ".join(problems)
        raise Failure(f"{len(problems)} of {len(cells)} cell(s) failed:\n  {listing}")
    return results


def _entries(dest: Path, origins: dict[str, Origin], warn: Warn) -> list[ManifestEntry]:
    entries = []
    for name in sorted(origins):
        path = dest / name
        size = path.stat().st_size
        warning = check_size(name, size)
        if warning:
            warn(warning)
        entries.append(ManifestEntry(name, sha256_of_file(path), size, origins[name]))
    return entries
