"""`add`: put into matrix.yml exactly the distributions `check` finds would compile."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from packaging.specifiers import SpecifierSet

from generator.check.builds import pinned
from generator.check.model import Source, TargetReport, Verdict
from generator.check.requirements import RequirementLine, parse_requirement, read_requirements
from generator.commands.check import add_target_arguments, check
from generator.commands.common import Subparsers, add_matrix_argument, path_arg
from generator.core.platforms import arch_sort_key, python_sort_key
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.matrix.edit import NewModule, add_modules
from generator.matrix.load import LoadedMatrix, load_matrix, parse_matrix


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "add",
        help="add to matrix.yml what `check` finds would compile (comments and layout kept)",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME[==VER]",
        help="requirements to add (their closure is checked too), e.g. psycopg2==2.9.10",
    )
    parser.add_argument(
        "-r",
        "--requirement",
        dest="requirements",
        type=path_arg,
        metavar="FILE",
        help="a requirements file, as for `check`",
    )
    add_target_arguments(parser)
    add_matrix_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    requirements = _requirements(args)
    matrix = load_matrix(args.matrix)
    reports = check(requirements, args)
    new, refused = choose(reports, matrix, args.python or [], args.arch or [])
    for name, why in refused:
        print(f"add: not adding {name}: {why}", file=sys.stderr)
    if not new:
        if refused:
            raise UserError(f"{matrix.path}: nothing added — see the reasons above")
        print("add: nothing to add — every distribution installs without a compiler")
        return 0
    text = add_modules(matrix.path.read_text(encoding="utf-8"), matrix.path, new)
    parse_matrix(text, matrix.path)  # the result is a valid matrix, or nothing is written
    write_atomically(matrix.path, text)
    for module in new:
        print(f"add: {module.name} {' '.join(module.versions)} → {matrix.path}")
    return 0


def choose(
    reports: Sequence[TargetReport],
    matrix: LoadedMatrix,
    pythons: Sequence[str],
    archs: Sequence[str],
) -> tuple[list[NewModule], list[tuple[str, str]]]:
    """The modules to add (would compile somewhere, not in the matrix yet) and the
    distributions refused, with why."""
    by_name: dict[str, list[Verdict]] = {}
    for report in reports:
        for verdict in report.verdicts:
            if not verdict.source.served:
                by_name.setdefault(verdict.name, []).append(verdict)
    present = {module.name for module in matrix.modules}
    new: list[NewModule] = []
    refused: list[tuple[str, str]] = []
    for name, verdicts in by_name.items():
        buildable = [v for v in verdicts if v.source == Source.COMPILE]
        if name in present:
            refused.append((name, f"already in {matrix.path.name} — edit its entry there"))
        elif not buildable:
            refused.append((name, verdicts[0].detail))
        else:
            new.append(NewModule(name, _versions(buildable), *_targets(matrix, pythons, archs)))
    return new, refused


def _versions(verdicts: Sequence[Verdict]) -> tuple[str, ...]:
    """What the requirements asked (a pin stays a pin, a range a specifier, nothing is
    `latest`); for a distribution only the closure needs, the versions pip resolved."""
    asked = next((v for v in verdicts if v.requested), None)
    if asked is None:
        return tuple(sorted({v.version for v in verdicts}))
    specifier = SpecifierSet(asked.specifier)
    if len(specifier) == 1 and pinned(specifier):
        return (next(iter(specifier)).version,)
    return (str(specifier),) if asked.specifier else ("latest",)


def _targets(
    matrix: LoadedMatrix, pythons: Sequence[str], archs: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Pythons and archs asked for, left out where they are the matrix's defaults."""
    defaults = matrix.model.defaults
    python = sorted(set(pythons), key=python_sort_key)
    arch = sorted(set(archs), key=arch_sort_key)
    same_python = not python or set(python) == set(defaults.python)
    same_arch = not arch or set(arch) == set(defaults.arch)
    return (() if same_python else tuple(python)), (() if same_arch else tuple(arch))


def _requirements(args: argparse.Namespace) -> tuple[RequirementLine, ...]:
    lines = list(read_requirements(args.requirements)) if args.requirements else []
    for number, text in enumerate(args.names, start=1):
        where = f"argument {number}"
        lines.append(RequirementLine(parse_requirement(text, where), where, False))
    if not lines:
        raise UserError("add: nothing named — give NAME[==VERSION] or -r requirements.txt")
    return tuple(lines)
