"""The import direction of generator/: each part imports only the parts before it.

Every module under generator/ is parsed with `ast` (nothing is imported or run), and each of
its `generator.*` imports (`import x`, `from x import y`, relative ones, and
`from generator import cli`) is checked against ALLOWED. A part is a subpackage of
generator/ or one of its top-level modules; a part may always import itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import generator

PACKAGE = Path(generator.__file__).resolve().parent
EVERYTHING = "*"

ALLOWED: dict[str, frozenset[str]] = {
    part: frozenset(allowed.split())
    for part, allowed in {
        "__init__": "",
        "errors": "",
        "fileio": "errors",
        "http": "errors fileio",
        "core": "errors",
        "pip": "errors core",
        "github": "errors fileio http",
        "matrix": "core errors fileio",
        "pypi": "errors http core",
        "lock": "core matrix pypi pip errors fileio http",
        "plan": "core matrix lock errors fileio",
        "build": "core matrix lock plan pypi pip errors fileio http",
        "publish": "core matrix lock plan pip errors fileio http github",
        "check": "core lock pypi pip errors fileio",
        "workflows": "core matrix plan errors fileio",
        "commands": EVERYTHING,
        "cli": "commands errors",
        "__main__": "cli",
    }.items()
}
MAX_TOP_LEVEL_MODULES = 8


@dataclass(frozen=True)
class Import:
    line: int
    target: str  # a dotted module name under generator, e.g. generator.core.cells


def module_name(path: Path) -> str:
    """generator/plan/select.py → generator.plan.select; a package → its __init__'s name."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(name: str) -> str:
    """generator.plan.select → plan; generator.cli → cli; generator → __init__."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def generator_imports(source: str, here: str, *, is_package: bool = False) -> list[Import]:
    """The generator imports in the source of module `here` (a dotted name)."""
    package = here if is_package else here.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module == "generator":  # from generator import cli: the names are modules
                found += [Import(node.lineno, f"generator.{alias.name}") for alias in node.names]
            else:
                found.append(Import(node.lineno, module))
    return [i for i in found if i.target == "generator" or i.target.startswith("generator.")]


def imports_of(path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    return generator_imports(source, module_name(path), is_package=path.name == "__init__.py")


def violations(path: Path) -> list[str]:
    shown = path.relative_to(PACKAGE.parent).as_posix()
    part = part_of(module_name(path))
    if part not in ALLOWED:
        return [f"{shown}: the part {part!r} is not in this test's ALLOWED table — add it"]
    allowed = ALLOWED[part]
    problems = []
    for found in imports_of(path):
        target = part_of(found.target)
        if target == part or EVERYTHING in allowed or target in allowed:
            continue
        listed = ", ".join(sorted(allowed)) or "nothing from generator"
        problems.append(
            f"{shown}:{found.line} imports {found.target} ({part} may import: {listed})"
        )
    return problems


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.relative_to(PACKAGE).as_posix()) for p in MODULES]
)
def test_imports_follow_the_layers(path: Path) -> None:
    problems = violations(path)
    assert not problems, "\n".join(problems)


def test_every_module_was_found() -> None:
    assert len(MODULES) > 50
    assert {part_of(module_name(p)) for p in MODULES} == set(ALLOWED)


def test_few_modules_sit_directly_in_generator() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, (
        f"{len(top)} modules directly in generator/ (at most {MAX_TOP_LEVEL_MODULES}): "
        f"{', '.join(top)} — put new code in a stage package"
    )


def test_every_subpackage_has_an_init() -> None:
    folders = {p.parent for p in MODULES} | {
        d for d in PACKAGE.iterdir() if d.is_dir() and d.name != "__pycache__"
    }
    missing = sorted(
        f.relative_to(PACKAGE.parent).as_posix()
        for f in folders
        if any(f.rglob("*.py")) and not (f / "__init__.py").is_file()
    )
    assert not missing, f"no __init__.py in: {', '.join(missing)}"


@pytest.mark.parametrize(
    ("source", "targets"),
    [
        pytest.param("import generator.core.cells", ["generator.core.cells"], id="import"),
        pytest.param("import generator", ["generator"], id="import generator"),
        pytest.param("from generator.lock import model", ["generator.lock"], id="from import"),
        pytest.param(
            "from generator import cli, errors",
            ["generator.cli", "generator.errors"],
            id="from generator import names",
        ),
        pytest.param("from . import jobs", ["generator.plan"], id="relative, same package"),
        pytest.param(
            "from .jobs import Plan", ["generator.plan.jobs"], id="relative, a sibling module"
        ),
        pytest.param(
            "from ..publish.repository import X",
            ["generator.publish.repository"],
            id="relative, parent package",
        ),
        pytest.param("from .. import cli", ["generator.cli"], id="relative, generator itself"),
        pytest.param(
            "def f() -> None:\n    from generator.publish import git\n",
            ["generator.publish"],
            id="inside a function",
        ),
        pytest.param(
            "import typing\nif typing.TYPE_CHECKING:\n    import generator.build\n",
            ["generator.build"],
            id="under TYPE_CHECKING",
        ),
        pytest.param("import os\nfrom packaging import tags", [], id="not generator"),
    ],
)
def test_imports_are_collected(source: str, targets: list[str]) -> None:
    """The collector itself, on source text as if it were generator/plan/select.py."""
    assert [i.target for i in generator_imports(source, "generator.plan.select")] == targets


def test_relative_imports_in_a_package_init() -> None:
    found = generator_imports("from . import jobs", "generator.plan", is_package=True)
    assert [i.target for i in found] == ["generator.plan"]
    found = generator_imports("from .. import cli", "generator.plan", is_package=True)
    assert [i.target for i in found] == ["generator.cli"]
