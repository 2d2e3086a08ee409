"""`update`: resolve matrix.yml's version policies against the index into matrix.lock.json."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime

from generator.commands.common import (
    Subparsers,
    add_github_output_argument,
    add_matrix_argument,
    path_arg,
)
from generator.errors import Failure
from generator.github import write_outputs
from generator.lock.coverage import dead_lines
from generator.lock.dependencies import PipCheck
from generator.lock.diff import change_lines, modules_to_publish, new_build_cells
from generator.lock.failures import failures_path, read_failures, retries_due
from generator.lock.model import load_lock, lock_path, write_lock
from generator.lock.update import update_lock
from generator.matrix.load import load_matrix
from generator.pypi.client import Listing, PyPIClient
from generator.pypi.json_api import json_api_base
from generator.pypi.transport import RetryPolicy, default_index_url

# None: the client's default (4 attempts, 30 s read timeout); tests shorten it.
RETRY: RetryPolicy | None = None


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "update", help="resolve version policies against PyPI and write matrix.lock.json"
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="update only this module (repeatable); the others keep their entry",
    )
    parser.add_argument(
        "--cache-dir",
        type=path_arg,
        metavar="DIR",
        help="keep HTTP responses (with ETags) here between runs",
    )
    add_github_output_argument(
        parser,
        "changed=true|false, new-build-cells=N, modules=NAMES (new wheels, failed builds due)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    only = [matrix.module(name).name for name in args.module] or None
    index_url = matrix.model.index_url or default_index_url()
    old = load_lock(matrix)
    # The JSON API listing carries the same facts as the simple page and parses far faster;
    # indexes without it (no /simple/ in the URL) are read through the simple API.
    listing: Listing = "json-api" if json_api_base(index_url) else "simple"
    progress = _show_progress if sys.stderr.isatty() else None
    with PyPIClient(index_url, cache_dir=args.cache_dir, listing=listing, retry=RETRY) as client:
        result = update_lock(
            matrix, client, old, only=only, pip_check=PipCheck(index_url), progress=progress
        )
    if progress:
        print(file=sys.stderr)
    for warning in dict.fromkeys(result.warnings):
        print(f"warning: {warning}", file=sys.stderr)
    path = lock_path(matrix)
    changed = write_lock(path, result.lock)
    for line in change_lines(old, result.lock):
        print(f"update: {line}")
    fresh = new_build_cells(old, result.lock) if changed else set()
    publish = modules_to_publish(old, result.lock) if changed else []
    retry = retries_due(read_failures(failures_path(path)), result.lock, datetime.now(UTC))
    print(
        f"update: {path.name} {'written' if changed else 'unchanged'}; "
        f"{len(fresh)} new cell(s) to build; new wheels for: {' '.join(publish) or 'none'}; "
        f"failed builds due for a retry: {' '.join(retry) or 'none'}"
    )
    for dead in dead_lines(result.lock):
        print(f"notice: {dead.message}", file=sys.stderr)
    publish = sorted({*publish, *retry})
    write_outputs(
        args.github_output,
        {
            "changed": "true" if changed else "false",
            "new-build-cells": len(fresh),
            "modules": " ".join(publish),
        },
    )
    if result.failures:
        failed = sorted(result.failures.items())
        listing_text = "\n  ".join(f"{name}: {why}" for name, why in failed)
        raise Failure(
            f"{len(result.failures)} module(s) could not be updated and keep their previous "
            f"lock entry:\n  {listing_text}"
        )
    return 0


def _show_progress(done: int, total: int, name: str) -> None:
    # A pty may report 0 columns (script, some CI shells): fall back to a sane width.
    width = max(shutil.get_terminal_size((80, 24)).columns, 20)
    text = f"update: {done}/{total} modules ({name})"
    print(f"\r{text[: width - 1]:<{width - 1}}", end="", file=sys.stderr, flush=True)
