"""What a release needs to build (its sdist's `[build-system] requires`), and where each
requirement comes from: `matrix` (a module this repository builds: the build container
installs it from wheels/) or `index` (the package index).

Read from the sdist itself (no metadata API has it), only for versions with cells to build,
and only once per sdist: `update` keeps the previous answer while the sdist's sha256 is
the same.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import tomllib
from collections.abc import Collection

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from generator.core.wheels import FileRef
from generator.errors import Failure
from generator.pypi.client import PyPIClient

# PEP 518: a project without [build-system] is built with setuptools.
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
MAX_PYPROJECT = 1 << 20  # bytes: a pyproject.toml is a few kB


def fetch_build_requires(client: PyPIClient, sdist: FileRef) -> tuple[str, ...]:
    """The sdist's build requirements, downloaded and sha256-checked."""
    data = client.transport.get(sdist.url, accept="*/*", parse=lambda response: response.content)
    if sdist.sha256 and hashlib.sha256(data).hexdigest() != sdist.sha256:
        raise Failure(f"{sdist.url}: sha256 differs from the index's — retry the update")
    return build_requires_of(data, sdist.filename)


def build_requires_of(sdist: bytes, filename: str) -> tuple[str, ...]:
    """`[build-system] requires` of a .tar.gz sdist's top-level pyproject.toml."""
    try:
        with tarfile.open(fileobj=io.BytesIO(sdist), mode="r:gz") as archive:
            member = next((m for m in archive if m.isfile() and _is_top_pyproject(m.name)), None)
            if member is None:
                return LEGACY_REQUIRES
            if member.size > MAX_PYPROJECT:
                raise Failure(f"{filename}: pyproject.toml is {member.size} bytes — not read")
            stream = archive.extractfile(member)
            text = stream.read().decode("utf-8") if stream else ""
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        raise Failure(f"{filename}: cannot read its pyproject.toml ({error})") from None
    try:
        table = tomllib.loads(text).get("build-system", {})
    except tomllib.TOMLDecodeError as error:
        raise Failure(f"{filename}: pyproject.toml is not TOML ({error})") from None
    except RecursionError:  # tomllib recurses per nested array or table: a hostile sdist
        raise Failure(f"{filename}: pyproject.toml nests too deep to read") from None
    requires = table.get("requires", list(LEGACY_REQUIRES)) if isinstance(table, dict) else []
    if not isinstance(requires, list):  # a string would otherwise be read letter by letter
        raise Failure(f"{filename}: [build-system] requires is not a list")
    return tuple(str(item) for item in requires if isinstance(item, str))


def sources(requires: Collection[str], built_here: Collection[str]) -> dict[str, str]:
    """requirement → `matrix` (built by this repository) or `index`."""
    found = {}
    for line in requires:
        try:
            name = canonicalize_name(Requirement(line).name)
        except InvalidRequirement:
            continue  # the build frontend reports it; the lock records what it can read
        found[line] = "matrix" if name in built_here else "index"
    return found


def _is_top_pyproject(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and parts[1] == "pyproject.toml"
