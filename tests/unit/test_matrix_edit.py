"""matrix.edit.add_modules: new entries at the end of `modules:`, every other line as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import UserError
from generator.matrix.edit import NewModule, add_modules
from generator.matrix.load import parse_matrix

FILE = Path("matrix.yml")
MATRIX = """\
# yaml-language-server: $schema=matrix.schema.json
defaults:
  python: ["3.12", "3.13"]   # quoted on purpose
  arch: [x86_64, aarch64]

modules:
  cffi:
    versions: "2.1.1"
    exclude:
      - arch: i686
        reason: no compiler   # kept as written
  pyyaml: '6.0.3'
  # lxml: "6.1.3"   (waiting for a fix)

# how many versions wheels/ keeps
keep-versions: 3
"""


def inserted(before: str, after: str) -> tuple[int, list[str]]:
    """Where lines were inserted, and which, given that nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
    count = len(new) - len(old)
    assert new[:start] + new[start + count :] == old  # untouched lines: byte-identical
    return start, new[start : start + count]


def test_entries_go_after_the_last_module_and_nothing_else_changes() -> None:
    new = [
        NewModule("psycopg2", ("2.9.10",)),
        NewModule("frozenlist", (">=1.4",), python=("3.12",), arch=("i686", "armv7l")),
        NewModule("null", ("latest",)),
    ]
    text = add_modules(MATRIX, FILE, new)
    start, lines = inserted(MATRIX, text)
    assert start == 12  # after `  pyyaml: '6.0.3'`, before the commented-out module
    assert lines == [
        '  psycopg2: "2.9.10"\n',
        "  frozenlist:\n",
        '    versions: ">=1.4"\n',
        '    python: ["3.12"]\n',
        "    arch: [i686, armv7l]\n",
        '  "null": latest\n',
    ]
    matrix = parse_matrix(text, FILE)
    assert [m.name for m in matrix.modules] == ["cffi", "pyyaml", "psycopg2", "frozenlist", "null"]


def test_the_file_indentation_is_followed() -> None:
    text = 'modules:\n    six: "1.17.0"'  # four spaces, no newline at the end
    assert add_modules(text, FILE, [NewModule("idna", ("3.10",), arch=("aarch64",))]) == (
        'modules:\n    six: "1.17.0"\n    idna:\n        versions: "3.10"\n'
        "        arch: [aarch64]\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("modules: {six: latest}\n", id="flow style"),
        pytest.param("defaults: {}\n", id="no modules"),
        pytest.param("- a list\n", id="not a mapping"),
    ],
)
def test_layouts_add_cannot_extend_are_refused(text: str) -> None:
    with pytest.raises(UserError, match=r"^matrix.yml: .* — "):
        add_modules(text, FILE, [NewModule("six", ("latest",))])


def test_a_block_scalar_whose_last_line_starts_with_a_hash_stays_whole() -> None:
    """`#42 upstream` is the scalar's text, not a comment: the entry goes after it."""
    text = (
        "modules:\n  cffi:\n    versions: latest\n    exclude:\n      - arch: i686\n"
        "        reason: >-\n          does not build, see\n          #42 upstream\n"
        "  # lxml: latest\n\nkeep-versions: 2\n"
    )
    result = add_modules(text, FILE, [NewModule("six", ("latest",))])
    start, lines = inserted(text, result)
    assert (start, lines) == (8, ["  six: latest\n"])
    cffi, six = parse_matrix(result, FILE).modules
    assert six.name == "six"
    assert cffi.spec.exclude[0].reason == "does not build, see #42 upstream"


def test_an_old_value_the_splice_would_change_is_refused() -> None:
    """A kept (`|+`) block scalar owns its trailing blank lines: an entry put before them
    would take them from it, and that is caught, not returned."""
    text = (
        "modules:\n  six:\n    versions: latest\n    note: |+\n      kept\n\n\nkeep-versions: 2\n"
    )
    with pytest.raises(UserError, match=r"^matrix.yml: the new entries would change what is"):
        add_modules(text, FILE, [NewModule("idna", ("latest",))])


def test_the_file_line_endings_are_kept() -> None:
    text = 'modules:\r\n  six: "1.17.0"  # pinned\r\n# tail\r\nkeep-versions: 2\r\n'
    result = add_modules(text, FILE, [NewModule("idna", ("3.10",), arch=("aarch64",))])
    assert result == (
        'modules:\r\n  six: "1.17.0"  # pinned\r\n  idna:\r\n    versions: "3.10"\r\n'
        "    arch: [aarch64]\r\n# tail\r\nkeep-versions: 2\r\n"
    )
