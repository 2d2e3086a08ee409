"""`commit-wheels`: publish the collected wheels into wheels/ with one race-safe commit."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from generator.commands.common import positive_int, require_git_checkout
from generator.core.wheels import sha256_of_file
from generator.errors import Failure, UserError
from generator.fileio import append_text
from generator.publish.git import (
    BOT_AUTHOR,
    GitTarget,
    RetryPolicy,
    publish_wheels,
    token_config,
)
from generator.publish.manifest import MANIFEST_NAME, read_manifest


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "commit-wheels",
        help="commit the collected wheels to wheels/ and push (retries lost races)",
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="DIR",
        help=f"the directory written by `collect` (with {MANIFEST_NAME})",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="a clone of the repository (its working tree is not touched)",
    )
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--prefix", default="wheels", help="directory in the repository")
    parser.add_argument(
        "--keep-versions",
        type=positive_int,
        metavar="N",
        help="retention: keep only the newest N versions per project in git",
    )
    parser.add_argument("--message", default="Publish wheels", help="commit message")
    parser.add_argument("--author", default=BOT_AUTHOR, help="'Name <email>' of the commit")
    parser.add_argument(
        "--attempts", type=positive_int, default=8, help="push attempts (default 8)"
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="push over HTTPS with the GitHub token in this environment "
        "variable (e.g. GITHUB_TOKEN); never written to git config",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    manifest = read_manifest(args.source / MANIFEST_NAME)
    wheels = []
    for entry in manifest.files:
        path = args.source / entry.filename
        if not path.is_file() or sha256_of_file(path) != entry.sha256:
            raise Failure(f"{path} is missing or differs from {MANIFEST_NAME} — re-run collect")
        wheels.append(path)
    config: dict[str, str] = {}
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise UserError(f"--token-env {args.token_env}: that variable is empty or unset")
        config = token_config(token)
    require_git_checkout(args.repo)
    target = GitTarget(args.repo, args.remote, args.branch, args.prefix, config)
    result = publish_wheels(
        target,
        wheels,
        args.message,
        keep_versions=args.keep_versions,
        author=args.author,
        policy=RetryPolicy(attempts=args.attempts),
    )
    print(
        f"commit-wheels: {result.commit} (+{len(result.added)} -{len(result.removed)} files, "
        f"{result.attempts} attempt(s))"
    )
    for path in result.removed:
        print(f"  retention removed {path}")
    if "GITHUB_OUTPUT" in os.environ:
        append_text(os.environ["GITHUB_OUTPUT"], f"commit={result.commit}\n")
    return 0
