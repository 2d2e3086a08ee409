"""`sdist`: download a module's sdist, sha256-verified."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.build.sdist import fetch_sdist
from generator.commands.common import add_matrix_argument
from generator.lock.model import LOCK_NAME, read_lock
from generator.matrix.load import load_matrix
from generator.pypi.client import PyPIClient


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sdist", help="download the .tar.gz sdist of MODULE VERSION, checking its sha256"
    )
    parser.add_argument("--module", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--dest", default="sdist", type=Path, help="directory (default: sdist)")
    parser.add_argument("--sha256", help="expected hash (default: the lock's, else the index's)")
    parser.add_argument(
        "--index-url", help="simple index (default: matrix.yml's index-url, PIP_INDEX_URL or PyPI)"
    )
    add_matrix_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sha256, index_url = args.sha256, args.index_url
    if Path(args.matrix).is_file():
        matrix = load_matrix(args.matrix)
        index_url = index_url or matrix.model.index_url
        lock = read_lock(matrix.path.parent / LOCK_NAME)
        locked = lock.sdist(args.module, args.version) if lock else None
        sha256 = sha256 or (locked.sha256 if locked else None)
    with PyPIClient(index_url) as client:
        path = fetch_sdist(client, args.module, args.version, args.dest, sha256)
    print(path)
    return 0
