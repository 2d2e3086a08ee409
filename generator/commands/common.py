"""Arguments every verb shares."""

from __future__ import annotations

import argparse

from generator.matrix import DEFAULT_MATRIX


def add_matrix_argument(parser: argparse.ArgumentParser, *, used: bool = True) -> None:
    parser.add_argument(
        "--matrix",
        default=DEFAULT_MATRIX,
        metavar="PATH",
        help=f"the matrix file (default: ./{DEFAULT_MATRIX}); hooks/ and wheels/ are beside it"
        if used
        else "accepted for uniform scripting; this verb does not read the matrix",
    )
