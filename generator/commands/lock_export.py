"""`lock-export`: the lock as the publish verbs' inputs (cells, fetch list, catalog records)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from generator.commands.common import (
    Subparsers,
    add_github_output_argument,
    add_matrix_argument,
    hook_digests,
    path_arg,
)
from generator.core.cells import Cell
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.github import write_outputs
from generator.lock.failures import FAILURES_NAME, failures_path, failures_text, read_failures
from generator.lock.model import LOCK_NAME, Lock, load_lock, lock_path
from generator.matrix.load import load_matrix
from generator.plan.jobs import Plan, job_fingerprint, read_plan
from generator.plan.results import JobResult, Outcome, read_results
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
        type=path_arg,
        metavar="JSON",
        help="this run's plan (`plan --output`): cells and fetches of the module "
        "versions it builds; without it, every locked version",
    )
    parser.add_argument(
        "--output-dir",
        type=path_arg,
        metavar="DIR",
        help=f"write {CELLS} (for collect and images), {FETCH} (for collect) and {CATALOG} "
        "(for catalog) here",
    )
    parser.add_argument(
        "--results",
        type=path_arg,
        metavar="DIR",
        help="the build jobs' result-<job id>.json records (with --plan): failed cells are left "
        f"out of {CELLS}, shown failed in {CATALOG} and recorded in {FAILURES_NAME}, written to "
        "--output-dir for commit-lock",
    )
    add_github_output_argument(parser, "cells=N (cells to publish) and failed=N")
    parser.add_argument(
        "--wheels",
        type=path_arg,
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
    plan = read_plan(args.plan) if args.plan else None
    if args.results and plan is None:
        raise UserError("--results needs --plan: the results are of that plan's jobs")
    results = read_results(args.results) if args.results else []
    failed = _failed(plan, results, lock, hook_digests(matrix)) if plan and args.results else []
    failures = read_failures(failures_path(lock_path(matrix))).updated(
        failed, _built(results), datetime.now(UTC)
    )
    failures = failures.without_modules(lock.modules)
    planned = plan.planned_cells() - {cell for cell, *_ in failed} if plan else None
    published = published_wheels(args.wheels or matrix.root / WHEELS_DIR)
    result = export(lock, published, planned, failures)
    if args.output_dir:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(args.output_dir / CELLS, cells_json(result.cells))
        write_atomically(args.output_dir / FETCH, files_json(result.fetch))
        write_atomically(args.output_dir / CATALOG, records_json(result.catalog))
        write_atomically(args.output_dir / FAILURES_NAME, failures_text(failures))
    write_outputs(args.github_output, {"cells": len(result.cells), "failed": len(failed)})
    print(
        f"lock-export: {len(result.cells)} cells, {len(result.fetch)} wheels to fetch, "
        f"{len(result.catalog)} catalog records; {len(failed)} cells failed in this run"
    )
    return 0


def _failed(
    plan: Plan, results: list[JobResult], lock: Lock, hooks: dict[str, str]
) -> list[tuple[Cell, str, str, str]]:
    """(cell, reason, log, fingerprint) of every cell of a failed job of this plan; a job
    that left no result (it failed before building, timed out, was cancelled) failed too."""
    by_job = {result.job: result for result in results}
    for record in results:
        planned = next((j for j in plan.jobs if j.id == record.job), None)
        if planned is None or record.cells != planned.cells:
            raise UserError(
                f"the result of job {record.job!r} does not match this plan's jobs — pass the "
                "results of the run whose plan this is (--plan and --results together)"
            )
    found = []
    for job in plan.jobs:
        result = by_job.get(job.id)
        if result is not None and result.outcome is Outcome.BUILT:
            continue
        reason = result.reason if result else "the job left no result: it failed before building"
        log = result.log if result else ""
        print_ = job_fingerprint(job, lock, plan.root, hooks)
        found += [(cell, reason, log, print_) for cell in job.cells]
    return found


def _built(results: list[JobResult]) -> list[Cell]:
    return [cell for r in results if r.outcome is Outcome.BUILT for cell in r.cells]
