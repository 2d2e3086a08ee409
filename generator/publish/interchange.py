"""A cell — one module version for one Python on one arch — and its publication status.

Deliberately small: the matrix lock will produce these records through an adapter.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.tags import Tag
from packaging.utils import canonicalize_name

from generator.core.wheels import WheelName
from generator.errors import UserError

ARCHES = ("x86_64", "i686", "aarch64", "ppc64le", "s390x", "armv7l", "riscv64")


class CellStatus(enum.StrEnum):
    BUILT = "built"  # built by this repository
    UPSTREAM = "upstream"  # a compatible musllinux wheel already exists on PyPI
    PURE = "pure"  # a pure-Python wheel serves it
    MISSING = "missing"  # nothing installable yet


@dataclass(frozen=True, order=True)
class Cell:
    module: str
    version: str
    python: str  # "3.12"
    arch: str  # "x86_64"; the musllinux platform spelling

    def __str__(self) -> str:
        return f"{self.module}=={self.version} (python {self.python}, {self.arch})"

    @property
    def requirement(self) -> str:
        return f"{self.module}=={self.version}"


@dataclass(frozen=True, order=True)
class CellRecord:
    cell: Cell
    status: CellStatus


def cells_from_json(path: Path) -> list[Cell]:
    """Read `[{"module", "version", "python", "arch"}, ...]`."""
    return [_cell(item, path) for item in _json_list(path)]


def records_from_json(path: Path) -> list[CellRecord]:
    """Read `[{"module", "version", "python", "arch", "status"}, ...]`."""
    records = []
    for item in _json_list(path):
        status = item.get("status")
        if status not in set(CellStatus):
            allowed = ", ".join(CellStatus)
            raise UserError(f"{path}: status {status!r} in {item} is not one of: {allowed}")
        records.append(CellRecord(_cell(item, path), CellStatus(status)))
    return records


def cells_from_wheel(name: WheelName) -> list[Cell]:
    """The cells a CPython-specific musllinux wheel serves; [] for pure or abi3 wheels,
    whose cells cannot be read from the filename and must be listed explicitly."""
    cells = []
    for tag in name.tags:
        python, arch = _cpython_musllinux(tag)
        if python and arch:
            cells.append(Cell(name.project, str(name.version), python, arch))
    return cells


def _cpython_musllinux(tag: Tag) -> tuple[str | None, str | None]:
    if not (tag.interpreter.startswith("cp") and tag.abi == tag.interpreter):
        return None, None
    if not tag.platform.startswith("musllinux_"):
        return None, None
    digits = tag.interpreter[2:]
    python = f"{digits[0]}.{digits[1:]}"
    arch = tag.platform.split("_", 3)[3]  # musllinux_1_2_<arch>
    return python, arch


def _json_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UserError(f"{path}: expected a JSON list of objects")
    return data


def _cell(item: dict[str, Any], path: Path) -> Cell:
    fields = ("module", "version", "python", "arch")
    missing = [field for field in fields if not isinstance(item.get(field), str)]
    if missing:
        raise UserError(f"{path}: entry {item} lacks string field(s) {', '.join(missing)}")
    if item["arch"] not in ARCHES:
        raise UserError(f"{path}: arch {item['arch']!r} in {item} is not one of {ARCHES}")
    return Cell(canonicalize_name(item["module"]), item["version"], item["python"], item["arch"])
