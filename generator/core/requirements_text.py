"""Requirements text as pip reads it: logical lines, and one PEP 508 requirement from an index.

matrix.yml's bundle files and test-requires and `check`'s requirements files share this
reading; what each accepts beyond it (pip options, hashes, markers) and how it words and
locates a problem stay with the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's own: `#` starts a comment at a line's start
# or after whitespace, so `pkg#egg` in a URL is kept


class NotARequirement(ValueError):
    """The text is not PEP 508; the message is packaging's reason, on one line."""


class RequirementWithURL(ValueError):
    """The text names a direct URL (`name @ https://...`), not a release on an index."""


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each non-empty logical line: `\\` continuations joined
    the way pip joins them (end to end), comments cut, surrounding whitespace stripped."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        start = start or number
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        line = _COMMENT.sub("", "".join([*pending, raw])).strip()
        pending, first, start = [], start, 0
        if line:
            yield first, line
    if pending:  # a file that ends in `\`
        line = _COMMENT.sub("", "".join(pending)).strip()
        if line:
            yield start, line


def index_requirement(text: str) -> Requirement:
    """`text` as one PEP 508 requirement pip takes from an index: NotARequirement (with
    packaging's first line, not the caret drawing it adds below) or RequirementWithURL."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise NotARequirement(str(error).splitlines()[0]) from None
    if requirement.url:
        raise RequirementWithURL(text)
    return requirement
