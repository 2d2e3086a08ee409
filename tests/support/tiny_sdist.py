"""A tiny sdist whose own [tool.cibuildwheel] table tries to change the selection.

If a job's env did not neutralise it, cibuildwheel would print cp39 glibc builds
(build/skip/archs below) instead of the job's musllinux identifiers.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "tiny"
version = "1.0"

[tool.cibuildwheel]
build = "cp39-*"
skip = "*musllinux*"
archs = ["x86_64"]
enable = ["pypy"]

[[tool.cibuildwheel.overrides]]
select = "*"
before-all = "exit 1"
"""


def make_tiny_sdist(directory: Path) -> Path:
    path = directory / "tiny-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in {"pyproject.toml": PYPROJECT, "PKG-INFO": "Name: tiny\n"}.items():
            data = text.encode()
            info = tarfile.TarInfo(f"tiny-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
