"""The image tag grammar — public API: downstream Dockerfiles hard-code these tags.

    <module><version>-py<X.Y>-<arch>   one architecture        markupsafe3.0.4-py3.12-arm64
    <module><version>-py<X.Y>          multi-arch list         markupsafe3.0.4-py3.12
    <module>-py<X.Y>                   newest version (moves)  markupsafe-py3.12

- <module> is the PEP 503 normalised project name (lowercase, runs of `-_.` become `-`).
- <version> is the PEP 440 normalised version (`1.0RC1` → `1.0rc1`); local versions (`+x`) are
  refused: `+` is not allowed in a tag and PyPI never serves them.
- <X.Y> is the CPython version; the free-threaded build keeps cibuildwheel's `t` suffix:
  `py3.14t` (so `py3.14` and `py3.14t` are different images, as their wheels are).
- <arch> is Docker's `${TARGETARCH}${TARGETVARIANT}`: amd64 arm64 armv7 386 ppc64le s390x
  riscv64, so a Dockerfile can write `-py3.12-${TARGETARCH}${TARGETVARIANT}` if it prefers.

A bundle of matrix.yml (one image for an application's modules) has no version:

    bundle-<name>-py<X.Y>-<arch>       one architecture        bundle-web-py3.12-arm64
    bundle-<name>-py<X.Y>              multi-arch list (moves) bundle-web-py3.12

matrix.yml refuses a bundle `<name>` beside a module `bundle-<name>`, whose moving tag it
would be.

Module and version are joined without a separator (as moonbuggy's images do), so `foo1` 2.0
and `foo` 12.0 would share a tag; no real pair on PyPI is known to clash.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.core.cells import Family
from generator.core.platforms import ARCHS, Arch
from generator.errors import UserError

# Docker's tag grammar (distribution/reference): a word character first, at most 128 in all.
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# PEP 508 project names: letters, digits, `-_.`, starting and ending with a letter or digit.
_PROJECT = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_PYTHON = re.compile(r"(?P<major>3)\.(?P<minor>[0-9]{1,2})(?P<t>t?)")
# distribution/reference: lowercase path components after an optional `host[:port]/`.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(
    rf"(?P<host>[A-Za-z0-9.-]+(?::[0-9]+)?)/{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
)


def list_tag(family: Family) -> str:
    return checked_tag(f"{family.module}{family.version}-py{family.python}")


def moving_tag(family: Family) -> str:
    return checked_tag(f"{family.module}-py{family.python}")


def arch_tag(family: Family, arch: Arch) -> str:
    return checked_tag(f"{list_tag(family)}-{arch.docker_arch}")


def bundle_list_tag(bundle: str, python: str) -> str:
    return checked_tag(f"bundle-{bundle}-py{python_text(python)}")


def bundle_arch_tag(bundle: str, python: str, arch: Arch) -> str:
    return checked_tag(f"{bundle_list_tag(bundle, python)}-{arch.docker_arch}")


def image_family(module: str, version: str, python: str) -> Family:
    """Validate and normalise the three coordinates, explaining what is wrong."""
    family = Family(module_name(module), version_text(version), python_text(python))
    arch_tag(family, ARCHS["x86_64"])  # the longest tags: fail early if they exceed 128 chars
    return family


def module_name(text: str) -> str:
    if not _PROJECT.fullmatch(text):
        raise UserError(
            f"module {text!r} is not a valid project name — use the name as on PyPI: letters, "
            "digits and `-_.`, starting and ending with a letter or digit (PEP 508)"
        )
    return canonicalize_name(text)


def version_text(text: str) -> str:
    try:
        version = Version(text)
    except InvalidVersion:
        raise UserError(
            f"version {text!r} is not a PEP 440 version — give it as on PyPI, e.g. 3.0.2"
        ) from None
    if version.local is not None:
        raise UserError(
            f"version {text!r} has a local part (+{version.local}) — image tags cannot contain "
            "`+` and PyPI never serves local versions; publish the public version"
        )
    return str(version)


def python_text(text: str) -> str:
    match = _PYTHON.fullmatch(text)
    if match is None:
        raise UserError(
            f"python {text!r} is not a CPython version — write X.Y, or X.Yt for the "
            "free-threaded build (e.g. 3.12, 3.14t)"
        )
    return f"{match['major']}.{int(match['minor'])}{match['t']}"


def arch_named(text: str) -> Arch:
    """An arch by its Python spelling (aarch64) or its Docker spelling (arm64)."""
    for arch in ARCHS.values():
        if text in (arch.name, arch.docker_arch, arch.docker_platform):
            return arch
    known = ", ".join(f"{arch.name} ({arch.docker_arch})" for arch in ARCHS.values())
    raise UserError(f"unknown arch {text!r} — musllinux arches are: {known}")


def repository_name(text: str) -> str:
    """A `host[:port]/path` repository, e.g. ghcr.io/owner/repo or 127.0.0.1:5000/wheels."""
    if not _REPOSITORY.fullmatch(text):
        raise UserError(
            f"registry {text!r} is not `HOST[:PORT]/NAMESPACE[/NAME]` — the path must be "
            "lowercase letters, digits and single `._-` separators, e.g. ghcr.io/owner/repo "
            "(GHCR needs the owner lowercased)"
        )
    return text


def checked_tag(tag: str) -> str:
    if not _TAG.fullmatch(tag):
        raise UserError(
            f"image tag {tag!r} is not a valid Docker tag — at most 128 characters from "
            "[A-Za-z0-9_.-]; shorten the module name or version"
        )
    return tag
