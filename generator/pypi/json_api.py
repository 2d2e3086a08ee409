"""PyPI's JSON API (`/pypi/<name>/json`, `/pypi/<name>/<version>/json`).

Not a standard: PyPI and some mirrors serve it. It is used for release metadata
(`info`), and optionally for listings: one answer holds every file with hashes,
requires-python, yanked reasons, sizes and upload times, and `json.loads` is
far cheaper than parsing a PEP 503 HTML page.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from packaging.version import InvalidVersion, Version
from pypi_simple.errors import UnparsableFilenameError
from pypi_simple.filenames import parse_filename

from generator.pypi.models import DistFile, ProjectFiles, Release, ReleaseMetadata
from generator.pypi.transport import (
    MALFORMED,
    InvalidResponse,
    UnusableAnswer,
    describe_malformed,
    malformed_is_invalid,
)

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
        raise InvalidResponse(f"JSON API answer for {name} has no `info` object")
    return metadata


def _info_metadata(data: dict[str, Any], name: str, url: str) -> ReleaseMetadata | None:
    info = data.get("info")
    if not isinstance(info, dict):
        return None
    requires_python = info.get("requires_python") or None
    if requires_python is not None and not isinstance(requires_python, str):
        raise InvalidResponse(f"`requires_python` of {name} is {requires_python!r}")
    return ReleaseMetadata(
        name=name,
        version=_version(info.get("version")),
        requires_dist=tuple(_strings(info.get("requires_dist"))),
        requires_python=requires_python,
        source=url,
    )


def parse_project_json(response: requests.Response, name: str) -> ProjectFiles:
    """Every release of a project answer, like a simple-index page.

    Each file takes its version from the release PyPI lists it under, not from its
    filename: `cffi-1.0.2-2.tar.gz` is cffi 1.0.2's sdist, never cffi 2. A release's
    files are turned into DistFiles when first asked for (see models.py).
    """
    with _collector_paused():
        data = _json_object(response)
        with malformed_is_invalid(f"unexpected JSON API answer for {name}"):
            return _project_files(data, name, response.url)


_paused_by = 0  # threads inside _collector_paused
_pause_lock = threading.Lock()
_collector_was_enabled = True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an answer is decoded and cut down.

    Decoding allocates a dict per file (botocore: 20,000), which sets off collection
    after collection that each scan every live object, yet frees nothing: a decoded
    answer holds no reference cycles, and it is freed by reference counting as soon as
    it is cut down. That was ~1.5 s of an update of 200 modules. The collector is
    process-wide, so the first thread in pauses it and the last one out resumes it
    (unless something else had turned it off before).
    """
    global _paused_by, _collector_was_enabled
    with _pause_lock:
        if _paused_by == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _paused_by += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused_by -= 1
            if _paused_by == 0 and _collector_was_enabled:
                gc.enable()


def _project_files(data: dict[str, Any], name: str, url: str) -> ProjectFiles:
    releases = data.get("releases")
    if not isinstance(releases, dict):
        raise InvalidResponse(f"JSON API answer for {name} has no `releases` object")
    by_version: dict[Version, Release] = {}
    unversioned: list[DistFile] = []
    for key, entries in releases.items():
        if not isinstance(entries, list):
            raise InvalidResponse(f"release {key!r} of {name} is not a list of files")
        if not entries:
            continue  # a release whose files were all deleted: nothing to choose
        kept = tuple(map(_entry, entries))
        version = _release_version(key)
        load = functools.partial(_release_files, kept, url, name, key, version)
        if version is None:
            unversioned.extend(load())  # pre-PEP 440: listed, never chosen by a policy
            continue
        # PEP 592: a release counts as yanked when every one of its files is.
        yanked = all(entry[_YANKED] for entry in kept)
        by_version[version] = Release.lazy(version, load, yanked=yanked, project=name)
    return ProjectFiles(
        name=name,
        index_url=url,
        by_version=dict(sorted(by_version.items())),
        unversioned=tuple(unversioned),
        listed_versions=tuple(releases),
        newest_metadata=_info_metadata(data, name, url),
    )


# The fields of a file entry that a DistFile needs, cut out of the decoded answer. A run
# keeps every project it read (client.py), and whole entries of 200 projects took 550 MB
# and slowed the garbage collector down; tuples of strings take half and it skips them.
_Entry = tuple[Any, Any, Any, Any, bool, Any, Any, Any]
_YANKED = 4


def _entry(entry: dict[str, Any]) -> _Entry:
    return (
        entry["filename"],
        entry["url"],
        (entry.get("digests") or {}).get("sha256"),  # null digests: no hash, as in PEP 503
        entry.get("requires_python"),
        bool(entry.get("yanked")),
        entry.get("yanked_reason"),
        entry.get("upload_time_iso_8601"),
        entry.get("size"),
    )


def _release_files(
    entries: tuple[_Entry, ...], page_url: str, name: str, key: str, version: Version | None
) -> tuple[DistFile, ...]:
    # Runs after the fetch (on first use), so a bad entry cannot be retried: it is a
    # Failure naming the URL, project and release, never a traceback.
    try:
        return tuple(_dist_file(entry, page_url, name, version) for entry in entries)
    except MALFORMED as error:
        raise UnusableAnswer(
            page_url, f"a file of {name} {key} is malformed ({describe_malformed(error)})"
        ) from error


def _dist_file(entry: _Entry, page_url: str, name: str, version: Version | None) -> DistFile:
    filename, url, sha256, requires_python, yanked, yanked_reason, upload_time, size = entry
    for field, value in (("filename", filename), ("url", url)):
        if not isinstance(value, str):
            raise TypeError(f"`{field}` is {value!r}")
    return DistFile(
        filename=filename,
        url=url if "://" in url else urljoin(page_url, url),  # this registry's are relative
        sha256=sha256,
        requires_python=requires_python or None,
        yanked=yanked,
        yanked_reason=yanked_reason if yanked else None,
        upload_time=datetime.fromisoformat(upload_time) if upload_time else None,
        size=size,
        version=version,
        package_type=_package_type(filename, name),
    )


def _package_type(filename: str, name: str) -> str | None:
    # The same parse (with the project as hint) as the simple index gets from pypi-simple,
    # so both listings agree on what is a wheel and what an sdist.
    try:
        return parse_filename(filename, name)[2]
    except UnparsableFilenameError:
        return None


def _release_version(text: str) -> Version | None:
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
