"""Bundles of matrix.yml → what each bundle image installs together, for which Pythons/archs.

A bundle names distributions, in matrix.yml or in a requirements file of the repository: modules
of this matrix (taken from this repository's wheels) and any other project (taken from the index
at publish time, with their dependencies). Checking it stays offline: whether a name that is not
a module exists on the index is asked when the bundle is published. The bundle covers the
Pythons and archs every module among its members builds (the matrix defaults when none is).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from packaging.requirements import Requirement
from packaging.utils import InvalidName, canonicalize_name

from generator.core.platforms import ARCHS, PYTHONS
from generator.core.requirements_text import (
    NotARequirement,
    RequirementWithURL,
    index_requirement,
    logical_lines,
)
from generator.errors import MatrixError, UserError
from generator.fileio import read_text
from generator.matrix.model import BundleSpec, Matrix, ResolvedModule
from generator.matrix.yamlpos import LocatedDocument, Path

MAX_REQUIREMENTS_BYTES = 1_000_000  # a requirements file, not a data file


@dataclass(frozen=True)
class ResolvedBundle:
    name: str
    requirements: tuple[str, ...]  # what pip resolves together: `lxml`, `psycopg2==2.9.10`
    members: tuple[str, ...]  # their canonical names: modules of this matrix or index projects
    pythons: tuple[str, ...]
    archs: tuple[str, ...]
    # Where each requirement is written (`matrix.yml:12:9`, `apps/web.txt:3:1`), for the
    # publish-time error about a name the index does not know; moving a line changes no image.
    places: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class _Named:
    requirement: Requirement
    place: str


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def resolve_bundles(
    model: Matrix, modules: Sequence[ResolvedModule], document: LocatedDocument, root: FsPath
) -> tuple[tuple[ResolvedBundle, ...], list[MatrixError]]:
    """Every bundle checked against the resolved modules; the problems, located."""
    known = {module.name: module for module in modules}
    bundles: list[ResolvedBundle] = []
    errors: list[MatrixError] = []
    for name, spec in model.bundles.items():
        where: Path = ("bundles", name)
        problems = _tag_clash(name, known, document, where)
        if spec.modules is not None:
            shorthand = isinstance(_bundle_data(document, name), list)
            at: Path = where if shorthand else (*where, "modules")
            requirements, found = _from_list(spec.modules, document, at)
        else:
            requirements, found = _from_file(spec, document, where, root)
        problems += found
        if not problems:
            bundle, problems = _targets(name, requirements, known, model, document, where)
            if bundle is not None:
                bundles.append(bundle)
        errors += problems
    return tuple(bundles), errors


def _bundle_data(document: LocatedDocument, name: str) -> object:
    data = document.data
    return data.get("bundles", {}).get(name) if isinstance(data, dict) else None


def _tag_clash(
    name: str, known: dict[str, ResolvedModule], document: LocatedDocument, where: Path
) -> list[MatrixError]:
    # A module's moving tag is `<module>-py<X.Y>`: module `bundle-web` would share `web`'s tags.
    if f"bundle-{name}" not in known:
        return []
    return [
        document.error(
            where,
            f"bundle '{name}' would share its tags bundle-{name}-py<X.Y> with module "
            f"'bundle-{name}'",
            "rename the bundle",
            at_key=True,
        )
    ]


def _from_list(
    names: list[str], document: LocatedDocument, at: Path
) -> tuple[list[_Named], list[MatrixError]]:
    requirements: list[_Named] = []
    errors: list[MatrixError] = []
    for index, spelled in enumerate(names):
        problem = _name_problem(spelled)
        taken = {named.requirement.name for named in requirements}
        if problem is None and canonicalize_name(spelled) in taken:
            problem = (f"'{spelled}' is listed twice in this bundle", "keep one")
        mark = document.mark_of_value((*at, index))
        if problem is not None:
            errors.append(document.error((*at, index), *problem))
        else:
            place = f"{document.source}:{mark.line}:{mark.column}"
            requirements.append(_Named(Requirement(canonicalize_name(spelled)), place))
    return requirements, errors


def _name_problem(spelled: str) -> tuple[str, str] | None:
    try:
        canonicalize_name(spelled, validate=True)
    except InvalidName:
        return (
            f"'{spelled}' is not a valid distribution name",
            "use a module of `modules:` or a project name of the index "
            "(letters, digits, '.', '_', '-')",
        )
    return None


def unknown_name_hint(name: str, modules: Sequence[str]) -> str:
    """`did you mean 'lxml'? ` when a name the index lacks is close to a module's."""
    close = difflib.get_close_matches(name, modules, n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def _from_file(
    spec: BundleSpec,
    document: LocatedDocument,
    where: Path,
    root: FsPath,
) -> tuple[list[_Named], list[MatrixError]]:
    relative = spec.requirements or ""
    at: Path = (*where, "requirements")
    file = root / relative
    shown = str(FsPath(document.source).parent / relative)
    if not file.resolve().is_relative_to(root.resolve()):
        # The publish job reads it from its checkout: a path out of the repository would
        # make the images depend on whatever that path holds on the runner.
        return [], [
            document.error(
                at,
                f"requirements file '{relative}' is outside the repository",
                "put it in the repository and give its path relative to matrix.yml",
            )
        ]
    if not file.is_file():
        return [], [
            document.error(
                at,
                f"requirements file '{relative}' does not exist",
                "create it next to matrix.yml or fix the path",
            )
        ]
    lines, problem = _read_lines(file, shown)
    if problem is not None:
        return [], [problem]
    requirements: list[_Named] = []
    errors: list[MatrixError] = []
    for line in lines:
        requirement, error = _requirement(line, shown, requirements)
        if error is not None:
            errors.append(error)
        elif requirement is not None:
            requirements.append(_Named(requirement, f"{shown}:{line.number}:1"))
    if not requirements and not errors:
        errors.append(
            document.error(
                at,
                f"requirements file '{relative}' names no requirement",
                "list the bundle's distributions in it, one a line",
            )
        )
    return requirements, errors


def _read_lines(file: FsPath, shown: str) -> tuple[list[_Line], MatrixError | None]:
    try:
        size = file.stat().st_size
    except OSError as error:
        return [], MatrixError(shown, 1, 1, f"cannot be read ({error})", "check the file")
    if size > MAX_REQUIREMENTS_BYTES:
        return [], MatrixError(
            shown, 1, 1, "larger than 1 MB: not a requirements file", "give the right file"
        )
    text = read_text(
        file, missing="create it next to matrix.yml or fix the path", unreadable="check the file"
    )
    return [_Line(number, line) for number, line in logical_lines(text)], None


def _requirement(
    line: _Line, shown: str, taken: list[_Named]
) -> tuple[Requirement | None, MatrixError | None]:
    def error(what: str, fix: str) -> tuple[None, MatrixError]:
        return None, MatrixError(shown, line.number, 1, what, fix)

    if line.text.startswith("-"):
        return error(
            f"'{line.text}': pip options are not taken in a bundle's requirements file",
            "list requirements only (the index is matrix.yml's `index-url`, else PyPI)",
        )
    try:
        requirement = index_requirement(line.text)
    except NotARequirement as problem:
        return error(f"'{line.text}' is not a requirement ({problem})", "write e.g. lxml>=6")
    except RequirementWithURL:
        return error(
            f"'{line.text}' names a URL",
            "drop the URL: a bundle holds wheels from this repository or the index",
        )
    requirement.name = canonicalize_name(requirement.name)
    if requirement.name in {named.requirement.name for named in taken}:
        return error(f"'{requirement.name}' is listed twice in this file", "keep one line")
    return requirement, None


def _targets(
    name: str,
    requirements: list[_Named],
    known: dict[str, ResolvedModule],
    model: Matrix,
    document: LocatedDocument,
    where: Path,
) -> tuple[ResolvedBundle | None, list[MatrixError]]:
    """The Pythons and archs every module among the members builds: only there can all of
    them install; a bundle of index projects alone takes the matrix defaults."""
    modules = [known[n.requirement.name] for n in requirements if n.requirement.name in known]
    python_sets = [m.pythons for m in modules] or [tuple(model.defaults.python)]
    arch_sets = [m.archs for m in modules] or [tuple(model.defaults.arch)]
    pythons = tuple(p for p in PYTHONS if all(p in found for found in python_sets))
    archs = tuple(a for a in ARCHS if all(a in found for found in arch_sets))
    for what, found in (("Python", pythons), ("arch", archs)):
        if not found:
            return None, [
                document.error(
                    where,
                    f"the modules of bundle '{name}' have no {what} in common",
                    f"give them a common {what.lower()} or split the bundle",
                    at_key=True,
                )
            ]
    bundle = ResolvedBundle(
        name=name,
        requirements=tuple(str(n.requirement) for n in requirements),
        members=tuple(n.requirement.name for n in requirements),
        pythons=pythons,
        archs=archs,
        places=tuple(n.place for n in requirements),
    )
    return bundle, []


def named_bundles(
    bundles: Sequence[ResolvedBundle], values: Sequence[str], option: str = "--bundle"
) -> list[ResolvedBundle]:
    """The bundles `values` name (space or comma separated; `all` = every bundle), in
    matrix order; a name matrix.yml does not have is a UserError naming the option."""
    names = {canonical for value in values for canonical in value.replace(",", " ").split()}
    if "all" in names:
        return list(bundles)
    known = {bundle.name for bundle in bundles}
    for name in sorted(names - known):
        listed = ", ".join(sorted(known)) or "none"
        raise UserError(
            f"{option} {name}: matrix.yml has no bundle '{name}' — use one of: {listed} (or all)"
        )
    return [bundle for bundle in bundles if bundle.name in names]
