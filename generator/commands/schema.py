"""`schema`: write the JSON Schema of matrix.yml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.common import Subparsers, path_arg
from generator.fileio import write_atomically
from generator.matrix.schema import SCHEMA_FILE, schema_text


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "schema", help=f"write the JSON Schema of matrix.yml (default: ./{SCHEMA_FILE})"
    )
    parser.add_argument(
        "--output",
        type=path_arg,
        default=Path(SCHEMA_FILE),
        metavar="PATH",
        help="where to write it; - for stdout",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if str(args.output) == "-":
        sys.stdout.write(schema_text())
    else:
        write_atomically(args.output, schema_text())
    return 0
