"""The matrix lock (`matrix.lock.json` beside matrix.yml): what `update` learned from PyPI.

Per module: the versions its policy resolved to, and per version the sdist, requires-python,
upload time, Requires-Dist and one status per cell (keyed by cibuildwheel identifier; the
statuses are generator.core.cells.Status), with the upstream/pure wheel to fetch, the abi3
builder (`built-by`) or the reason of a skip.

Modules a build needs but matrix.yml does not list are *implied* (`implied-by` names who
needs them). The file is JSON with sorted keys and holds no time of the run: the same PyPI
state gives the same bytes, so a scheduled run commits only real changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NotRequired

from packaging.utils import canonicalize_name, is_normalized_name
from pydantic import TypeAdapter
from typing_extensions import TypedDict

from generator.core.cells import Cell, Status, needs_job
from generator.core.platforms import parse_identifier, python_sort_key
from generator.core.versions import is_exact_version, same_version, version_key
from generator.core.wheels import FileRef
from generator.errors import UserError
from generator.fileio import read_json, validated, write_atomically
from generator.matrix.load import LoadedMatrix

LOCK_NAME = "matrix.lock.json"
_REWRITE = "run `python -m generator update` to write it again"
FORMAT = 1


@dataclass(frozen=True)
class LockedCell:
    """One cell and how it is served."""

    cell: Cell
    status: Status
    reason: str | None = None  # skip: why
    wheel: FileRef | None = None  # upstream / pure: the wheel to fetch
    built_by: str | None = None  # abi3: the identifier whose build serves this cell

    @property
    def needs_job(self) -> bool:
        """A build job must produce it (an abi3 cell only at its builder)."""
        return needs_job(self.status, self.cell.identifier, self.built_by)

    @property
    def builder(self) -> Cell:
        """The cell whose job makes this cell's wheel (itself, or the abi3 group's builder)."""
        if self.built_by is None:
            return self.cell
        python, arch = parse_identifier(self.built_by)
        return Cell(self.cell.module, self.cell.version, python, arch)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": str(self.status)}
        if self.reason is not None:
            data["reason"] = self.reason
        if self.wheel is not None:
            data["wheel"] = self.wheel.to_json()
        if self.built_by is not None:
            data["built-by"] = self.built_by
        return data


@dataclass(frozen=True)
class LockedVersion:
    version: str
    sdist: FileRef | None
    requires_python: str | None
    upload_time: str | None  # ISO 8601 of the sdist (else first file), None when unknown
    yanked: bool
    requires_dist: tuple[str, ...]
    cells: tuple[LockedCell, ...]
    # [build-system] requires → `matrix` (built here, from wheels/) or `index`; read only
    # for versions with cells to build
    build_requires: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = {
            "sdist": self.sdist.to_json() if self.sdist else None,
            "requires-python": self.requires_python,
            "upload-time": self.upload_time,
            "yanked": self.yanked,
            "requires-dist": list(self.requires_dist),
            "cells": {locked.cell.identifier: locked.to_json() for locked in self.cells},
        }
        if self.build_requires:
            data["build-requires"] = dict(self.build_requires)
        return data


@dataclass(frozen=True)
class LockedModule:
    name: str  # canonical
    policy: str  # the matrix `versions:` it was resolved from ("" for implied modules)
    versions: tuple[LockedVersion, ...]  # oldest first
    implied_by: tuple[str, ...] = ()  # non-empty: not in matrix.yml, needed by these

    @property
    def implied(self) -> bool:
        return bool(self.implied_by)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy,
            "versions": {v.version: v.to_json() for v in self.versions},
        }
        if self.implied_by:
            data["implied-by"] = sorted(self.implied_by)
        return data


@dataclass(frozen=True)
class Lock:
    """The whole lock; read with `load_lock`, written with `write_lock`."""

    modules: Mapping[str, LockedModule] = field(default_factory=dict)

    def module(self, name: str) -> LockedModule | None:
        return self.modules.get(canonicalize_name(name))

    def versions(self, module: str) -> tuple[str, ...]:
        locked = self.module(module)
        return tuple(v.version for v in locked.versions) if locked else ()

    def version(self, module: str, version: str) -> LockedVersion | None:
        locked = self.module(module)
        if locked is None:
            return None
        return next((v for v in locked.versions if same_version(v.version, version)), None)

    def sdist(self, module: str, version: str) -> FileRef | None:
        found = self.version(module, version)
        return found.sdist if found else None

    def cells(self, module: str | None = None) -> list[LockedCell]:
        if module is None:
            chosen = [self.modules[name] for name in sorted(self.modules)]
        else:
            found = self.module(module)
            chosen = [found] if found else []
        return [cell for m in chosen for v in m.versions for cell in v.cells]

    def implied_modules(self) -> list[LockedModule]:
        return [self.modules[name] for name in sorted(self.modules) if self.modules[name].implied]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "modules": {name: self.modules[name].to_json() for name in sorted(self.modules)},
        }

    def text(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def lock_path(matrix: LoadedMatrix) -> Path:
    return matrix.path.parent / LOCK_NAME


def load_lock(matrix: LoadedMatrix) -> Lock | None:
    """The lock beside the matrix, or None when there is none yet."""
    return read_lock(lock_path(matrix))


def read_lock(path: Path) -> Lock | None:
    if not path.exists():
        return None
    data = read_json(path, "a lock", _REWRITE)
    wire = validated(_LOCK, data, str(path), "a lock this generator understands", _REWRITE)
    try:
        return lock_from_json(wire)
    except ValueError as error:  # a value of the right type that is still wrong
        raise UserError(f"{path}: {error} — {_REWRITE}") from None


def write_lock(path: Path, lock: Lock) -> bool:
    """Write atomically; False (and no write) when the bytes would not change."""
    text = lock.text()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(path, text)
    return True


def lock_from_json(data: _LockWire) -> Lock:
    return Lock({name: _module(name, entry) for name, entry in data["modules"].items()})


def _module(name: str, data: _ModuleWire) -> LockedModule:
    if not is_normalized_name(name):
        raise ValueError(f"modules.{name!r}: not a normalised project name")
    versions = [_version(name, text, entry) for text, entry in data["versions"].items()]
    versions.sort(key=lambda v: version_key(v.version))
    return LockedModule(name, data["policy"], tuple(versions), tuple(data.get("implied-by", ())))


def _version(module: str, version: str, data: _VersionWire) -> LockedVersion:
    where = f"modules.{module}.versions.{version}"
    if not is_exact_version(version):
        raise ValueError(f"modules.{module}.versions.{version!r}: not a version")
    cells = [_cell(module, version, key, entry) for key, entry in data["cells"].items()]
    return LockedVersion(
        version=version,
        sdist=_file(data["sdist"], f"{where}.sdist"),
        requires_python=data.get("requires-python"),
        upload_time=data.get("upload-time"),
        yanked=bool(data.get("yanked", False)),
        requires_dist=tuple(data.get("requires-dist", ())),
        cells=tuple(sort_cells(cells)),
        build_requires=tuple(sorted(data.get("build-requires", {}).items())),
    )


def _cell(module: str, version: str, identifier: str, data: _CellWire) -> LockedCell:
    where = f"modules.{module}.versions.{version}.cells"
    try:
        python, arch = parse_identifier(identifier)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    built_by = data.get("built-by")
    if built_by is not None:
        try:
            parse_identifier(built_by)  # what LockedCell.builder reads
        except ValueError as error:
            raise ValueError(f"{where}.{identifier}.built-by: {error}") from None
    return LockedCell(
        Cell(module, version, python, arch),
        Status(data["status"]),
        reason=data.get("reason"),
        wheel=_file(data.get("wheel"), f"{where}.{identifier}.wheel"),
        built_by=built_by,
    )


def _file(data: _FileWire | None, where: str) -> FileRef | None:
    if data is None:
        return None
    try:
        return FileRef(data["filename"], data["url"], data["sha256"])
    except ValueError as error:  # not a bare file name
        raise ValueError(f"{where}.filename: {error}") from None


def sort_cells(cells: Iterable[LockedCell]) -> list[LockedCell]:
    return sorted(cells, key=lambda c: (c.cell.arch, python_sort_key(c.cell.python)))


# The lock as JSON: checked on read, so a field of the wrong type is a located error
# (modules.six.versions.1.17.0.cells.cp312-musllinux_x86_64.status: …), never a traceback.
# Functional form where keys are spelt with hyphens.
class _FileWire(TypedDict):
    filename: str
    url: str
    sha256: str


_CellWire = TypedDict(
    "_CellWire",
    {
        "status": Literal["build", "upstream", "pure", "abi3", "skip"],  # = Status (unit test)
        "reason": NotRequired[str],
        "wheel": NotRequired[_FileWire],
        "built-by": NotRequired[str],
    },
)
_VersionWire = TypedDict(
    "_VersionWire",
    {
        "sdist": _FileWire | None,
        "requires-python": NotRequired[str | None],
        "upload-time": NotRequired[str | None],
        "yanked": NotRequired[bool],
        "requires-dist": NotRequired[list[str]],
        "cells": dict[str, _CellWire],
        "build-requires": NotRequired[dict[str, str]],
    },
)
_ModuleWire = TypedDict(
    "_ModuleWire",
    {"policy": str, "versions": dict[str, _VersionWire], "implied-by": NotRequired[list[str]]},
)


class _LockWire(TypedDict):
    format: Literal[1]
    modules: dict[str, _ModuleWire]


_LOCK = TypeAdapter(_LockWire)
