"""Stand-in wheels for distributions that have no wheel for the target.

pip resolves binary-only for a foreign platform (`--platform` needs `--only-binary=:all:`), so
it stops at the first distribution that would compile. A placeholder wheel of that release
(its name, version and Requires-Dist, tagged py3-none-any) lets pip go on through the rest
of the closure, exactly as it would after building the real wheel.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

PLACEHOLDER_TAG = "py3-none-any"
_EXTRA = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")


def placeholder_filename(name: str, version: str) -> str:
    return f"{_dist_name(name)}-{version}-{PLACEHOLDER_TAG}.whl"


def write_placeholder(folder: Path, name: str, version: str, requires_dist: Sequence[str]) -> Path:
    """A minimal, valid wheel of `name` `version` in `folder` that requires `requires_dist`
    (lines as in core metadata, markers and extras included)."""
    info = f"{_dist_name(name)}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\n",
            f"Version: {version}\n",
            *(f"Requires-Dist: {line}\n" for line in requires_dist),
            *(f"Provides-Extra: {extra}\n" for extra in _extras(requires_dist)),
        ]
    )
    wheel = (
        "Wheel-Version: 1.0\nGenerator: python-musl-wheels check\n"
        f"Root-Is-Purelib: true\nTag: {PLACEHOLDER_TAG}\n"
    )
    record = f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n"
    path = folder / placeholder_filename(name, version)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{info}/METADATA", metadata)
        archive.writestr(f"{info}/WHEEL", wheel)
        archive.writestr(f"{info}/RECORD", record)
    return path


def _dist_name(name: str) -> str:
    # The wheel spelling of a project name (PEP 427 with PEP 503 normalisation).
    return canonicalize_name(name).replace("-", "_")


def _extras(requires_dist: Sequence[str]) -> list[str]:
    """The extras the Requires-Dist lines mention (`; extra == "socks"`): pip only
    honours `name[extra]` for extras the metadata provides."""
    found = (_EXTRA.findall(line.partition(";")[2]) for line in requires_dist)
    return list(dict.fromkeys(canonicalize_name(extra) for extras in found for extra in extras))
