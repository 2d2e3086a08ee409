"""Which version of each matrix module a bundle image takes: one this repository published.

A bundle resolves online (its other members come from the index), and the index may offer a
module at a version this repository never built or checked — or a pure fallback where this
repository built the platform wheel. A pip constraints file pins every module of the matrix to
the newest version published here for the target that the bundle's own requirements allow,
so pip takes the module from this repository's wheels or fails; a module with nothing
published for the target gets a constraint no version meets, which pip reports as a
conflict (see UNPUBLISHED).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from generator.core.tags import installs
from generator.core.wheels import parse_wheel_name

# `===` compares the version text: no release is called this, so pip can pick no version.
UNPUBLISHED = "unpublished-here"


def published_versions(
    folders: Iterable[Path], python: str, arch: str
) -> dict[NormalizedName, set[Version]]:
    """Project → the versions with a wheel in `folders` (and their subfolders) that installs
    as CPython `python` on musllinux `arch`."""
    found: dict[NormalizedName, set[Version]] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.whl"):
            wheel = parse_wheel_name(path.name)
            if installs(wheel.tags, python, arch):
                found.setdefault(canonicalize_name(wheel.project), set()).add(wheel.version)
    return found


def module_constraints(
    modules: Iterable[str],
    requirements: Sequence[str],
    published: dict[NormalizedName, set[Version]],
) -> list[str]:
    """Constraint lines for pip: `markupsafe==3.0.2` for every module (sorted), the newest
    published version the bundle's requirements on it allow; `name===unpublished-here` when
    none is published for the target or none is allowed."""
    wanted = [Requirement(text) for text in requirements]
    lines = []
    for module in sorted({canonicalize_name(name) for name in modules}):
        specifiers = [r.specifier for r in wanted if canonicalize_name(r.name) == module]
        allowed = [
            version
            for version in published.get(module, set())
            if all(spec.contains(version, prereleases=True) for spec in specifiers)
        ]
        lines.append(f"{module}=={max(allowed)}" if allowed else f"{module}==={UNPUBLISHED}")
    return lines
