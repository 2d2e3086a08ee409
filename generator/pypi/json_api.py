"""PyPI's JSON API (`/pypi/<name>/json`, `/pypi/<name>/<version>/json`).

Not a standard: PyPI and some mirrors serve it. It is used for release metadata
(`info`), and optionally for listings: one answer holds every file with hashes,
requires-python, yanked reasons, sizes and upload times, and `json.loads` is
far cheaper than parsing a PEP 503 HTML page.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from packaging.version import InvalidVersion, Version
from pypi_simple.errors import UnparsableFilenameError
from pypi_simple.filenames import parse_filename

from generator.pypi.models import DistFile, ProjectFiles, ReleaseMetadata
from generator.pypi.transport import InvalidResponse

ACCEPT = "application/json"


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
    metadata = _info_metadata(_json_object(response), name, response.url)
    if metadata is None:
        raise InvalidResponse("JSON API answer has no `info` object")
    return metadata


def _info_metadata(data: dict[str, Any], name: str, url: str) -> ReleaseMetadata | None:
    info = data.get("info")
    if not isinstance(info, dict):
        return None
    return ReleaseMetadata(
        name=name,
        version=_version(info.get("version")),
        requires_dist=tuple(_strings(info.get("requires_dist"))),
        requires_python=info.get("requires_python") or None,
        source=url,
    )


def parse_project_json(response: requests.Response, name: str) -> ProjectFiles:
    """Every file of every release of a project answer, like a simple-index page."""
    data = _json_object(response)
    releases = data.get("releases")
    if not isinstance(releases, dict):
        raise InvalidResponse("JSON API answer has no `releases` object")
    files = tuple(
        _dist_file(entry, response.url)
        for release_files in releases.values()
        for entry in release_files
    )
    return ProjectFiles(
        name=name,
        index_url=response.url,
        files=files,
        listed_versions=tuple(releases),
        newest_metadata=_info_metadata(data, name, response.url),
    )


def _dist_file(entry: dict[str, Any], page_url: str) -> DistFile:
    try:
        _project, version, package_type = parse_filename(entry["filename"])
    except UnparsableFilenameError:
        version, package_type = "", None
    upload_time = entry.get("upload_time_iso_8601")
    return DistFile(
        filename=entry["filename"],
        url=_absolute(page_url, entry["url"]),
        sha256=entry.get("digests", {}).get("sha256"),
        requires_python=entry.get("requires_python") or None,
        yanked=bool(entry.get("yanked")),
        yanked_reason=entry.get("yanked_reason") if entry.get("yanked") else None,
        upload_time=datetime.fromisoformat(upload_time) if upload_time else None,
        size=entry.get("size"),
        version=_file_version(version),
        package_type=package_type,
    )


def _absolute(page_url: str, url: str) -> str:
    # Some registries give relative URLs here (this one does); urljoin is slow, so
    # only for those: a big project has thousands of files.
    return url if "://" in url else urljoin(page_url, url)


@functools.lru_cache(maxsize=4096)
def _file_version(text: str) -> Version | None:
    # Cached: every release repeats its version in dozens of filenames.
    try:
        return Version(text)
    except InvalidVersion:
        return None


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
