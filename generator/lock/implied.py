"""Modules a build needs but matrix.yml does not list: built with the matrix defaults, no hooks.

They are resolved by `update` into the lock (with the modules that need them); plan and build
treat them like matrix modules with a pinned version.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.utils import canonicalize_name

from generator.core.cells import Cell
from generator.core.platforms import ARCHS, PYTHONS, python_sort_key
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ModuleSpec, ResolvedModule
from generator.matrix.policy import Pinned


def implied_module(
    matrix: LoadedMatrix,
    name: str,
    versions: Iterable[str],
    cells: Iterable[Cell] = (),
) -> ResolvedModule:
    """An implied module with the matrix defaults, widened by the Pythons and archs of the
    cells the modules that need it use (their own entries may go beyond the defaults)."""
    defaults = matrix.model.defaults
    pythons = set(defaults.python)
    archs = set(defaults.arch)
    for cell in cells:
        pythons.add(cell.python)
        archs.add(cell.arch)
    return ResolvedModule(
        name=canonicalize_name(name),
        spelled=canonicalize_name(name),
        policy=Pinned(tuple(versions) or ("0",)),
        pythons=tuple(sorted(pythons & set(PYTHONS), key=python_sort_key)),
        archs=tuple(arch for arch in ARCHS if arch in archs),
        pre_releases=False,
        spec=ModuleSpec(),
    )
