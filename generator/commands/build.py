"""`build`: run cibuildwheel for one module version, exactly as the workflow does."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path
from typing import Any

from generator.build.run import container_engine, run_job, select_jobs
from generator.build.sdist import fetch_sdist, sdist_in
from generator.commands.common import add_matrix_argument
from generator.matrix.load import load_matrix
from generator.plan import cibuildwheel as cibw
from generator.pypi.client import PyPIClient


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "build", help="build (and import-test) the wheels of one module version locally or in CI"
    )
    add_matrix_argument(parser)
    parser.add_argument("--module", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument(
        "--arch", action="append", default=[], help="only these archs (default: the matrix's)"
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="only these Pythons, repeatable or space separated (default: the matrix's)",
    )
    parser.add_argument("--sdist-dir", type=Path, default=Path("sdist"))
    parser.add_argument("--output-dir", type=Path, default=Path("wheelhouse"))
    parser.add_argument(
        "--dry-run", action="store_true", help="print each job's argv and env as JSON; run nothing"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    archs = [a for value in args.arch for a in value.split()]
    pythons = [p for value in args.python for p in value.split()]
    jobs = select_jobs(matrix, args.module, args.version, archs, pythons)
    sdist = sdist_in(args.sdist_dir, args.module, args.version)
    if args.dry_run:
        package = sdist or args.sdist_dir / f"{args.module}-{args.version}.tar.gz"
        for job in jobs:
            argv = cibw.command(package, args.output_dir)
            print(json.dumps({"id": job.id, "argv": shlex.join(argv), "env": job.env}))
        return 0
    engine = container_engine()
    if sdist is None:
        with PyPIClient(matrix.model.index_url) as client:
            sdist = fetch_sdist(client, args.module, args.version, args.sdist_dir)
    for job in jobs:
        print(f"== {job.id}: {' '.join(job.identifiers)} ({engine})", flush=True)
        run_job(job, sdist, args.output_dir, engine)
    return 0
