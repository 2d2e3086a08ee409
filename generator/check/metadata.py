"""The Requires-Dist of a release pip found no wheel of, for its placeholder.

The index's metadata first (the JSON API, PEP 658 metadata of a wheel, the project's newest
release: PyPIClient.release_metadata). Some mirrors answer none of those for a release
that is not the newest; a wheel of it for another platform then has the same METADATA
inside (a wheel's dependencies are static), so the smallest one is read.
"""

from __future__ import annotations

import requests
from packaging.version import Version

from generator.core.wheels import wheel_metadata
from generator.errors import UserError
from generator.pypi.client import MetadataUnavailable, PyPIClient
from generator.pypi.models import ProjectFiles
from generator.pypi.transport import InvalidResponse

MAX_WHEEL_BYTES = 64 << 20  # read for its METADATA only; a bigger one is not worth the wait


def requires_dist(
    pypi: PyPIClient, name: str, version: str, files: ProjectFiles
) -> tuple[list[str], str | None]:
    """The release's Requires-Dist lines, and a warning when nothing says what they are."""
    try:
        return list(pypi.release_metadata(name, Version(version), files).requires_dist), None
    except MetadataUnavailable:
        pass
    release = files.releases().get(Version(version))
    wheels = sorted(
        (f for f in (release.wheels if release else ()) if (f.size or 0) <= MAX_WHEEL_BYTES),
        key=lambda f: f.size or MAX_WHEEL_BYTES,
    )
    if wheels:
        return pypi.transport.get(wheels[0].url, accept="*/*", parse=wheel_requires_dist), None
    return [], (
        f"{name} {version}: the index has no metadata for it, so its own dependencies were "
        "not checked"
    )


def wheel_requires_dist(response: requests.Response) -> list[str]:
    try:
        raw = wheel_metadata(response.content)
    except UserError as error:
        raise InvalidResponse(f"{response.url}: {error}") from None
    return list(raw.get("requires_dist", []))
