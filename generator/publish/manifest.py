"""The sha256 manifest of everything a run publishes (JSON, sorted, diff-friendly)."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import UserError
from generator.fileio import write_atomically
from generator.publish.interchange import Cell

MANIFEST_NAME = "manifest.json"
BUILT_SUBJECTS_NAME = "built.sha256"  # for actions/attest-build-provenance subject-checksums
_FORMAT = 1


class Origin(enum.StrEnum):
    BUILT = "built"  # an artifact of this run's build jobs
    FETCHED = "fetched"  # an upstream or pure wheel the lock named, sha256-checked
    DEPENDENCY = "dependency"  # part of a cell's runtime closure, found by pip


@dataclass(frozen=True, order=True)
class ManifestEntry:
    filename: str
    sha256: str
    size: int
    origin: Origin


@dataclass
class Manifest:
    files: list[ManifestEntry] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)  # verified to install offline

    def to_json(self) -> str:
        document = {
            "format": _FORMAT,
            "files": [
                {"filename": f.filename, "sha256": f.sha256, "size": f.size, "origin": f.origin}
                for f in sorted(self.files)
            ],
            "cells": [
                {"module": c.module, "version": c.version, "python": c.python, "arch": c.arch}
                for c in sorted(self.cells)
            ],
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def write(self, path: Path) -> None:
        write_atomically(path, self.to_json())

    def built_subjects(self) -> str:
        """`sha256sum` lines of the wheels this run built: what its provenance attests
        (fetched upstream wheels were built elsewhere, so they are not claimed)."""
        return "".join(
            f"{f.sha256}  {f.filename}\n" for f in sorted(self.files) if f.origin is Origin.BUILT
        )


def read_manifest(path: Path) -> Manifest:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT:
            raise UserError(f"{path}: unknown manifest format {document.get('format')!r}")
        files = [
            ManifestEntry(f["filename"], f["sha256"], int(f["size"]), Origin(f["origin"]))
            for f in document["files"]
        ]
        cells = [Cell(c["module"], c["version"], c["python"], c["arch"]) for c in document["cells"]]
    except OSError as error:
        raise UserError(
            f"{path}: cannot read the manifest ({error.strerror}) — run `collect` first"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UserError(f"{path}: not a manifest written by `collect` ({error!r})") from None
    return Manifest(files, cells)
