"""`check`: would these requirements install on Alpine (musllinux) without a compiler?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.check.model import Target, TargetReport
from generator.check.report import add_hint, render_json, render_table
from generator.check.requirements import RequirementLine, read_requirements
from generator.check.resolve import Sources, check_targets
from generator.commands.common import Subparsers, add_matrix_argument, path_arg
from generator.core.platforms import ARCHS, PYTHONS
from generator.core.urls import http_url_problem
from generator.errors import UserError
from generator.matrix.load import load_matrix
from generator.matrix.model import Defaults
from generator.publish.repository import WHEELS_DIR, wheel_paths
from generator.pypi.client import PyPIClient
from generator.pypi.transport import default_index_url

# A Dockerfile or CI step tests this: something would compile (or cannot install at all).
NOT_SERVED_EXIT = 3


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="would a requirements file install on musllinux without a compiler? "
        f"(exit {NOT_SERVED_EXIT} when anything would compile)",
        description="Resolve the requirements' closure with pip for each --python × --arch on "
        "musllinux and say, per distribution, who serves a wheel or why it would compile. "
        f"Exit 0: everything is served; {NOT_SERVED_EXIT}: something would compile or cannot "
        "install; 2: bad input; 1: pip or the index failed.",
    )
    parser.add_argument(
        "-r",
        "--requirement",
        dest="requirements",
        type=path_arg,
        required=True,
        metavar="FILE",
        help="the requirements file (pins, ranges, markers, extras, -r/-c includes)",
    )
    add_target_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON for tools")
    add_matrix_argument(parser)
    parser.set_defaults(func=run)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--python/--arch/--index-url: what `check` and `add` resolve for, and from."""
    parser.add_argument(
        "--python",
        action="append",
        choices=PYTHONS,
        metavar="X.Y",
        help="a Python to check for (repeatable; default: the matrix's defaults, or "
        "3.12 and 3.13 without a matrix)",
    )
    parser.add_argument(
        "--arch",
        action="append",
        choices=list(ARCHS),
        metavar="ARCH",
        help=f"an arch to check for (repeatable; {' '.join(ARCHS)}; default: the "
        "matrix's defaults, or x86_64 and aarch64)",
    )
    parser.add_argument(
        "--index-url",
        metavar="URL",
        help="this repository's published pip index (its wheels count as served by this "
        "repository); PyPI itself is PIP_INDEX_URL or https://pypi.org/simple/",
    )


def run(args: argparse.Namespace) -> int:
    requirements = read_requirements(args.requirements)
    reports = check(requirements, args)
    matrix = str(args.matrix) if Path(args.matrix).is_file() else None
    hint = add_hint(str(args.requirements), matrix)
    print(render_json(reports) if args.json else render_table(reports, hint), end="")
    return 0 if all(r.installs_without_compiler for r in reports) else NOT_SERVED_EXIT


def check(
    requirements: tuple[RequirementLine, ...], args: argparse.Namespace
) -> list[TargetReport]:
    """The reports for every target the arguments name, against the sources they name."""
    index_url = _index_url(args.index_url)
    targets = targets_of(args)
    if sys.stderr.isatty():
        print(f"check: resolving for {len(targets)} target(s) with pip …", file=sys.stderr)
    local = Path(args.matrix).parent / WHEELS_DIR
    wheels = tuple(wheel_paths(local)) if local.is_dir() else ()
    with PyPIClient(default_index_url()) as pypi:
        repository = PyPIClient(index_url) if index_url else None
        try:
            return check_targets(requirements, targets, Sources(pypi, repository, wheels))
        finally:
            if repository is not None:
                repository.close()


def _index_url(text: str | None) -> str | None:
    """--index-url as given, or a clear error before any request is tried."""
    if text is None:
        return None
    if http_url_problem(text) is not None:
        raise UserError(
            f"--index-url: {text!r} is not an http(s) URL — give this repository's published "
            "index, e.g. https://OWNER.github.io/REPO/simple/"
        )
    return text


def targets_of(args: argparse.Namespace) -> list[Target]:
    """Every --python × --arch; what is not given comes from the matrix's defaults, so a
    checkout checks what it builds (and the built-in defaults where there is no matrix)."""
    defaults = (
        load_matrix(args.matrix).model.defaults if Path(args.matrix).is_file() else Defaults()
    )
    pythons = list(dict.fromkeys(args.python or defaults.python))
    archs = list(dict.fromkeys(args.arch or defaults.arch))
    return [Target(python, arch) for python in pythons for arch in archs]
