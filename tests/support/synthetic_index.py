"""A made-up index for `check` cases no recorded project shows (release histories chosen
to the file): a folder laid out like tests/fixtures/check-pypi/, served by
support.pypi_server.running_index(fixtures=...).

Each wheel gets recorded core metadata (PEP 658), so pip resolves without the wheel files;
sdists are listed only (pip on a foreign platform never reads them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FILES = "https://files.pythonhosted.org/packages/made-up"


@dataclass(frozen=True)
class Dist:
    filename: str
    requires_dist: tuple[str, ...] = ()
    yanked: bool = False
    requires_python: str | None = None


def write_index(folder: Path, projects: Mapping[str, Mapping[str, Sequence[Dist]]]) -> Path:
    """`folder` with json/<name>.json and metadata/<wheel>.metadata for `projects`
    (name → version → files)."""
    (folder / "json").mkdir(parents=True)
    (folder / "metadata").mkdir()
    for name, releases in projects.items():
        answer = {
            "info": {"name": name, "version": max(releases, key=_key), "requires_dist": None},
            "releases": {
                version: [_entry(folder, name, version, dist) for dist in dists]
                for version, dists in releases.items()
            },
        }
        (folder / "json" / f"{name}.json").write_text(json.dumps(answer))
    return folder


def _entry(folder: Path, name: str, version: str, dist: Dist) -> dict[str, object]:
    if dist.filename.endswith(".whl"):
        metadata = "".join(
            [
                f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                *(f"Requires-Dist: {line}\n" for line in dist.requires_dist),
            ]
        )
        (folder / "metadata" / f"{dist.filename}.metadata").write_text(metadata)
    return {
        "filename": dist.filename,
        "url": f"{FILES}/{dist.filename}",
        "digests": {"sha256": hashlib.sha256(dist.filename.encode()).hexdigest()},
        "packagetype": "bdist_wheel" if dist.filename.endswith(".whl") else "sdist",
        "requires_python": dist.requires_python,
        "yanked": dist.yanked,
        "yanked_reason": "broken" if dist.yanked else None,
        "size": 1000,
        "upload_time_iso_8601": "2026-01-01T00:00:00.000000Z",
    }


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
