"""`catalog`: the modules × versions × python × arch status page and job-summary table."""

from __future__ import annotations

import argparse

from generator.commands.common import Subparsers, add_summary_argument, path_arg
from generator.fileio import write_atomically
from generator.github import append_summary
from generator.publish.interchange import read_records
from generator.publish.site.catalog import render_html, render_markdown


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "catalog", help="render the cell status catalog (HTML page, Markdown table)"
    )
    parser.add_argument(
        "--records",
        type=path_arg,
        required=True,
        metavar="JSON",
        help="`lock-export`'s catalog.json: every cell with status built, upstream, pure or "
        "missing",
    )
    parser.add_argument("--output", type=path_arg, metavar="FILE", help="write the HTML page here")
    add_summary_argument(parser, "the table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    records = read_records(args.records)
    markdown = render_markdown(records)
    if args.output:
        write_atomically(args.output, render_html(records))
    append_summary(args.summary, markdown + "\n")
    if not (args.output or args.summary):
        print(markdown)
    return 0
