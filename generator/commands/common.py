"""Arguments every verb shares."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import TypeAlias

from generator.core.wheels import sha256_of_file
from generator.errors import UserError
from generator.github import token_from_env
from generator.lock.failures import failures_path, read_failures
from generator.lock.model import load_lock, lock_path
from generator.matrix.load import DEFAULT_MATRIX, LoadedMatrix
from generator.plan.jobs import Job, Plan, make_plan, read_plan
from generator.publish.git import BOT_AUTHOR, GitTarget, PushPolicy, token_config
from generator.publish.repository import WHEELS_DIR, published_wheels

# What each verb module's `register` receives (argparse spells the type privately).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_matrix_argument(parser: argparse.ArgumentParser, *, used: bool = True) -> None:
    parser.add_argument(
        "--matrix",
        type=path_arg,
        default=Path(DEFAULT_MATRIX),
        metavar="PATH",
        help=f"the matrix file (default: ./{DEFAULT_MATRIX}); hooks/ and wheels/ are beside it"
        if used
        else "accepted for uniform scripting; this verb does not read the matrix",
    )


def path_arg(text: str) -> Path:
    """argparse type for paths: an empty one would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path — give a file or folder")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a path with a NUL character")
    return Path(text)


def positive_int(text: str) -> int:
    """argparse type for counts that must be at least 1 (attempts, versions kept)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def require_git_checkout(path: Path) -> None:
    """A clear exit-2 error instead of eight retries against something that is not a repo."""
    done = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--git-dir"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise UserError(
            f"--repo {path}: not a git checkout — run it inside a clone of the "
            "repository, or pass --repo PATH to one"
        )


def add_plan_job_arguments(parser: argparse.ArgumentParser) -> None:
    """`--plan plan.json --job ID`: the job exactly as the run's plan job wrote it."""
    parser.add_argument(
        "--plan", type=path_arg, metavar="JSON", help="the run's plan (`plan --output`); with --job"
    )
    parser.add_argument("--job", metavar="ID", help="the id of one job of --plan")


def planned_job(args: argparse.Namespace, *, narrowed: bool = False) -> tuple[Plan, Job] | None:
    """The plan and job `--plan FILE --job ID` name, or None for `--module M --version V`;
    a clear error for half of either, or both (`narrowed`: --arch/--python were given too)."""
    if args.plan or args.job:
        if not (args.plan and args.job) or args.module or args.version or narrowed:
            raise UserError(
                "--plan and --job go together, without --module/--version/--arch/--python — "
                "give a planned job, or a module version"
            )
        plan = read_plan(args.plan)
        return plan, plan.job(args.job)
    if not (args.module and args.version):
        raise UserError("give --plan FILE --job ID, or --module NAME --version VERSION")
    return None


def checkout_plan(matrix: LoadedMatrix, only_modules: list[str] | None = None) -> Plan:
    """The plan of this checkout: its matrix, the lock beside it, and its wheels/."""
    return make_plan(
        matrix,
        load_lock(matrix),
        published_wheels(matrix.root / WHEELS_DIR),
        only_modules,
        failures=read_failures(failures_path(lock_path(matrix))),
        hooks=hook_digests(matrix),
    )


def hook_digests(matrix: LoadedMatrix) -> dict[str, str]:
    """sha256 of every hook the matrix names (a changed hook retries a failed build)."""
    paths = {
        hook
        for module in matrix.modules
        for hook in (module.spec.before_all, module.spec.before_build)
        if hook is not None
    }
    return {path: sha256_of_file(matrix.root / path) for path in sorted(paths)}


def add_github_output_argument(parser: argparse.ArgumentParser, outputs: str) -> None:
    parser.add_argument(
        "--github-output",
        type=path_arg,
        metavar="FILE",
        help=f"append the step outputs {outputs} (the workflow passes $GITHUB_OUTPUT)",
    )


def add_summary_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--summary",
        type=path_arg,
        metavar="FILE",
        help=f"append {what} as Markdown (the workflow passes $GITHUB_STEP_SUMMARY)",
    )


def add_git_target_arguments(parser: argparse.ArgumentParser, *, message: str) -> None:
    """Where and how a race-safe commit is pushed (commit-wheels, commit-lock)."""
    parser.add_argument(
        "--repo",
        type=path_arg,
        default=Path("."),
        metavar="DIR",
        help="a clone of the repository (its working tree is not touched)",
    )
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--message", default=message, help=f"commit message (default: {message})")
    parser.add_argument("--author", default=BOT_AUTHOR, help="'Name <email>' of the commit")
    parser.add_argument(
        "--attempts", type=positive_int, default=8, help="push attempts (default 8)"
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="push over HTTPS with the GitHub token in this environment variable "
        "(e.g. GITHUB_TOKEN); never written to git config",
    )
    add_github_output_argument(parser, "commit=SHA")


def git_target(args: argparse.Namespace, *, prefix: str) -> tuple[GitTarget, PushPolicy]:
    config = token_config(token_from_env(args.token_env)) if args.token_env else {}
    require_git_checkout(args.repo)
    target = GitTarget(args.repo, args.remote, args.branch, prefix, config)
    return target, PushPolicy(attempts=args.attempts)
