"""Load matrix.yml: YAML with positions → pydantic model → resolved modules.

Every problem becomes a MatrixError at `matrix.yml:LINE:COL`; all problems found
in one pass are reported together so a contributor fixes them in one go.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name
from pydantic import BaseModel, ValidationError

from generator.errors import MatrixError, UserError
from generator.fileio import read_text
from generator.matrix.bundles import ResolvedBundle, resolve_bundles
from generator.matrix.model import (
    BundleSpec,
    Defaults,
    Exclusion,
    Matrix,
    ModuleSpec,
    ResolvedModule,
)
from generator.matrix.policy import parse_policy
from generator.matrix.yamlpos import LocatedDocument, Path, load_located

DEFAULT_MATRIX = "matrix.yml"


@dataclass(frozen=True)
class LoadedMatrix:
    path: FsPath
    model: Matrix
    modules: tuple[ResolvedModule, ...]
    bundles: tuple[ResolvedBundle, ...] = ()

    @property
    def root(self) -> FsPath:
        """The repository the matrix belongs to (hooks/ and wheels/ live beside it)."""
        return self.path.parent

    def module(self, name: str) -> ResolvedModule:
        wanted = canonicalize_name(name)
        for module in self.modules:
            if module.name == wanted:
                return module
        known = ", ".join(m.name for m in self.modules)
        raise UserError(f"module '{name}' is not in {self.path.name} — known modules: {known}")


class MatrixErrors(UserError):
    """Several located problems, one per line."""

    def __init__(self, errors: list[MatrixError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def load_matrix(path: str | FsPath = DEFAULT_MATRIX) -> LoadedMatrix:
    file = FsPath(path)
    text = read_text(file, missing="pass --matrix PATH or create it", unreadable="check the file")
    return parse_matrix(text, file)


def parse_matrix(text: str, file: FsPath) -> LoadedMatrix:
    """Validate matrix text as if it were the file `file` (hooks are looked up beside it)."""
    document = load_located(text, str(file))
    model = _validate(document)
    root = file.resolve().parent
    modules = _resolve(model, document, root)
    bundles, errors = resolve_bundles(model, modules, document, root)
    if errors:
        raise MatrixErrors(errors)
    return LoadedMatrix(file.resolve(), model, modules, bundles)


def _validate(document: LocatedDocument) -> Matrix:
    if document.data is None:
        raise document.error((), "the matrix is empty", "add a `modules:` mapping")
    if not isinstance(document.data, dict):
        raise document.error(
            (), "not a matrix: expected a mapping with `modules:`", "see README: matrix.yml"
        )
    empty = [_no_value(document, path) for path in _paths_to_nothing(document.data, ())]
    if empty:
        raise MatrixErrors(sorted(empty, key=lambda e: (e.line, e.column)))
    try:
        return Matrix.model_validate(document.data)
    except ValidationError as error:
        problems = [_locate(document, detail) for detail in error.errors()]
        raise MatrixErrors(_unique(problems)) from None


def _paths_to_nothing(value: object, path: Path) -> list[Path]:
    """Where a key is written with no value (`prefer:` alone): YAML reads it as null, which
    would silently mean "not set" for an optional key — never what the writer meant."""
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in ([(*path, key)] if item is None else _paths_to_nothing(item, (*path, key)))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _paths_to_nothing(item, (*path, index))
        ]
    return []


def _no_value(document: LocatedDocument, path: Path) -> MatrixError:
    field = str(path[-1])
    fix = _PATTERN_FIX.get(field) or f"write {_expected(path, field, {'msg': 'a value'})}"
    return document.error(path, f"'{field}' has no value", f"{fix}, or remove the line")


def _unique(errors: list[tuple[Path, MatrixError]]) -> list[MatrixError]:
    """Union types report one error per branch for the same value: keep the first, and
    drop an error about a whole value when another branch names a part inside it."""
    seen: dict[Path, MatrixError] = {}
    for path, error in errors:
        seen.setdefault(path, error)
    deepest = {
        path: error
        for path, error in seen.items()
        if not any(other[: len(path)] == path and other != path for other in seen)
    }
    return sorted(deepest.values(), key=lambda e: (e.line, e.column))


# What each place expects, for type errors (pydantic's own wording names Python types).
_EXPECTED = {
    "modules": "a mapping of module name → versions or settings",
    "defaults": "a mapping with python, arch, versions",
    "versions": "a version, a list of versions, a specifier, latest or latest:N",
    "python": 'a list of Python versions, e.g. ["3.12", "3.13"]',
    "arch": "a list of archs, e.g. [x86_64, aarch64]",
    "apk": "a list of Alpine package names",
    "environment": "a mapping NAME: value",
    "exclude": "a list of {python, arch, versions, reason} mappings",
    "pre-releases": "true or false",
    "keep-versions": "a whole number of versions to keep per module, at least 1",
    "images": "a mapping arch → image reference, e.g. {x86_64: mirror/musllinux_1_2_x86_64}",
    "reason": "a sentence saying why",
    "prefer": "build or wheel",
    "bundles": "a mapping of bundle name → a list of distributions or {requirements: FILE}",
    "requirements": "a path to a requirements file in this repository, e.g. requirements.txt",
}
_PATTERN_FIX = {
    "before-all": "give a path inside hooks/ (no `..`), e.g. hooks/lxml.sh",
    "before-build": "give a path inside hooks/ (no `..`), e.g. hooks/numpy-before-build.sh",
    "import": "give a dotted Python import path, e.g. yaml or lxml.etree",
    "apk": "give an Alpine package name, e.g. libffi-dev",
    "environment": "use a shell variable name: letters, digits, _ (not a digit first)",
    "index-url": "give an http(s) URL of a simple index, e.g. https://pypi.org/simple/",
    "registry": "give HOST/NAMESPACE in lower case, e.g. docker.io/myname/musl-wheels",
    "images": "give an image reference, e.g. mirror.example/pypa/musllinux_1_2_x86_64:2026.11",
    "bundles": "use lower-case letters, digits and single '-', at most 64, e.g. web-app",
}


def _locate(document: LocatedDocument, detail: Any) -> tuple[Path, MatrixError]:
    kind: str = detail["type"]
    path = _data_path(document.data, detail["loc"], names_key=kind in _KEY_ERRORS)
    return path, _explain(document, detail, kind, path)


def _explain(document: LocatedDocument, detail: Any, kind: str, path: Path) -> MatrixError:
    field = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        return _unknown_key(document, path)
    if kind == "missing":
        return document.error(
            path, f"'{detail['loc'][-1]}' is missing", f"add `{detail['loc'][-1]}:`"
        )
    if kind == "value_error":
        what, _, fix = str(detail["ctx"]["error"]).partition(" — ")
        return document.error(path, what, fix or "fix the value")
    if kind == "too_short":
        if path == ("modules",):
            return document.error(path, "the matrix has no modules", "add at least one module")
        if path[:1] == ("bundles",):
            return document.error(
                path, f"bundle '{path[1]}' is empty", "list its distributions or remove it"
            )
        return document.error(path, f"'{field}' is empty", "list at least one entry or remove it")
    if kind == "string_pattern_mismatch" or (
        kind == "string_too_long" and "[key]" in detail["loc"]
    ):
        return _pattern_mismatch(document, detail, path)
    expected = _expected(path, field, detail)
    shown = _describe(_value_at(document.data, path))
    return document.error(path, f"'{field or 'matrix'}' has {shown}", f"write {expected}")


def _pattern_mismatch(document: LocatedDocument, detail: Any, path: Path) -> MatrixError:
    if "[key]" in detail["loc"]:  # a mapping key (an environment variable name)
        field = str(path[-2]) if len(path) > 1 else ""
        return document.error(
            path,
            f"'{path[-1]}' is not valid as a name in '{field}'",
            _PATTERN_FIX.get(field, "fix the name"),
            at_key=True,
        )
    field = next((p for p in reversed(path) if isinstance(p, str) and p in _PATTERN_FIX), "")
    shown = _value_at(document.data, path)
    return document.error(
        path,
        f"'{shown}' is not valid for '{field or path[-1]}'",
        _PATTERN_FIX.get(field, "fix the value"),
    )


def _expected(path: Path, field: str, detail: Any) -> str:
    if len(path) == 2 and path[0] == "modules":  # a module's entry itself
        return 'a version in quotes ("6.0.2"), a list of versions, or a mapping of settings'
    if path[:1] == ("bundles",) and len(path) > 1:
        if len(path) == 2:  # a bundle's entry itself
            return "a list of distribution names, or {modules: [...]} or {requirements: FILE}"
        if field == "modules" or isinstance(path[-1], int):
            return "a list of distribution names, e.g. [lxml, django]"
    if field == "versions" and "exclude" in path:
        return 'a PEP 440 specifier in quotes, e.g. "<2" or "==1.0.*"'
    return _EXPECTED.get(field, str(detail["msg"]).lower())


def _unknown_key(document: LocatedDocument, path: Path) -> MatrixError:
    key = str(path[-1])
    allowed = _allowed_keys(path[:-1])
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return document.error(
        path, f"unknown key '{key}'", f"{hint}allowed here: {', '.join(allowed)}", at_key=True
    )


def _allowed_keys(parent: Path) -> list[str]:
    model: type[BaseModel] = Matrix
    if parent[:1] == ("defaults",):
        model = Defaults
    elif parent[:1] == ("modules",):
        model = Exclusion if "exclude" in parent else ModuleSpec
    elif parent[:1] == ("bundles",):
        model = BundleSpec
    return [field.alias or name for name, field in model.model_fields.items()]


_KEY_ERRORS = ("extra_forbidden", "missing")


def _data_path(data: object, loc: tuple[str | int, ...], *, names_key: bool) -> Path:
    """Keep the parts of pydantic's loc that exist in the data (drop union branch tags).

    With `names_key`, the last part is a key that is missing or unknown: keep it."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if _has_child(node, part):
            node = node[part]  # type: ignore[index]
        elif not (names_key and part == loc[-1]):
            continue  # a union branch tag, not a place in the data
        path.append(part)
    return tuple(path)


