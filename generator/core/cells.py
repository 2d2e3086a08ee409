"""Cells and how they are served: the vocabulary every stage shares.

A cell is one module version for one CPython on one musllinux arch. The lock gives each
cell one `Status`; everything else asked about a cell is derived from it here:

  build     no compatible wheel, or only a pure wheel that is a compiled project's slow
            fallback (generator.lock.statuses): this repository builds it
  upstream  PyPI has a compatible musllinux wheel: fetched, not built
  pure      a pure-Python wheel serves it: fetched, never built
  abi3      one abi3 build per arch serves several Pythons; `built_by` names the identifier
            of the one cell whose job builds it (the builder names itself)
  skip      not served, with a reason (requires-python, matrix exclusion, no sdist)

`made_here` (the wheel comes from a build of this repository: build and every abi3 cell)
and `needs_job` (a build job must produce it: build, and only the abi3 builder) differ on
purpose for abi3 cells that are not the builder. The catalog shows `Served`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from typing_extensions import TypedDict

from generator.core.platforms import ARCHS, PYTHONS, build_identifier
from generator.core.versions import is_exact_version

# PEP 508's project name (ASCII only: IGNORECASE alone lets `K`, the Kelvin sign, match).
_PROJECT_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE | re.ASCII)


def is_project_name(text: str) -> bool:
    """A name PyPI accepts for a project: it can never be read as an option or a path."""
    return _PROJECT_NAME.fullmatch(text) is not None


@dataclass(frozen=True, order=True)
class Family:
    """module × version × python: the cells one image list serves, one per arch."""

    module: str
    version: str
    python: str


class CellJson(TypedDict):
    """A cell in every JSON file that holds one (plan, results, cells, manifest, catalog)."""

    module: str
    version: str
    python: str
    arch: str


@dataclass(frozen=True, order=True)
class Cell:
    module: str  # PEP 503 normalised
    version: str
    python: str  # "3.12", free-threaded "3.14t"
    arch: str  # cibuildwheel's spelling: x86_64, aarch64, armv7l, ...

    def __str__(self) -> str:
        return f"{self.module}=={self.version} (python {self.python}, {self.arch})"

    @property
    def identifier(self) -> str:
        return build_identifier(self.python, self.arch)

    @property
    def requirement(self) -> str:
        return f"{self.module}=={self.version}"

    @property
    def family(self) -> Family:
        return Family(self.module, self.version, self.python)

    def to_json(self) -> CellJson:
        return {
            "module": self.module,
            "version": self.version,
            "python": self.python,
            "arch": self.arch,
        }

    @classmethod
    def from_json(cls, data: CellJson) -> Cell:
        """The cell of a (type-checked) JSON entry; ValueError for a module that is not a
        project name, a version that is not a PEP 440 version, an unknown arch or Python."""
        if not is_project_name(data["module"]):
            raise ValueError(f"module {data['module']!r} is not a project name")
        if not is_exact_version(data["version"]):
            raise ValueError(f"version {data['version']!r} is not a PEP 440 version")
        if data["arch"] not in ARCHS:
            raise ValueError(f"arch {data['arch']!r} is not one of {', '.join(ARCHS)}")
        if data["python"] not in PYTHONS:
            raise ValueError(f"python {data['python']!r} is not one of {', '.join(PYTHONS)}")
        return cls(canonicalize_name(data["module"]), data["version"], data["python"], data["arch"])


@dataclass(frozen=True)
class SkippedCell:
    cell: Cell
    reason: str


class Status(enum.StrEnum):
    """How the lock serves a cell (decided in generator.lock.statuses only)."""

    BUILD = "build"
    UPSTREAM = "upstream"
    PURE = "pure"
    ABI3 = "abi3"
    SKIP = "skip"

    @property
    def made_here(self) -> bool:
        """The cell's wheel comes from a build of this repository."""
        return self in (Status.BUILD, Status.ABI3)

    @property
    def fetched(self) -> bool:
        """The cell's wheel is another project's, taken from the index."""
        return self in (Status.UPSTREAM, Status.PURE)

    @property
    def served(self) -> bool:
        return self is not Status.SKIP


def needs_job(status: Status, identifier: str, built_by: str | None) -> bool:
    """A build job must produce this cell: a `build` cell, or the builder of an abi3 group."""
    return status is Status.BUILD or (status is Status.ABI3 and built_by == identifier)


class Served(enum.StrEnum):
    """What the catalog shows for a cell."""

    BUILT = "built"  # built by this repository (this run, or already in wheels/)
    UPSTREAM = "upstream"  # a compatible musllinux wheel exists on PyPI
    PURE = "pure"  # a pure-Python wheel serves it
    FAILED = "failed"  # its build failed; retried after a back-off
    MISSING = "missing"  # nothing installable yet


def served_as(status: Status, published: bool, failed: bool = False) -> Served | None:
    """The catalog status of a locked cell; `published`: its wheel from a build here exists
    (in wheels/ or from this run); `failed`: its build failed and is not yet retried with
    success. None for skipped cells, which the catalog leaves out."""
    if status is Status.SKIP:
        return None
    if status.fetched:
        return Served(status.value)
    if published:
        return Served.BUILT
    return Served.FAILED if failed else Served.MISSING


class Origin(enum.StrEnum):
    """Where a file a publish run gathered comes from."""

    BUILT = "built"  # an artifact of this run's build jobs
    FETCHED = "fetched"  # an upstream or pure wheel the lock named, sha256-checked
    DEPENDENCY = "dependency"  # part of a cell's runtime closure, found by pip
