"""Arguments every verb shares."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from generator.errors import UserError
from generator.matrix.load import DEFAULT_MATRIX


def add_matrix_argument(parser: argparse.ArgumentParser, *, used: bool = True) -> None:
    parser.add_argument(
        "--matrix",
        default=DEFAULT_MATRIX,
        metavar="PATH",
        help=f"the matrix file (default: ./{DEFAULT_MATRIX}); hooks/ and wheels/ are beside it"
        if used
        else "accepted for uniform scripting; this verb does not read the matrix",
    )


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
    )
    if done.returncode != 0:
        raise UserError(
            f"--repo {path}: not a git checkout — run it inside a clone of the "
            "repository, or pass --repo PATH to one"
        )
