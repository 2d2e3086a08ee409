"""Read a requirements file the way people write them, with a located error for each problem.

Requirement lines (PEP 508), comments, blank lines, `\\` continuations, `-r FILE` and
`-c FILE` (relative to the file that names them) and per-line `--hash=...` are read. Other
pip options (an index, `-e`, find-links) are refused: `check` answers for the index it is
given, and a line it cannot honour must not be skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

from generator.core.requirements_text import (
    NotARequirement,
    RequirementWithURL,
    index_requirement,
    logical_lines,
)
from generator.errors import UserError
from generator.fileio import read_text

MAX_DEPTH = 10  # -r inside -r: deeper than this is a loop nobody meant
_HASH = re.compile(r"\s--hash[=\s]\S+")
_INCLUDES = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}


@dataclass(frozen=True)
class RequirementLine:
    requirement: Requirement
    where: str  # "requirements.txt:3"
    constraint: bool  # from a -c file: limits versions, installs nothing


def read_requirements(path: Path) -> tuple[RequirementLine, ...]:
    """Every requirement and constraint of `path` and the files it includes, in order."""
    return tuple(_read(path, constraint=False, seen=()))


def parse_requirement(text: str, where: str) -> Requirement:
    """One PEP 508 requirement, or a located error that says how to write it."""
    try:
        return index_requirement(text)
    except NotARequirement as error:
        raise UserError(
            f"{where}: {text!r} is not a requirement ({error}) — write NAME[extras]"
            "[specifier][; marker], e.g. psycopg2==2.9.10"
        ) from None
    except RequirementWithURL:
        raise UserError(
            f"{where}: {text!r} is a direct URL — check answers for an index: name a "
            "released version instead"
        ) from None


def _read(path: Path, *, constraint: bool, seen: tuple[Path, ...]) -> Iterator[RequirementLine]:
    if len(seen) >= MAX_DEPTH or path.resolve() in seen:
        raise UserError(f"{path}: included again by {seen[-1]} — remove the loop of -r/-c files")
    text = read_text(
        path, missing="give the path of a requirements file", unreadable="give a UTF-8 text file"
    )
    for number, line in _logical_lines(text):
        where = f"{path}:{number}"
        if line.startswith("-"):
            yield from _include(path, line, where, constraint, (*seen, path.resolve()))
        else:
            yield RequirementLine(parse_requirement(line, where), where, constraint)


def _include(
    path: Path, line: str, where: str, constraint: bool, seen: tuple[Path, ...]
) -> Iterator[RequirementLine]:
    option, _, rest = line.replace("=", " ", 1).partition(" ")
    if option not in _INCLUDES:
        raise UserError(
            f"{where}: the pip option {option} is not read by check — remove it (give "
            "this repository's index with --index-url, PyPI's with PIP_INDEX_URL)"
        )
    if not rest.strip():
        raise UserError(f"{where}: {option} names no file — write {option} other.txt")
    included = path.parent / rest.strip()
    yield from _read(included, constraint=constraint or _INCLUDES[option], seen=seen)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """The file's logical lines with per-line `--hash=...` taken out: pip checks them, check
    resolves names and versions only."""
    for number, line in logical_lines(text):
        line = _HASH.sub("", line).strip()
        if line:
            yield number, line
