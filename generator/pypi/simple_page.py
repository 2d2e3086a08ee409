"""Read a project page of a simple repository: PEP 691 JSON or PEP 503 HTML.

Parsing is pypi-simple's (it knows both formats, PEP 592 yanking, PEP 658 and
PEP 700 fields); this module only negotiates and maps its result onto DistFile.
"""

from __future__ import annotations

from datetime import datetime

import requests
from packaging.version import InvalidVersion, Version
from pypi_simple import ACCEPT_JSON_PREFERRED, DistributionPackage, ProjectPage
from pypi_simple.errors import UnsupportedRepoVersionError
from pypi_simple.html import RepositoryPage

from generator.errors import Failure
from generator.pypi.models import DistFile, ProjectFiles
from generator.pypi.transport import malformed_is_invalid

# PEP 691 JSON first, HTML (v1 or legacy text/html) as the fallback: public PyPI answers
# JSON, some mirrors and proxies answer HTML only.
ACCEPT = ACCEPT_JSON_PREFERRED
PEP691_JSON = "application/vnd.pypi.simple.v1+json"


def project_page_url(index_url: str, normalized_name: str) -> str:
    return f"{index_url.rstrip('/')}/{normalized_name}/"


def parse_project_page(response: requests.Response, name: str) -> ProjectFiles:
    """Turn a project page response (either format) into ProjectFiles."""
    content_type = response.headers.get("Content-Type", "text/html").split(";")[0].strip()
    with malformed_is_invalid(f"unexpected project page for {name}"):
        try:
            if content_type == PEP691_JSON:
                page = ProjectPage.from_response(response, name)
                packages = [(package, package.upload_time) for package in page.packages]
                versions = tuple(page.versions) if page.versions is not None else None
            else:
                packages, versions = _parse_html(response, name), None
            files = [_dist_file(package, upload_time) for package, upload_time in packages]
        except UnsupportedRepoVersionError as error:
            raise Failure(f"{response.url}: {error}; this index speaks a newer API") from error
    # Files take their version from their filename, parsed with the project name as hint
    # (pypi-simple): `cffi-1.0.2-2.tar.gz` is 1.0.2.post2 (as pip reads it), never 2.
    return ProjectFiles.from_files(name, response.url, files, listed_versions=versions)


def _parse_html(
    response: requests.Response, name: str
) -> list[tuple[DistributionPackage, datetime | None]]:
    # Parsed link by link (not via ProjectPage.from_html) to keep `data-upload-time`,
    # which some proxies (like the one here) add to PEP 503 pages.
    page = RepositoryPage.from_html(response.content, response.url, response.encoding)
    return [
        (
            DistributionPackage.from_link(link, name),
            _timestamp(link.get_str_attrib("data-upload-time")),
        )
        for link in page.links
    ]


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _dist_file(package: DistributionPackage, upload_time: datetime | None) -> DistFile:
    return DistFile(
        filename=package.filename,
        url=package.url,
        sha256=package.digests.get("sha256"),
        requires_python=package.requires_python,
        yanked=package.is_yanked,
        yanked_reason=package.yanked_reason,
        upload_time=upload_time,
        size=package.size,
        version=_version(package.version),
        package_type=package.package_type,
    )


def _version(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None  # pre-PEP 440 releases cannot be chosen by a policy anyway
