"""`commit-lock`: commit matrix.lock.json (only it) to the branch and push, race-safe."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.common import Subparsers, add_git_target_arguments, git_target
from generator.errors import UserError
from generator.github import write_outputs
from generator.lock.model import LOCK_NAME
from generator.publish.git import commit_file


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
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
    add_git_target_arguments(parser, message=f"Update {LOCK_NAME} from PyPI")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        content = args.lock.read_bytes()
    except OSError as error:
        raise UserError(f"{args.lock}: cannot read ({error.strerror})") from None
    target, policy = git_target(args, prefix="")
    commit = commit_file(
        target, args.path, content, args.message, author=args.author, policy=policy
    )
    print(f"commit-lock: {commit}" if commit else f"commit-lock: {args.path} already up to date")
    write_outputs(args.github_output, {"commit": commit or ""})
    return 0
