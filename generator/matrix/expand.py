"""Cells: one (module, version, Python, arch) each, minus the matrix's exclusions."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from generator.core.cells import Cell, SkippedCell
from generator.errors import UserError
from generator.matrix.model import ResolvedModule
from generator.matrix.policy import Pinned


def pinned_versions(module: ResolvedModule) -> tuple[str, ...]:
    """The versions a module asks for when they are known without PyPI."""
    if isinstance(module.policy, Pinned):
        return module.policy.versions
    raise UserError(
        f"module '{module.spelled}' asks for versions by policy, which needs PyPI — "
        "pin versions, or run `python -m generator update` to resolve them into the lock"
    )


def exclusion_reason(module: ResolvedModule, cell: Cell) -> str | None:
    for exclusion in module.spec.exclude:
        if exclusion.python is not None and cell.python not in exclusion.python:
            continue
        if exclusion.arch is not None and cell.arch not in exclusion.arch:
            continue
        if exclusion.versions is not None and not SpecifierSet(exclusion.versions).contains(
            Version(cell.version), prereleases=True
        ):
            continue
        return exclusion.reason
    return None


def expand(module: ResolvedModule, versions: Iterable[str]) -> tuple[list[Cell], list[SkippedCell]]:
    """All cells of a module for these versions, split into wanted and excluded."""
    wanted: list[Cell] = []
    skipped: list[SkippedCell] = []
    for version in versions:
        for arch in module.archs:
            for python in module.pythons:
                cell = Cell(module.name, version, python, arch)
                reason = exclusion_reason(module, cell)
                if reason is None:
                    wanted.append(cell)
                else:
                    skipped.append(SkippedCell(cell, f"excluded in matrix: {reason}"))
    return wanted, skipped
