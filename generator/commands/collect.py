"""`collect`: gather a run's wheels (built, fetched, dependencies), prove every cell installs
offline with pip, and write the sha256 manifest that `commit-wheels` publishes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.publish.collect import collect
from generator.publish.fetch import load_fetch_list
from generator.publish.interchange import cells_from_json
from generator.publish.manifest import MANIFEST_NAME


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "collect",
        help="gather wheels into one directory, verify each cell offline, write the manifest",
    )
    parser.add_argument(
        "--built",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="directory of built wheels, searched recursively (repeatable)",
    )
    parser.add_argument(
        "--fetch",
        type=Path,
        metavar="JSON",
        help='wheels to fetch: [{"url", "filename", "sha256"}, ...]',
    )
    parser.add_argument(
        "--cells",
        type=Path,
        metavar="JSON",
        help='cells to verify: [{"module", "version", "python", "arch"}, ...] '
        "(default: those named by CPython musllinux wheel filenames)",
    )
    parser.add_argument(
        "--wheels",
        type=Path,
        default=Path("wheels"),
        metavar="DIR",
        help="the repository's published wheels, reused before the index (default: wheels)",
    )
    parser.add_argument(
        "--no-dependencies",
        action="store_true",
        help="do not fetch runtime dependencies (verify with what is there)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help=f"flat output directory; gets the wheels and {MANIFEST_NAME}",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    manifest = collect(
        args.built,
        load_fetch_list(args.fetch) if args.fetch else [],
        args.out,
        cells=cells_from_json(args.cells) if args.cells else None,
        wheels_dir=args.wheels if args.wheels.is_dir() else None,
        with_dependencies=not args.no_dependencies,
    )
    print(
        f"collect: {len(manifest.files)} wheels, {len(manifest.cells)} cells verified "
        f"offline → {args.out / MANIFEST_NAME}"
    )
    return 0
