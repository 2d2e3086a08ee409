"""`validate`: check matrix.yml and report every problem with its line."""

from __future__ import annotations

import argparse

from generator.commands.common import Subparsers, add_matrix_argument
from generator.matrix.load import load_matrix


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check matrix.yml (exit 2 with file:line:col on problems)"
    )
    add_matrix_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    print(f"{args.matrix}: {len(matrix.modules)} modules, valid")
    return 0
