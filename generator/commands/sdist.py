"""`sdist`: download a module's sdist, sha256-verified."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.pypi.client import PyPIClient
from generator.sdist import fetch_sdist


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sdist", help="download the .tar.gz sdist of MODULE VERSION, checking its sha256"
    )
    parser.add_argument("--module", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--dest", default="sdist", type=Path, help="directory (default: sdist)")
    parser.add_argument("--sha256", help="expected hash (default: the one the index gives)")
    parser.add_argument("--index-url", help="simple index (default: PIP_INDEX_URL or PyPI)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with PyPIClient(args.index_url) as client:
        path = fetch_sdist(client, args.module, args.version, args.dest, args.sha256)
    print(path)
    return 0