def _has_child(node: object, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _value_at(data: object, path: Path) -> object:
    node = data
    for part in path:
        node = node[part]  # type: ignore[index]
    return node


def _describe(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}
    if value is None:
        return "no value"
    return names.get(type(value), f"the number {value}")


def _resolve(model: Matrix, document: LocatedDocument, root: FsPath) -> tuple[ResolvedModule, ...]:
    errors: list[MatrixError] = []
    resolved: list[ResolvedModule] = []
    first_spelling: dict[str, str] = {}
    for spelled, spec in model.modules.items():
        problems = _check_module(spelled, spec, document, root, first_spelling)
        errors.extend(problems)
        if not problems:
            resolved.append(_apply_defaults(spelled, spec, model.defaults))
    if errors:
        raise MatrixErrors(errors)
    return tuple(resolved)


def _check_module(
    spelled: str,
    spec: ModuleSpec,
    document: LocatedDocument,
    root: FsPath,
    first_spelling: dict[str, str],
) -> list[MatrixError]:
    where = ("modules", spelled)
    try:
        name = canonicalize_name(spelled, validate=True)
    except InvalidName:
        return [
            document.error(
                where,
                f"'{spelled}' is not a valid distribution name",
                "use the project's name on PyPI (letters, digits, '.', '_', '-')",
                at_key=True,
            )
        ]
    if name in first_spelling:
        first = document.mark_of_key(("modules", first_spelling[name]))
        return [
            document.error(
                where,
                f"'{spelled}' is the same module as '{first_spelling[name]}' (line {first.line})",
                "keep one entry",
                at_key=True,
            )
        ]
    first_spelling[name] = spelled
    return _check_hooks(spec, where, document, root) + _check_exclusions(spec, where, document)


def _check_hooks(
    spec: ModuleSpec, where: Path, document: LocatedDocument, root: FsPath
) -> list[MatrixError]:
    errors = []
    for key, hook in (("before-all", spec.before_all), ("before-build", spec.before_build)):
        if hook is None:
            continue
        if not (root / hook).is_file():
            errors.append(
                document.error(
                    (*where, key),
                    f"hook file '{hook}' does not exist",
                    f"create {hook} next to matrix.yml or fix the path",
                )
            )
        elif not (root / hook).resolve().is_relative_to((root / "hooks").resolve()):
            # The build container sees the repo only through /host: a link out of hooks/
            # would run whatever it points at on the runner's file system.
            errors.append(
                document.error(
                    (*where, key),
                    f"hook '{hook}' links outside hooks/",
                    f"put the script itself in {hook}",
                )
            )
    return errors


def _check_exclusions(
    spec: ModuleSpec, where: Path, document: LocatedDocument
) -> list[MatrixError]:
    errors = []
    for index, exclusion in enumerate(spec.exclude):
        at = (*where, "exclude", index)
        if exclusion.python is None and exclusion.arch is None and exclusion.versions is None:
            errors.append(
                document.error(
                    at, "this exclusion matches every cell", "name python, arch and/or versions"
                )
            )
        if exclusion.versions is not None:
            try:
                SpecifierSet(exclusion.versions)
            except InvalidSpecifier:
                errors.append(
                    document.error(
                        (*at, "versions"),
                        f"'{exclusion.versions}' is not a version specifier",
                        "write e.g. '<2' or '>=1,<1.5'",
                    )
                )
    return errors


def _apply_defaults(spelled: str, spec: ModuleSpec, defaults: Defaults) -> ResolvedModule:
    return ResolvedModule(
        name=canonicalize_name(spelled),
        spelled=spelled,
        policy=parse_policy(spec.versions if spec.versions is not None else defaults.versions),
        pythons=tuple(spec.python or defaults.python),
        archs=tuple(spec.arch or defaults.arch),
        pre_releases=defaults.pre_releases if spec.pre_releases is None else spec.pre_releases,
        spec=spec,
    )
