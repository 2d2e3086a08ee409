"""`dispatch-build`: start the build workflow (workflow_dispatch) through GitHub's REST API."""

from __future__ import annotations

import argparse
import os

from generator.commands.common import Subparsers
from generator.errors import UserError
from generator.github import dispatch_workflow


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "dispatch-build", help="start the build workflow via workflow_dispatch (GitHub REST API)"
    )
    parser.add_argument("--workflow", default="build.yml", help="workflow file (default build.yml)")
    parser.add_argument("--ref", default="main", help="branch to run on (default main)")
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a workflow input (repeatable), e.g. module=all",
    )
    parser.add_argument(
        "--repository",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/NAME (default: $GITHUB_REPOSITORY)",
    )
    parser.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        help="REST API root (default: $GITHUB_API_URL or api.github.com)",
    )
    parser.add_argument(
        "--token-env",
        default="GITHUB_TOKEN",
        metavar="VAR",
        help="environment variable holding the token (default GITHUB_TOKEN)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    token = os.environ.get(args.token_env)
    if not token:
        raise UserError(f"--token-env {args.token_env}: that variable is empty or unset")
    if not args.repository:
        raise UserError("no repository: pass --repository OWNER/NAME (or set GITHUB_REPOSITORY)")
    inputs = {}
    for item in args.input:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"--input {item!r}: write NAME=VALUE, e.g. module=all")
        inputs[name] = value
    dispatch_workflow(args.api_url, args.repository, args.workflow, args.ref, inputs, token)
    print(f"dispatch-build: started {args.workflow} on {args.repository}@{args.ref} {inputs}")
    return 0
