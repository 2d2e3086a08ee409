"""`catalog`: the modules × versions × python × arch status page and job-summary table."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from generator.errors import UserError
from generator.fileio import append_text, write_atomically
from generator.publish.interchange import records_from_json
from generator.publish.site.catalog import render_html, render_markdown


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "catalog", help="render the cell status catalog (HTML page, Markdown table)"
    )
    parser.add_argument(
        "--cells",
        type=Path,
        required=True,
        metavar="JSON",
        help='[{"module", "version", "python", "arch", "status"}, ...] with '
        "status built, upstream, pure or missing",
    )
    parser.add_argument("--html", type=Path, metavar="PATH", help="write the HTML page here")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write Markdown here")
    parser.add_argument(
        "--summary", action="store_true", help="append the Markdown table to $GITHUB_STEP_SUMMARY"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    records = records_from_json(args.cells)
    markdown = render_markdown(records)
    if args.html:
        write_atomically(args.html, render_html(records))
    if args.markdown:
        write_atomically(args.markdown, markdown)
    if args.summary:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if not summary:
            raise UserError("--summary: $GITHUB_STEP_SUMMARY is not set (only in GitHub Actions)")
        append_text(summary, markdown + "\n")
    if not (args.html or args.markdown or args.summary):
        print(markdown)
    return 0
