"""`lock-export`: the lock as the publish verbs' inputs (cells, fetch list, catalog records)."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.common import Subparsers, add_github_output_argument, add_matrix_argument
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.github import write_outputs
from generator.lock.model import LOCK_NAME, load_lock
from generator.matrix.load import load_matrix
from generator.plan.jobs import read_plan
from generator.publish.interchange import cells_json, files_json, records_json
from generator.publish.repository import WHEELS_DIR, published_wheels
from generator.publish.selection import export

CELLS, FETCH, CATALOG = "cells.json", "fetch.json", "catalog.json"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
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
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help=f"write {CELLS} (for collect and images), {FETCH} (for collect) and {CATALOG} "
        "(for catalog) here",
    )
    add_github_output_argument(parser, "cells=N (cells to publish)")
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
    planned = read_plan(args.plan).planned_cells() if args.plan else None
    published = published_wheels(args.wheels or matrix.root / WHEELS_DIR)
    result = export(lock, published, planned)
    if args.output_dir:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(args.output_dir / CELLS, cells_json(result.cells))
        write_atomically(args.output_dir / FETCH, files_json(result.fetch))
        write_atomically(args.output_dir / CATALOG, records_json(result.catalog))
    write_outputs(args.github_output, {"cells": len(result.cells)})
    print(
        f"lock-export: {len(result.cells)} cells, {len(result.fetch)} wheels to fetch, "
        f"{len(result.catalog)} catalog records"
    )
    return 0
