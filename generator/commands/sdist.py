"""`sdist`: download a module's sdist, sha256-verified (the lock's hash when it has one)."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.build.sdist import fetch_sdist
from generator.commands.common import (
    Subparsers,
    add_matrix_argument,
    add_plan_job_arguments,
    path_arg,
    planned_job,
)
from generator.lock.model import load_lock
from generator.matrix.load import load_matrix
from generator.pypi.client import PyPIClient


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "sdist", help="download the .tar.gz sdist of a module version, checking its sha256"
    )
    add_plan_job_arguments(parser)
    parser.add_argument("--module", help="with --version (or use --plan/--job)")
    parser.add_argument("--version")
    parser.add_argument(
        "--output-dir", default="sdist", type=path_arg, metavar="DIR", help="default: sdist"
    )
    parser.add_argument("--sha256", help="expected hash (default: the lock's, else the index's)")
    parser.add_argument(
        "--index-url", help="simple index (default: matrix.yml's index-url, PIP_INDEX_URL or PyPI)"
    )
    add_matrix_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module, version = _module_version(args)
    sha256, index_url = args.sha256, args.index_url
    if Path(args.matrix).is_file():
        matrix = load_matrix(args.matrix)
        index_url = index_url or matrix.model.index_url
        lock = load_lock(matrix)
        locked = lock.sdist(module, version) if lock else None
        sha256 = sha256 or (locked.sha256 if locked else None)
    with PyPIClient(index_url) as client:
        path = fetch_sdist(client, module, version, args.output_dir, sha256)
    print(path)
    return 0


def _module_version(args: argparse.Namespace) -> tuple[str, str]:
    planned = planned_job(args)
    return (planned[1].module, planned[1].version) if planned else (args.module, args.version)
