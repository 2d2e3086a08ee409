"""Requirements text as pip reads it, shared by bundle files, test-requires and `check`."""

from __future__ import annotations

import pytest

from generator.core.requirements_text import (
    NotARequirement,
    RequirementWithURL,
    index_requirement,
    logical_lines,
)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param("lxml\n\n  psycopg2  \n", [(1, "lxml"), (3, "psycopg2")], id="blank lines"),
        pytest.param("# the app\n  # indented\nlxml\n", [(3, "lxml")], id="comment lines"),
        pytest.param("lxml  # parser\nsix\t# tab\n", [(1, "lxml"), (2, "six")], id="after space"),
        pytest.param(
            "lxml\u00a0# after a no-break space\n", [(1, "lxml")], id="after any whitespace"
        ),
        pytest.param("x @ https://e.org/x#egg=x\n", [(1, "x @ https://e.org/x#egg=x")], id="url #"),
        pytest.param("ps\\\nycopg2>=2 \\\n  # c\nsix\n", [(1, "psycopg2>=2"), (4, "six")], id="\\"),
        pytest.param("six\nlxml>=6\\", [(1, "six"), (2, "lxml>=6")], id="ends in \\"),
    ],
)
def test_logical_lines_are_read_as_pip_reads_them(text: str, lines: list[tuple[int, str]]) -> None:
    assert list(logical_lines(text)) == lines


def test_a_requirement_is_parsed() -> None:
    requirement = index_requirement("PsycoPG2[binary]>=2.9 ; python_version >= '3.9'")
    assert (requirement.name, str(requirement.specifier)) == ("PsycoPG2", ">=2.9")


def test_not_a_requirement_keeps_packagings_first_line() -> None:
    with pytest.raises(NotARequirement) as raised:
        index_requirement("ruamel yaml")
    assert str(raised.value).startswith("Expected semicolon")
    assert "\n" not in str(raised.value)  # no caret drawing


def test_a_url_is_refused() -> None:
    with pytest.raises(RequirementWithURL):
        index_requirement("x @ https://example.org/x.whl")
