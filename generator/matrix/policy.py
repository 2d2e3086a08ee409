"""Version policies: which releases of a module the matrix asks for.

Forms (matrix.yml `versions:`): `latest`, `latest:N`, a PEP 440 specifier such as
`>=43,<47`, one pinned version, or a list of pinned versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

POLICY_HELP = (
    "write a version like 6.0.2, a list of versions, a specifier like '>=43,<47', "
    "latest, or latest:N"
)
_SPECIFIER_START = ("<", ">", "=", "!", "~")


@dataclass(frozen=True)
class Pinned:
    versions: tuple[str, ...]  # as written; each a valid PEP 440 version


@dataclass(frozen=True)
class Latest:
    count: int  # the newest N final releases


@dataclass(frozen=True)
class Matching:
    specifier: SpecifierSet  # every final release it contains


VersionPolicy = Pinned | Latest | Matching


def parse_policy(raw: str | list[str]) -> VersionPolicy:
    """Parse a `versions:` value; ValueError says what is wrong and how to fix it."""
    if isinstance(raw, list):
        return _parse_pins(raw)
    text = raw.strip()
    if text == "latest":
        return Latest(1)
    if text.startswith("latest:"):
        return Latest(_parse_count(text))
    if text.startswith(_SPECIFIER_START):
        return _parse_specifier(text)
    return _parse_pins([raw])  # as written: a pin is spelled exactly as PyPI spells it


def _parse_count(text: str) -> int:
    count = text.removeprefix("latest:")
    if not count.isdigit() or int(count) < 1:
        raise ValueError(f"'{text}' needs a whole number ≥ 1 after 'latest:' — e.g. latest:3")
    return int(count)


def _parse_specifier(text: str) -> Matching:
    try:
        return Matching(SpecifierSet(text))
    except InvalidSpecifier:
        raise ValueError(f"'{text}' is not a valid version specifier — {POLICY_HELP}") from None


def _parse_pins(pins: list[str]) -> Pinned:
    if not pins:
        raise ValueError(f"the version list is empty — {POLICY_HELP}")
    seen: dict[Version, str] = {}
    for pin in pins:
        try:
            version = Version(pin)
        except InvalidVersion:
            raise ValueError(f"{pin!r} is not a valid version — {POLICY_HELP}") from None
        if str(version) != pin:
            # Spaces, newlines or another spelling would reach job ids, plan JSON and
            # summaries as written; PyPI spells every version in PEP 440's normal form.
            raise ValueError(f"{pin!r} is not spelled as PyPI spells it — write {version}")
        if version in seen:
            raise ValueError(f"version {pin} is listed twice — keep one")
        seen[version] = pin
    return Pinned(tuple(pins))
