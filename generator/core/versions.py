"""Versions as PEP 440 compares them, for text that may not be a valid version."""

from __future__ import annotations

import functools

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from generator.core.platforms import python_version


def is_exact_version(text: str) -> bool:
    """A valid PEP 440 version with nothing around it: packaging accepts `1.0\\n` and
    ` 1.0`, which would reach job ids, pip's arguments and summaries as written."""
    if text != text.strip():
        return False
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def version_key(text: str) -> tuple[int, Version | str]:
    """Sorts valid versions in PEP 440 order, after any invalid text (never string-compared)."""
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def same_version(a: str, b: str) -> bool:
    """`6.0` and `6.0.0` are the same release; invalid text matches only itself."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def release_key(text: str) -> str:
    """One spelling per release, for comparing cells: `1.0`, `1.0.0` and `1.0.0.0` → `1`
    (packaging's canonical form); invalid text as it is."""
    try:
        return canonicalize_version(Version(text))
    except InvalidVersion:
        return text


def normal_version(text: str) -> str:
    """PEP 440's normal form (`6.0.0`, `2.0.0rc1`); invalid text as it is."""
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


@functools.lru_cache(maxsize=4096)
def requires_python(text: str | None) -> SpecifierSet | None:
    """A release's Requires-Python; None when it has none or it is broken (not ours to
    enforce: pip ignores a broken one too)."""
    if not text:
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


@functools.lru_cache(maxsize=4096)
def python_allowed(requires: str | None, python: str) -> bool:
    """Requires-Python `requires` admits CPython `python` (`3.14t` counts as 3.14)."""
    specifier = requires_python(requires)
    return specifier is None or specifier.contains(
        Version(python_version(python)), prereleases=True
    )
