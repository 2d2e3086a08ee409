"""Errors meant for people: what is wrong, where, and how to fix it.

Every verb raises one of these instead of letting a traceback through; the CLI
prints the message and exits 2 for bad input, 1 for a failure of the outside world.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class: carries a finished, human-readable message."""

    exit_code = 1


class UserError(GeneratorError):
    """Bad input (matrix, arguments, files): exit 2."""

    exit_code = 2


class Failure(GeneratorError):
    """Something outside failed (network, a tool, a checksum): exit 1."""

    exit_code = 1


class MatrixError(UserError):
    """A problem at a place in matrix.yml, printed as `file:line:col: what — fix`."""

    def __init__(self, path: str, line: int, column: int, what: str, fix: str) -> None:
        self.path, self.line, self.column = path, line, column
        self.what, self.fix = one_line(what), one_line(fix)
        super().__init__(f"{path}:{line}:{column}: {self.what} — {self.fix}")


def one_line(text: str) -> str:
    """`text` with control and line-break characters escaped (`\\n`): a key or value quoted
    from the user's file cannot split its error over lines."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
