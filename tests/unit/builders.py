"""In-memory inputs for the unit tests: releases, matrices, locks and published wheels.

Nothing here touches the network or writes a file (recorded PyPI answers are read); a
matrix is parsed from text as if it were `/nonexistent/matrix.yml` (only a matrix with
hooks would look at the disk).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.version import Version

from generator.core.cells import Cell, Status
from generator.core.wheels import FileRef, PublishedWheels, parse_wheel_name
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion, sort_cells
from generator.matrix.load import LoadedMatrix, parse_matrix
from generator.matrix.model import ResolvedModule
from generator.pypi.models import DistFile, Release

MATRIX_PATH = Path("/nonexistent/matrix.yml")
SHA = "0" * 64
RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "pypi" / "json"


def dist(filename: str, *, sha256: str | None = SHA, yanked: bool = False) -> DistFile:
    """A file on the index; a wheel or an sdist, told by its name."""
    kind = "wheel" if filename.endswith(".whl") else "sdist"
    return DistFile(
        filename=filename,
        url=f"https://files.example/{filename}",
        sha256=sha256,
        requires_python=None,
        yanked=yanked,
        yanked_reason=None,
        upload_time=None,
        size=None,
        version=None,
        package_type=kind,
    )


def release(version: str, *files: str | DistFile, requires_python: str | None = None) -> Release:
    """A release with these files; `requires_python` is put on every file."""
    dists = [dist(f) if isinstance(f, str) else f for f in files]
    if requires_python is not None:
        dists = [
            DistFile(
                d.filename,
                d.url,
                d.sha256,
                requires_python,
                d.yanked,
                d.yanked_reason,
                d.upload_time,
                d.size,
                d.version,
                d.package_type,
            )
            for d in dists
        ]
    return Release(Version(version), dists)


def matrix(text: str) -> LoadedMatrix:
    return parse_matrix(text, MATRIX_PATH)


def module(text: str, name: str = "pkg") -> ResolvedModule:
    return matrix(text).module(name)


def cell(identifier: str, module: str = "pkg", version: str = "1.0") -> Cell:
    """`cp312-x86_64` → pkg 1.0 on CPython 3.12, x86_64 (a short form for tables)."""
    abi, _, arch = identifier.partition("-")
    digits = abi.removeprefix("cp")
    python = f"{digits[0]}.{digits[1:]}"
    return Cell(module, version, python, arch)


def ref(filename: str) -> FileRef:
    return FileRef(filename, f"https://files.example/{filename}", SHA)


def locked(
    identifier: str,
    status: Status,
    *,
    module: str = "pkg",
    version: str = "1.0",
    reason: str | None = None,
    wheel: str | None = None,
    built_by: str | None = None,
) -> LockedCell:
    """A locked cell; `built_by` in the short form of `cell` (cp311-x86_64)."""
    return LockedCell(
        cell(identifier, module, version),
        status,
        reason=reason,
        wheel=ref(wheel) if wheel else None,
        built_by=cell(built_by).identifier if built_by else None,
    )


def locked_module(
    name: str,
    versions: Mapping[str, Iterable[LockedCell]],
    *,
    policy: str = "latest",
    implied_by: tuple[str, ...] = (),
) -> LockedModule:
    return LockedModule(
        name,
        policy,
        tuple(
            LockedVersion(
                version=version,
                sdist=ref(f"{name}-{version}.tar.gz"),
                requires_python=None,
                upload_time=None,
                yanked=False,
                requires_dist=(),
                cells=tuple(sort_cells(cells)),
            )
            for version, cells in versions.items()
        ),
        implied_by,
    )


def lock(*modules: LockedModule) -> Lock:
    return Lock({m.name: m for m in modules})


def published(*filenames: str) -> PublishedWheels:
    return PublishedWheels.of([parse_wheel_name(filename) for filename in filenames])


def recorded_release(project: str, version: str) -> Release:
    """A release as recorded from PyPI (tests/fixtures/pypi/json/<project>.json): its real
    filenames, sha256 and requires-python."""
    answer = json.loads((RECORDED / f"{project}.json").read_text(encoding="utf-8"))
    return Release(Version(version), [_recorded(entry) for entry in answer["releases"][version]])


def _recorded(entry: dict[str, Any]) -> DistFile:
    return DistFile(
        filename=entry["filename"],
        url=entry["url"],
        sha256=entry["digests"]["sha256"],
        requires_python=entry["requires_python"],
        yanked=entry["yanked"],
        yanked_reason=entry["yanked_reason"],
        upload_time=None,
        size=entry["size"],
        version=None,
        package_type="wheel" if entry["filename"].endswith(".whl") else "sdist",
    )
