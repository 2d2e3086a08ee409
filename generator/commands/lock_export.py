"""`lock-export`: the lock as the publish verbs' inputs (collect --cells/--fetch, catalog)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.commands.common import add_matrix_argument
from generator.errors import UserError
from generator.fileio import append_text, write_atomically
from generator.lock.model import LOCK_NAME, load_lock
from generator.matrix.load import load_matrix
from generator.plan.jobs import WHEELS_DIR
from generator.publish.selection import dump, export, planned_cells


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lock-export",
        help="write the cells to verify, the upstream/pure wheels to fetch and catalog records",
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="JSON",
        help="this run's plan (`plan --output`): cells and fetches of the module "
        "versions it builds; without it, every locked version",
    )
    parser.add_argument("--cells", type=Path, metavar="JSON", help="for `collect --cells`")
    parser.add_argument("--fetch", type=Path, metavar="JSON", help="for `collect --fetch`")
    parser.add_argument("--catalog", type=Path, metavar="JSON", help="for `catalog --cells`")
    parser.add_argument(
        "--github-output",
        metavar="FILE",
        help="append `cells=N` (cells to publish) as a step output",
    )
    parser.add_argument(
        "--wheels",
        type=Path,
        metavar="DIR",
        help=f"published wheels (default: {WHEELS_DIR}/ beside the matrix)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    lock = load_lock(matrix)
    if lock is None:
        raise UserError(
            f"no {LOCK_NAME} beside {matrix.path.name} — run `python -m generator update` first"
        )
    planned = planned_cells(args.plan) if args.plan else None
    result = export(lock, args.wheels or matrix.root / WHEELS_DIR, planned)
    for path, records in (
        (args.cells, result.cells),
        (args.fetch, result.fetch),
        (args.catalog, result.catalog),
    ):
        if path:
            write_atomically(path, dump(records))
    if args.github_output:
        append_text(args.github_output, f"cells={len(result.cells)}\n")
    print(
        f"lock-export: {len(result.cells)} cells, {len(result.fetch)} wheels to fetch, "
        f"{len(result.catalog)} catalog records"
    )
    return 0
