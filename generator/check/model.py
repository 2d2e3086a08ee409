"""What `check` found for each distribution of a closure, per target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.core.platforms import abi_tag


class Source(StrEnum):
    PYPI = "pypi"  # a musllinux or pure wheel on the index pip resolves from
    REPOSITORY = "repository"  # a wheel of this repository (wheels/ or its published index)
    COMPILE = "compile"  # pip on Alpine would build it from its sdist
    UNAVAILABLE = "unavailable"  # no wheel for the target and no sdist: it cannot install

    @property
    def served(self) -> bool:
        return self in (Source.PYPI, Source.REPOSITORY)


@dataclass(frozen=True)
class Target:
    python: str
    arch: str

    @property
    def label(self) -> str:
        return f"Python {self.python} on {self.arch}"

    def describe(self) -> str:
        return f"{abi_tag(self.python)} musllinux {self.arch}"


@dataclass(frozen=True)
class Verdict:
    name: str  # canonical
    version: str
    source: Source
    detail: str  # the wheel's filename when served; why not, otherwise
    requested: bool = False  # named in the requirements (not only needed by one)
    specifier: str = ""  # what the requirements (or the requirer) asked, e.g. ==2.9.10

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "source": str(self.source),
            "detail": self.detail,
            "requested": self.requested,
            "specifier": self.specifier,
        }


@dataclass(frozen=True)
class TargetReport:
    target: Target
    verdicts: tuple[Verdict, ...]
    warnings: tuple[str, ...] = ()

    def of(self, source: Source) -> list[Verdict]:
        return [v for v in self.verdicts if v.source == source]

    @property
    def installs_without_compiler(self) -> bool:
        return all(v.source.served for v in self.verdicts)
