"""`commit-lock`: commit matrix.lock.json (only it) to the branch and push, race-safe."""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath

from generator.commands.common import Subparsers, add_git_target_arguments, git_target, path_arg
from generator.errors import UserError
from generator.github import write_outputs
from generator.lock.failures import FAILURES_NAME
from generator.lock.model import LOCK_NAME
from generator.publish.git import commit_files, repository_path


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "commit-lock", help=f"commit {LOCK_NAME} to the branch and push (retries lost races)"
    )
    parser.add_argument(
        "--lock",
        type=path_arg,
        default=Path(LOCK_NAME),
        metavar="FILE",
        help=f"the lock to commit (default: ./{LOCK_NAME})",
    )
    parser.add_argument(
        "--path", default=LOCK_NAME, help=f"its path in the repository (default: {LOCK_NAME})"
    )
    parser.add_argument(
        "--failures",
        type=path_arg,
        metavar="FILE",
        help=f"also commit this {FAILURES_NAME} (from `lock-export --results`) beside the lock",
    )
    add_git_target_arguments(parser, message=f"Update {LOCK_NAME} from PyPI")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files = {repository_path(args.path): _read(args.lock)}
    if args.failures:
        beside = PurePosixPath(args.path).with_name(FAILURES_NAME)
        files[str(beside)] = _read(args.failures)
    target, policy = git_target(args, prefix="")
    commit = commit_files(target, files, args.message, author=args.author, policy=policy)
    print(f"commit-lock: {commit}" if commit else f"commit-lock: {args.path} already up to date")
    write_outputs(args.github_output, {"commit": commit or ""})
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
