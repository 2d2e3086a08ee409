"""`render`: write the generated files, or with --check report drift (exit 1)."""

from __future__ import annotations

import argparse
import sys

from generator.commands.common import Subparsers, add_matrix_argument
from generator.matrix.load import load_matrix
from generator.workflows.render import drift, rendered_files, write


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "render", help="write .github/workflows/*, matrix.schema.json and .gitattributes"
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is stale or extra"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    files = rendered_files(matrix)
    found = drift(files, matrix.root)
    if args.check:
        for path in found.stale:
            print(f"stale: {path}", file=sys.stderr)
        for path in found.extra:
            print(f"extra: {path} (generated, but no longer rendered)", file=sys.stderr)
        if found.stale or found.extra:
            print("run `python -m generator render` and commit the result", file=sys.stderr)
            return 1
        print(f"{len(files)} generated files in sync with {args.matrix}")
        return 0
    write(files, matrix.root, found.extra)
    print(f"wrote {len(found.stale)} file(s), removed {len(found.extra)}; {len(files)} in sync")
    return 0
