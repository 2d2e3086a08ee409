"""Files on an index and wheel files: a file reference, a wheel's parsed name, its sha256,
and its Requires-Python."""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from packaging.metadata import RawMetadata, parse_email
from packaging.tags import Tag
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import Version

from generator.core.cells import Cell
from generator.core.tags import cpython_musllinux, installs, is_pure
from generator.errors import UserError

_CHUNK = 1 << 20
MAX_METADATA = 16 << 20  # bytes: real METADATA files are kilobytes (a long description: ~1 MB)


def is_bare_filename(name: str) -> bool:
    """A file name and nothing else: no folder part, nothing that climbs out, no control
    characters. Every name that comes from outside (an index, the lock, a cross-job file)
    is checked before it becomes part of a path."""
    return (
        bool(name)
        and name not in (".", "..")
        and not any(char in name for char in "/\\")
        and all(ord(char) >= 32 and char != "\x7f" for char in name)
    )


@dataclass(frozen=True, order=True)
class FileRef:
    """A file on the index (an sdist or a wheel): enough to download and verify it."""

    filename: str
    url: str
    sha256: str

    def __post_init__(self) -> None:
        if not is_bare_filename(self.filename):
            raise ValueError(f"file name {self.filename!r} is not a bare file name")

    def to_json(self) -> dict[str, str]:
        return {"filename": self.filename, "url": self.url, "sha256": self.sha256}


@dataclass(frozen=True)
class WheelName:
    filename: str
    project: NormalizedName
    version: Version
    tags: frozenset[Tag]

    def cells(self) -> list[Cell]:
        """The cells a CPython-specific musllinux wheel serves; [] for pure or abi3 wheels,
        whose cells cannot be read from the filename and must be listed explicitly."""
        found = [cpython_musllinux(tag) for tag in self.tags]
        return sorted(
            Cell(self.project, str(self.version), python, arch)
            for python, arch in (pair for pair in found if pair is not None)
        )


def parse_wheel_name(filename: str, where: str = "") -> WheelName:
    """Parse a wheel filename, or explain why it is not one."""
    try:
        project, version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as error:
        place = f"{where}: " if where else ""
        raise UserError(
            f"{place}{filename!r} is not a valid wheel filename ({error}) — wheels keep the "
            "name their build backend gave them (PEP 427); do not rename them"
        ) from None
    return WheelName(filename, project, version, tags)


def sha256_of_stream(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_file(path: Path) -> str:
    with path.open("rb") as stream:
        return sha256_of_stream(stream)


def requires_python_of(wheel: Path | bytes) -> str | None:
    """The wheel's own Requires-Python (from its METADATA), or None when it declares none."""
    return wheel_metadata(wheel).get("requires_python")


def wheel_metadata(wheel: Path | bytes) -> RawMetadata:
    """The wheel's METADATA, read bounded (MAX_METADATA); a UserError naming the wheel when
    it is not a zip, is corrupt or has none."""
    source: Path | io.BytesIO = io.BytesIO(wheel) if isinstance(wheel, bytes) else wheel
    try:
        with zipfile.ZipFile(source) as archive:
            metadata = _metadata_bytes(archive, _describe(wheel))
    except zipfile.BadZipFile:
        problem = f"{_describe(wheel)} is not a zip archive — is it a truncated download?"
        raise UserError(problem) from None
    except (NotImplementedError, RuntimeError, zlib.error, EOFError) as error:
        # An unknown compression method, an encrypted entry, bad deflate data.
        raise UserError(
            f"{_describe(wheel)}: its METADATA cannot be read ({error}) — the wheel is "
            "corrupt: rebuild or re-download it"
        ) from None
    if metadata is None:
        raise UserError(f"{_describe(wheel)} has no .dist-info/METADATA — not a valid wheel")
    raw, _unparsed = parse_email(metadata)
    return raw


def _metadata_bytes(archive: zipfile.ZipFile, what: str) -> bytes | None:
    # Exactly one top-level `*.dist-info/METADATA` exists in a valid wheel.
    for info in archive.infolist():
        parts = info.filename.split("/")
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
            with archive.open(info) as stream:
                data = stream.read(MAX_METADATA + 1)  # never the whole of a lying entry
            if len(data) > MAX_METADATA:
                raise UserError(
                    f"{what}: METADATA is over {MAX_METADATA >> 20} MB — not a real wheel"
                )
            return data
    return None


def _describe(wheel: Path | bytes) -> str:
    return str(wheel) if isinstance(wheel, Path) else "a wheel"


@dataclass(frozen=True)
class PublishedWheels:
    """The wheels this repository already publishes (wheels/), by project: what the plan
    skips and the catalog counts as built. Read from disk once, in generator.publish.repository."""

    by_project: Mapping[NormalizedName, tuple[WheelName, ...]]

    @classmethod
    def of(cls, names: Iterable[WheelName]) -> PublishedWheels:
        grouped: dict[NormalizedName, list[WheelName]] = {}
        for name in names:
            grouped.setdefault(name.project, []).append(name)
        return cls({project: tuple(found) for project, found in grouped.items()})

    def serves(self, cell: Cell) -> bool:
        """A wheel of the cell's module at its version that installs on the cell."""
        version = Version(cell.version)
        return any(
            name.version == version and installs(name.tags, cell.python, cell.arch)
            for name in self.by_project.get(canonicalize_name(cell.module), ())
        )

    def built_for(self, cell: Cell) -> bool:
        """A wheel built here serves the cell: as `serves`, but a pure wheel does not count.
        No build here makes one (cibuildwheel fails on a pure result); a pure wheel in
        wheels/ was fetched, e.g. a fallback an older lock served a cell now built with."""
        version = Version(cell.version)
        return any(
            name.version == version
            and not is_pure(name.filename)
            and installs(name.tags, cell.python, cell.arch)
            for name in self.by_project.get(canonicalize_name(cell.module), ())
        )

    def has(self, filename: str) -> bool:
        try:
            project = parse_wheel_filename(filename)[0]
        except InvalidWheelFilename:
            return False
        return any(name.filename == filename for name in self.by_project.get(project, ()))
