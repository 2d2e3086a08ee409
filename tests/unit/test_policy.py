"""generator.matrix.policy.parse_policy: every form of `versions:`, and every error."""

from __future__ import annotations

import re

import pytest
from packaging.specifiers import SpecifierSet

from generator.matrix.policy import (
    POLICY_HELP,
    Latest,
    Matching,
    Pinned,
    VersionPolicy,
    parse_policy,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("latest", Latest(1), id="latest"),
        pytest.param("  latest ", Latest(1), id="latest, spaces"),
        pytest.param("latest:3", Latest(3), id="latest:N"),
        pytest.param("latest:10", Latest(10), id="latest:10"),
        pytest.param(">=43,<47", Matching(SpecifierSet(">=43,<47")), id="specifier"),
        pytest.param("==1.0.*", Matching(SpecifierSet("==1.0.*")), id="== specifier"),
        pytest.param("~=2.1", Matching(SpecifierSet("~=2.1")), id="~= specifier"),
        pytest.param("!=1.5", Matching(SpecifierSet("!=1.5")), id="!= specifier"),
        pytest.param("6.0.2", Pinned(("6.0.2",)), id="one pin"),
        pytest.param("2.0.0rc1", Pinned(("2.0.0rc1",)), id="a pre-release pin"),
        pytest.param(["1.0", "2.0"], Pinned(("1.0", "2.0")), id="list of pins, as written"),
        pytest.param(["2.0", "1.0"], Pinned(("2.0", "1.0")), id="list order kept"),
    ],
)
def test_parse_policy(raw: str | list[str], expected: VersionPolicy) -> None:
    assert parse_policy(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            "latest:0",
            "'latest:0' needs a whole number ≥ 1 after 'latest:' — e.g. latest:3",
            id="latest:0",
        ),
        pytest.param(
            "latest:x",
            "'latest:x' needs a whole number ≥ 1 after 'latest:' — e.g. latest:3",
            id="latest:x",
        ),
        pytest.param(
            "latest:",
            "'latest:' needs a whole number ≥ 1 after 'latest:' — e.g. latest:3",
            id="latest: empty",
        ),
        pytest.param(
            "latest:-1",
            "'latest:-1' needs a whole number ≥ 1 after 'latest:' — e.g. latest:3",
            id="latest:-1",
        ),
        pytest.param(
            ">=4x",
            f"'>=4x' is not a valid version specifier — {POLICY_HELP}",
            id="bad specifier",
        ),
        pytest.param([], f"the version list is empty — {POLICY_HELP}", id="empty list"),
        pytest.param("banana", f"'banana' is not a valid version — {POLICY_HELP}", id="bad pin"),
        pytest.param(
            ["1.0", "oops"], f"'oops' is not a valid version — {POLICY_HELP}", id="bad pin in list"
        ),
        pytest.param(
            ["1.0", "1.0.0"], "version 1.0.0 is listed twice — keep one", id="same version twice"
        ),
        pytest.param("newest", f"'newest' is not a valid version — {POLICY_HELP}", id="a typo"),
        pytest.param(
            " 6.0.2 ",
            "' 6.0.2 ' is not spelled as PyPI spells it — write 6.0.2",
            id="one pin, spaces",
        ),
        pytest.param(
            "0.1.0\n",
            "'0.1.0\\n' is not spelled as PyPI spells it — write 0.1.0",
            id="one pin, a newline",
        ),
    ],
)
def test_parse_policy_errors(raw: str | list[str], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_policy(raw)
