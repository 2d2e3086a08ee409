"""`commit-lock`: commit matrix.lock.json (only it) to the branch and push, race-safe."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from generator.commands.common import positive_int, require_git_checkout
from generator.errors import UserError
from generator.fileio import append_text
from generator.lock.model import LOCK_NAME
from generator.publish.git import BOT_AUTHOR, GitTarget, RetryPolicy, token_config
from generator.publish.lockcommit import commit_file


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "commit-lock", help=f"commit {LOCK_NAME} to the branch and push (retries lost races)"
    )
    parser.add_argument(
        "--lock",
        type=Path,
        default=Path(LOCK_NAME),
        metavar="FILE",
        help=f"the lock to commit (default: ./{LOCK_NAME})",
    )
    parser.add_argument(
        "--path", default=LOCK_NAME, help=f"its path in the repository (default: {LOCK_NAME})"
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
    parser.add_argument("--message", default=f"Update {LOCK_NAME} from PyPI")
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
    try:
        content = args.lock.read_bytes()
    except OSError as error:
        raise UserError(f"{args.lock}: cannot read ({error.strerror})") from None
    config: dict[str, str] = {}
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise UserError(f"--token-env {args.token_env}: that variable is empty or unset")
        config = token_config(token)
    require_git_checkout(args.repo)
    target = GitTarget(args.repo, args.remote, args.branch, "", config)
    commit = commit_file(
        target,
        args.path,
        content,
        args.message,
        author=args.author,
        policy=RetryPolicy(attempts=args.attempts),
    )
    print(f"commit-lock: {commit}" if commit else f"commit-lock: {args.path} already up to date")
    if "GITHUB_OUTPUT" in os.environ:
        append_text(os.environ["GITHUB_OUTPUT"], f"commit={commit or ''}\n")
    return 0
