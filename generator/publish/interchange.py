"""Every JSON file a publish run passes between its steps, with its one reader and writer.

    cells.json     [{module, version, python, arch}]           lock-export → collect, images
    fetch.json     [{filename, url, sha256}]                   lock-export → collect
    catalog.json   [{module, version, python, arch, status}]   lock-export → catalog
    manifest.json  {format, files: [...], cells: [...]}        collect → commit-wheels

(plan.json, the build jobs' input, is generator.plan.jobs.Plan.) Readers check every field
against the file's wire model and name the file and the place of the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from generator.core.cells import Cell, CellJson, Origin, Served
from generator.core.urls import http_url_problem
from generator.core.wheels import FileRef, is_bare_filename, parse_wheel_name
from generator.errors import UserError
from generator.fileio import dump_json, read_json, validated, write_atomically

MANIFEST_NAME = "manifest.json"
BUILT_SUBJECTS_NAME = "built.sha256"  # for actions/attest-build-provenance subject-checksums
MANIFEST_FORMAT = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LOCK_EXPORT_FIX = "write it again with `python -m generator lock-export`"


@dataclass(frozen=True, order=True)
class CellRecord:
    """One catalog entry: a cell and what it is served by."""

    cell: Cell
    status: Served
    reason: str = ""  # failed: why
    log: str = ""  # failed: the build's log


@dataclass(frozen=True, order=True)
class ManifestEntry:
    filename: str
    sha256: str
    size: int
    origin: Origin


@dataclass
class Manifest:
    """The sha256 manifest of everything a run publishes (JSON, sorted, diff-friendly)."""

    files: list[ManifestEntry] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)  # verified to install offline

    def to_json(self) -> str:
        return dump_json(
            {
                "format": MANIFEST_FORMAT,
                "files": [
                    {"filename": f.filename, "sha256": f.sha256, "size": f.size, "origin": f.origin}
                    for f in sorted(self.files)
                ],
                "cells": [cell.to_json() for cell in sorted(self.cells)],
            }
        )

    def write(self, path: Path) -> None:
        write_atomically(path, self.to_json())

    def built_subjects(self) -> str:
        """`sha256sum` lines of the wheels this run built: what its provenance attests
        (fetched upstream wheels were built elsewhere, so they are not claimed)."""
        return "".join(
            f"{f.sha256}  {f.filename}\n" for f in sorted(self.files) if f.origin is Origin.BUILT
        )


# Wire models: exactly what each file holds.
class _RecordWire(CellJson):
    status: Literal["built", "upstream", "pure", "failed", "missing"]
    reason: NotRequired[str]
    log: NotRequired[str]


class _FileWire(TypedDict):
    filename: str
    url: str
    sha256: str


class _ManifestFileWire(TypedDict):
    filename: str
    sha256: str
    size: int
    origin: Literal["built", "fetched", "dependency"]


class _ManifestWire(TypedDict):
    format: Literal[1]
    files: list[_ManifestFileWire]
    cells: list[CellJson]


_CELLS = TypeAdapter(list[CellJson])
_RECORDS = TypeAdapter(list[_RecordWire])
_FILES = TypeAdapter(list[_FileWire])
_MANIFEST = TypeAdapter(_ManifestWire)


def cells_json(cells: Iterable[Cell]) -> str:
    return dump_json([cell.to_json() for cell in cells])


def read_cells(path: Path) -> list[Cell]:
    """cells.json: the cells to verify and publish."""
    what = "a cells list written by `lock-export --output-dir`"
    wire = validated(
        _CELLS, read_json(path, what, _LOCK_EXPORT_FIX), str(path), what, _LOCK_EXPORT_FIX
    )
    return [_cell(item, path) for item in wire]


def records_json(records: Iterable[CellRecord]) -> str:
    return dump_json([_record_json(record) for record in records])


def _record_json(record: CellRecord) -> dict[str, str]:
    cell = record.cell
    data = {"module": cell.module, "version": cell.version, "python": cell.python}
    data |= {"arch": cell.arch, "status": str(record.status)}
    if record.reason or record.log:
        data |= {"reason": record.reason, "log": record.log}
    return data


def read_records(path: Path) -> list[CellRecord]:
    """catalog.json: every locked cell with its catalog status."""
    what = "catalog records written by `lock-export --output-dir`"
    data = read_json(path, what, _LOCK_EXPORT_FIX)
    wire = validated(_RECORDS, data, str(path), what, _LOCK_EXPORT_FIX)
    return [
        CellRecord(
            _cell(item, path), Served(item["status"]), item.get("reason", ""), item.get("log", "")
        )
        for item in wire
    ]


def files_json(files: Iterable[FileRef]) -> str:
    return dump_json([file.to_json() for file in files])


def read_fetch_list(path: Path) -> list[FileRef]:
    """fetch.json: the upstream and pure wheels to download, each with its sha256."""
    what = "a fetch list written by `lock-export --output-dir`"
    data = read_json(path, what, _LOCK_EXPORT_FIX)
    wire = validated(_FILES, data, str(path), what, _LOCK_EXPORT_FIX)
    files = []
    for item in wire:
        if not is_bare_filename(item["filename"]):
            raise UserError(
                f"{path}: {item['filename']!r} is not a bare file name — {_LOCK_EXPORT_FIX}"
            )
        ref = FileRef(item["filename"], item["url"], item["sha256"].lower())
        parse_wheel_name(ref.filename, str(path))
        if not _SHA256.fullmatch(ref.sha256):
            raise UserError(
                f"{path}: sha256 of {ref.filename} is not 64 hex digits — {_LOCK_EXPORT_FIX}"
            )
        if http_url_problem(ref.url) is not None:  # never file:// or a local path
            raise UserError(
                f"{path}: url of {ref.filename} {ref.url!r} is not an http(s) URL with a host "
                f"— {_LOCK_EXPORT_FIX}"
            )
        files.append(ref)
    return files


def read_manifest(path: Path) -> Manifest:
    """manifest.json, as `collect` wrote it."""
    what = "a manifest written by `collect`"
    fix = "run `collect` first"
    wire = validated(_MANIFEST, read_json(path, what, fix), str(path), what, fix)
    files = [
        ManifestEntry(f["filename"], f["sha256"], f["size"], Origin(f["origin"]))
        for f in wire["files"]
    ]
    for entry in files:
        if not is_bare_filename(entry.filename):
            raise UserError(f"{path}: {entry.filename!r} is not a bare file name — {fix}")
    return Manifest(files, [_cell(item, path) for item in wire["cells"]])


def _cell(item: CellJson, path: Path) -> Cell:
    try:
        return Cell.from_json(item)
    except ValueError as error:
        raise UserError(f"{path}: {dict(item)}: {error}") from None
