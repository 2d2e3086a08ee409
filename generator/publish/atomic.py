"""Atomic file writes: a reader (or a crash) never sees a half-written file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _temp_beside(path: Path) -> Path:
    # The temporary file lives in the target's directory so os.replace stays one rename.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(name)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    temp = _temp_beside(path)
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def copy_atomic(source: Path, destination: Path) -> None:
    temp = _temp_beside(destination)
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, destination)
    finally:
        temp.unlink(missing_ok=True)


def temp_path_beside(path: Path) -> Path:
    """A fresh temporary path next to `path`, for writers that stream (e.g. downloads)."""
    return _temp_beside(path)
