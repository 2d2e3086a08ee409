"""`plan`: the build jobs for a matrix, as a table, JSON, or GitHub step outputs."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from generator.commands.common import (
    Subparsers,
    add_github_output_argument,
    add_matrix_argument,
    add_summary_argument,
    checkout_plan,
    path_arg,
)
from generator.fileio import write_atomically
from generator.github import append_summary, write_outputs
from generator.lock.coverage import DeadLine, dead_lines
from generator.lock.model import load_lock
from generator.matrix.bundles import named_bundles
from generator.matrix.changes import changed_bundles, changed_modules
from generator.matrix.load import LoadedMatrix, load_matrix
from generator.plan.jobs import SHARDS, Plan


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "plan", help="list the build jobs (cells grouped per module × version × arch)"
    )
    add_matrix_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAMES",
        help="only these modules (repeatable, or space/comma separated; 'all' or '' = every one)",
    )
    parser.add_argument(
        "--changed-since",
        default="",
        metavar="REF",
        help="only modules whose entry or hooks differ from git REF ('' = no filter)",
    )
    parser.add_argument(
        "--changed-bundles-since",
        default="",
        metavar="REF",
        help="also output the bundles whose entry or requirements file differ from git REF, "
        "to image even when no member is rebuilt ('' = none)",
    )
    parser.add_argument(
        "--bundle",
        action="append",
        default=[],
        metavar="NAMES",
        help="also output these bundles (repeatable, or space/comma separated; 'all' = every one)",
    )
    add_summary_argument(parser, "the table of jobs")
    parser.add_argument(
        "--output", type=path_arg, metavar="FILE", help="also write the JSON plan to FILE"
    )
    add_github_output_argument(
        parser, "count=N, deferred=N, shard-K=<matrix JSON> and bundles=<names to image>"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.matrix)
    plan = checkout_plan(matrix, _selection(matrix, args.only, args.changed_since))
    bundles = _bundles(matrix, args.bundle, args.changed_bundles_since)
    write_outputs(args.github_output, github_outputs(plan) | {"bundles": " ".join(bundles)})
    lock = load_lock(matrix)
    summary = markdown(plan, dead_lines(lock) if lock else ())
    if bundles:
        summary += f"\nBundles imaged in this run: {', '.join(bundles)}\n"
    append_summary(args.summary, summary)
    if args.output:
        write_atomically(args.output, json.dumps(plan.to_json(), indent=2) + "\n")
    if args.json:
        print(json.dumps(plan.to_json(), indent=2))
    else:
        print(table(plan))
    return 0


def _selection(matrix: LoadedMatrix, only: list[str], changed_since: str) -> list[str] | None:
    """None means every module; otherwise the names both filters allow."""
    names = [name for value in only for name in value.replace(",", " ").split()]
    selected = None if not names or names == ["all"] else names
    if changed_since:
        changed = changed_modules(matrix, changed_since)
        selected = changed if selected is None else [n for n in selected if n in changed]
    return selected


def _bundles(matrix: LoadedMatrix, named: list[str], changed_since: str) -> list[str]:
    """The bundles to image whatever the cells: those asked for and those changed."""
    wanted = {bundle.name for bundle in named_bundles(matrix.bundles, named)}
    if changed_since:
        wanted.update(changed_bundles(matrix, changed_since))
    return [bundle.name for bundle in matrix.bundles if bundle.name in wanted]


def github_outputs(plan: Plan) -> dict[str, str | int]:
    """`count`, `deferred` and `shard-K` (a shard's matrix JSON; an empty shard is `[]`)."""
    shards = plan.shards()
    outputs: dict[str, str | int] = {"count": len(plan.jobs), "deferred": len(plan.deferred)}
    for index in range(SHARDS):
        entries = [job.matrix_entry() for job in shards[index]] if index < len(shards) else []
        outputs[f"shard-{index}"] = json.dumps(entries, separators=(",", ":"))
    return outputs


def table(plan: Plan) -> str:
    header = ("module", "version", "arch", "python", "runner", "qemu")
    rows = [header] + [
        (j.module, j.version, j.arch, " ".join(j.pythons), j.runner, "yes" if j.qemu else "no")
        for j in plan.jobs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    cells = sum(len(j.pythons) for j in plan.jobs)
    lines.append(
        f"{len(plan.jobs)} jobs, {cells} cells, {len(plan.shards())} shard(s); "
        f"{len(plan.skipped)} cells excluded; {len(plan.deferred)} jobs deferred to the next run"
    )
    return "\n".join(lines)


def markdown(plan: Plan, dead: Sequence[DeadLine] = ()) -> str:
    """The job table, then the matrix lines that build nothing any more (for their owner)."""
    lines = [
        "### Build plan",
        "",
        "| module | version | arch | python | runner |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {j.module} | {j.version} | {j.arch} | {' '.join(j.pythons)} | {j.runner} |"
        for j in plan.jobs
    ]
    if not plan.jobs:
        lines.append("| _nothing to build_ | | | | |")
    if plan.deferred:
        lines += [
            "",
            f"{len(plan.deferred)} more jobs are over this run's "
            f"{len(plan.shards())} × 256 and wait for the next run.",
        ]
    if dead:
        lines += ["", "### Matrix lines that build nothing", ""]
        lines += [f"- {line.message}" for line in dead]
    return "\n".join(lines) + "\n"
