"""`collect`: gather a run's wheels (built, fetched, dependencies), prove every cell installs
offline with pip, and write the sha256 manifest that `commit-wheels` publishes."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.common import Subparsers, add_github_output_argument, path_arg
from generator.core.cells import Origin
from generator.github import write_outputs
from generator.publish.collect import collect
from generator.publish.interchange import MANIFEST_NAME, read_cells, read_fetch_list
from generator.publish.repository import WHEELS_DIR


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="gather wheels into one directory, verify each cell offline, write the manifest",
    )
    parser.add_argument(
        "--built",
        action="append",
        default=[],
        type=path_arg,
        metavar="DIR",
        help="directory of built wheels, searched recursively (repeatable; a missing one "
        "means no build job uploaded wheels)",
    )
    parser.add_argument(
        "--fetch",
        type=path_arg,
        metavar="JSON",
        help="wheels to fetch (`lock-export`'s fetch.json)",
    )
    parser.add_argument(
        "--cells",
        type=path_arg,
        metavar="JSON",
        help="cells to verify (`lock-export`'s cells.json; default: those named by CPython "
        "musllinux wheel filenames)",
    )
    parser.add_argument(
        "--wheels",
        type=path_arg,
        default=Path(WHEELS_DIR),
        metavar="DIR",
        help=f"the repository's published wheels, reused before the index (default: {WHEELS_DIR})",
    )
    parser.add_argument(
        "--no-dependencies",
        action="store_true",
        help="do not fetch runtime dependencies (verify with what is there)",
    )
    parser.add_argument(
        "--output-dir",
        type=path_arg,
        required=True,
        metavar="DIR",
        help=f"flat output directory; gets the wheels and {MANIFEST_NAME}",
    )
    add_github_output_argument(parser, "built=N (wheels this run built) and cells=N")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    manifest = collect(
        args.built,
        read_fetch_list(args.fetch) if args.fetch else [],
        args.output_dir,
        cells=read_cells(args.cells) if args.cells else None,
        wheels_dir=args.wheels if args.wheels.is_dir() else None,
        with_dependencies=not args.no_dependencies,
    )
    built = sum(1 for entry in manifest.files if entry.origin is Origin.BUILT)
    write_outputs(args.github_output, {"built": built, "cells": len(manifest.cells)})
    print(
        f"collect: {len(manifest.files)} wheels, {len(manifest.cells)} cells verified "
        f"offline → {args.output_dir / MANIFEST_NAME}"
    )
    return 0
