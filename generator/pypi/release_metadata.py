"""Read a release's Requires-Dist and Requires-Python from what the index offers.

Two sources, same answer: the JSON API (`/pypi/<name>/<version>/json`, one request,
PyPI only) and PEP 658 core metadata (`<wheel url>.metadata`, any modern index).
The stdlib email parser via `packaging.metadata` reads the latter.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from packaging.metadata import parse_email
from packaging.version import InvalidVersion, Version

from generator.pypi.models import ReleaseMetadata
from generator.pypi.transport import InvalidResponse


def json_api_base(index_url: str) -> str | None:
    """`https://host/simple/` → `https://host/pypi`, PyPI's (and mirrors') layout; else None."""
    parts = urlsplit(index_url)
    path = parts.path.rstrip("/")
    if not path.endswith("/simple") and path != "simple":
        return None
    return urlunsplit(parts._replace(path=path[: -len("simple")] + "pypi", query="", fragment=""))


def release_json_url(api_base: str, normalized_name: str, version: Version) -> str:
    return f"{api_base}/{normalized_name}/{version}/json"


def project_json_url(api_base: str, normalized_name: str) -> str:
    return f"{api_base}/{normalized_name}/json"


def parse_release_json(response: requests.Response, name: str) -> ReleaseMetadata:
    """The `info` block of a JSON API answer (per-version, or the project's newest)."""
    info = _json_object(response).get("info")
    if not isinstance(info, dict):
        raise InvalidResponse("JSON API answer has no `info` object")
    return ReleaseMetadata(
        name=name,
        version=_version(info.get("version")),
        requires_dist=tuple(_strings(info.get("requires_dist"))),
        requires_python=info.get("requires_python") or None,
        source=response.url,
    )


def parse_core_metadata(response: requests.Response, name: str) -> ReleaseMetadata:
    """A PEP 658 `.metadata` file: RFC 822 headers as in a wheel's METADATA."""
    raw, _unparsed = parse_email(response.content)
    if "version" not in raw:
        raise InvalidResponse("core metadata has no Version header")
    return ReleaseMetadata(
        name=name,
        version=_version(raw["version"]),
        requires_dist=tuple(raw.get("requires_dist", [])),
        requires_python=raw.get("requires_python"),
        source=response.url,
    )


def _json_object(response: requests.Response) -> dict[str, Any]:
    data = response.json()  # a truncated body raises a ValueError: the caller retries
    if not isinstance(data, dict):
        raise InvalidResponse("expected a JSON object")
    return data


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidResponse("`requires_dist` is not a list of strings")
    return list(value)


def _version(value: object) -> Version:
    try:
        return Version(str(value))
    except InvalidVersion as error:
        raise InvalidResponse(f"invalid version {value!r}") from error
