"""`index`: build the static PEP 503 (+ PEP 691 JSON) simple index from wheels/."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.common import Subparsers, path_arg
from generator.publish.repository import WHEELS_DIR
from generator.publish.site.simple_index import (
    base_urls,
    relative_urls,
    scan_wheels,
    write_simple_index,
)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("index", help="write a PEP 503/691 simple index for wheels/")
    parser.add_argument("--wheels", type=path_arg, default=Path(WHEELS_DIR), metavar="DIR")
    parser.add_argument("--output-dir", type=path_arg, default=Path("site/simple"), metavar="DIR")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="where wheels/ is served, e.g. https://raw.githubusercontent.com/"
        "OWNER/REPO/COMMIT/wheels (default: relative links to --wheels)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files = scan_wheels(args.wheels)
    url_of = (
        base_urls(args.base_url) if args.base_url else relative_urls(args.wheels, args.output_dir)
    )
    write_simple_index(files, args.output_dir, url_of)
    projects = len({file.project for file in files})
    print(f"index: {len(files)} files in {projects} projects → {args.output_dir}")
    return 0
