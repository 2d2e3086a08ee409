"""Writes that never leave a half-written file behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8, \\n line ends) to a temporary file beside `path`, then rename."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    temporary = temp_path_beside(Path(path))
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def copy_atomically(source: Path, destination: Path) -> None:
    temporary = temp_path_beside(destination)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def temp_path_beside(path: Path) -> Path:
    """A fresh file next to `path` (same filesystem, so os.replace is one rename), with
    the usual mode rather than mkstemp's 0600; for writers that stream (downloads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def append_text(path: str | os.PathLike[str], text: str) -> None:
    """Append (GitHub's $GITHUB_OUTPUT / $GITHUB_STEP_SUMMARY files are append-only)."""
    with open(path, "a", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
