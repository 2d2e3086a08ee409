"""Bundles of matrix.yml → what each bundle image installs together, for which Pythons/archs.

A bundle names modules of this matrix, in matrix.yml or in a requirements file of the
repository. Its images hold pip's offline resolution of all of them at once, so every member
must be a module here (the repository serves only its modules' wheels and their
dependencies), and the bundle covers the Pythons and archs every member builds.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from generator.core.platforms import ARCHS, PYTHONS
from generator.errors import MatrixError
from generator.matrix.model import BundleSpec, Matrix, ResolvedModule
from generator.matrix.yamlpos import LocatedDocument, Path

MAX_REQUIREMENTS_BYTES = 1_000_000  # a requirements file, not a data file


@dataclass(frozen=True)
class ResolvedBundle:
    name: str
    requirements: tuple[str, ...]  # what pip resolves together: `lxml`, `psycopg2==2.9.10`
    members: tuple[str, ...]  # the canonical module names among them
    pythons: tuple[str, ...]
    archs: tuple[str, ...]


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
            requirements, found = _from_list(spec.modules, known, document, at)
        else:
            requirements, found = _from_file(spec, known, document, where, root)
        problems += found
        if not problems:
            bundle, problems = _targets(name, requirements, known, document, where)
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
    names: list[str], known: dict[str, ResolvedModule], document: LocatedDocument, at: Path
) -> tuple[list[Requirement], list[MatrixError]]:
    requirements: list[Requirement] = []
    errors: list[MatrixError] = []
    for index, spelled in enumerate(names):
        problem = _member_problem(spelled, known)
        if problem is None and canonicalize_name(spelled) in {r.name for r in requirements}:
            problem = (f"'{spelled}' is listed twice in this bundle", "keep one")
        if problem is not None:
            errors.append(document.error((*at, index), *problem))
        else:
            requirements.append(Requirement(canonicalize_name(spelled)))
    return requirements, errors


def _member_problem(spelled: str, known: dict[str, ResolvedModule]) -> tuple[str, str] | None:
    try:
        name = canonicalize_name(spelled, validate=True)
    except InvalidName:
        return (
            f"'{spelled}' is not a valid distribution name",
            "use a module name from `modules:` (letters, digits, '.', '_', '-')",
        )
    if name in known:
        return None
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"'{spelled}' is not a module of this matrix",
        f"{hint}add it under `modules:` or leave it out (a bundle holds this repository's "
        "modules and their dependencies)",
    )


def _from_file(
    spec: BundleSpec,
    known: dict[str, ResolvedModule],
    document: LocatedDocument,
    where: Path,
    root: FsPath,
) -> tuple[list[Requirement], list[MatrixError]]:
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
    requirements: list[Requirement] = []
    errors: list[MatrixError] = []
    for line in lines:
        requirement, error = _requirement(line, shown, known, requirements)
        if error is not None:
            errors.append(error)
        elif requirement is not None:
            requirements.append(requirement)
    if not requirements and not errors:
        errors.append(
            document.error(
                at,
                f"requirements file '{relative}' names no module",
                "list the bundle's modules in it, one a line",
            )
        )
    return requirements, errors


def _read_lines(file: FsPath, shown: str) -> tuple[list[_Line], MatrixError | None]:
    try:
        if file.stat().st_size > MAX_REQUIREMENTS_BYTES:
            return [], MatrixError(
                shown, 1, 1, "larger than 1 MB: not a requirements file", "give the right file"
            )
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], MatrixError(shown, 1, 1, f"cannot be read ({error})", "check the file")
    lines: list[_Line] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\"):  # pip's line continuation
            pending += raw[:-1]
            continue
        content = (pending + raw).split(" #", 1)[0].split("\t#", 1)[0]
        pending = ""
        if content.strip() and not content.lstrip().startswith("#"):
            lines.append(_Line(start, content.strip()))
    return lines, None


def _requirement(
    line: _Line, shown: str, known: dict[str, ResolvedModule], taken: list[Requirement]
) -> tuple[Requirement | None, MatrixError | None]:
    def error(what: str, fix: str) -> tuple[None, MatrixError]:
        return None, MatrixError(shown, line.number, 1, what, fix)

    if line.text.startswith("-"):
        return error(
            f"'{line.text}': pip options are not taken in a bundle's requirements file",
            "list requirements only (the images install from this repository's wheels)",
        )
    try:
        requirement = Requirement(line.text)
    except InvalidRequirement as problem:
        reason = str(problem).splitlines()[0]  # packaging adds a caret drawing below
        return error(f"'{line.text}' is not a requirement ({reason})", "write e.g. lxml>=6")
    if requirement.url:
        return error(
            f"'{line.text}' names a URL",
            "drop the URL: a bundle holds this repository's wheels of the module",
        )
    requirement.name = canonicalize_name(requirement.name)
    member = _member_problem(requirement.name, known)
    if member is not None:
        return error(*member)
    if requirement.name in {r.name for r in taken}:
        return error(f"'{requirement.name}' is listed twice in this file", "keep one line")
    return requirement, None


def _targets(
    name: str,
    requirements: list[Requirement],
    known: dict[str, ResolvedModule],
    document: LocatedDocument,
    where: Path,
) -> tuple[ResolvedBundle | None, list[MatrixError]]:
    """The Pythons and archs every member builds: only there can all of them install."""
    members = [known[r.name] for r in requirements]
    pythons = tuple(p for p in PYTHONS if all(p in m.pythons for m in members))
    archs = tuple(a for a in ARCHS if all(a in m.archs for m in members))
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
        requirements=tuple(str(r) for r in requirements),
        members=tuple(r.name for r in requirements),
        pythons=pythons,
        archs=archs,
    )
    return bundle, []
