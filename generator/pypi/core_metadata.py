"""Read PEP 658 core metadata (`<wheel url>.metadata`): any modern index serves it.

The headers are those of a wheel's METADATA file; `packaging.metadata` parses them.
"""

from __future__ import annotations

import requests
from packaging.metadata import parse_email
from packaging.version import Version

from generator.pypi.models import ReleaseMetadata
from generator.pypi.transport import InvalidResponse

ACCEPT = "text/plain, */*;q=0.1"


def metadata_url(file_url: str) -> str:
    return file_url + ".metadata"


def parse_core_metadata(response: requests.Response, name: str) -> ReleaseMetadata:
    try:
        raw, _unparsed = parse_email(response.content)
        version = Version(raw["version"])
    except (KeyError, TypeError, ValueError) as error:  # InvalidVersion is a ValueError
        raise InvalidResponse(
            f"core metadata of {name} without a valid Version ({error})"
        ) from error
    return ReleaseMetadata(
        name=name,
        version=version,
        requires_dist=tuple(raw.get("requires_dist", [])),
        requires_python=raw.get("requires_python"),
        source=response.url,
    )
