"""What the index tells us about a project: its files, releases and release metadata.

Plain frozen dataclasses, independent of which wire format (PEP 691 JSON, PEP 503
HTML, the JSON API, PEP 658 core metadata) the facts came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packaging.version import Version


@dataclass(frozen=True)
class DistFile:
    """One file of one release: a wheel or an sdist."""

    filename: str
    url: str
    sha256: str | None
    requires_python: str | None
    yanked: bool
    yanked_reason: str | None
    # The index may not say (PEP 503 HTML has neither; PEP 700 JSON has both).
    upload_time: datetime | None
    size: int | None
    version: Version | None  # None when the filename carries no valid PEP 440 version
    package_type: str | None  # "wheel", "sdist", ... as pypi-simple names them

    @property
    def is_wheel(self) -> bool:
        return self.package_type == "wheel"

    @property
    def is_sdist(self) -> bool:
        return self.package_type == "sdist"


@dataclass(frozen=True)
class Release:
    """All files of one version, with the facts a version policy needs."""

    version: Version
    files: tuple[DistFile, ...]

    @property
    def yanked(self) -> bool:
        # PEP 592: a release counts as yanked when every one of its files is.
        return bool(self.files) and all(f.yanked for f in self.files)

    @property
    def yanked_reason(self) -> str | None:
        reasons = {f.yanked_reason for f in self.files if f.yanked and f.yanked_reason}
        return "; ".join(sorted(reasons)) or None

    @property
    def is_prerelease(self) -> bool:
        return self.version.is_prerelease

    @property
    def sdist(self) -> DistFile | None:
        # Only .tar.gz: cibuildwheel cannot build from zip sdists (DESIGN.md).
        tarballs = [f for f in self.files if f.is_sdist and f.filename.endswith(".tar.gz")]
        return tarballs[0] if tarballs else None

    @property
    def wheels(self) -> tuple[DistFile, ...]:
        return tuple(f for f in self.files if f.is_wheel)

    @property
    def requires_python(self) -> str | None:
        # The sdist's value is the one a build honours; else any file's.
        preferred = [self.sdist] if self.sdist else []
        for candidate in [*preferred, *self.files]:
            if candidate and candidate.requires_python:
                return candidate.requires_python
        return None


@dataclass(frozen=True)
class ProjectFiles:
    """A project's page on the index: every file, grouped into releases on demand."""

    name: str  # as given by the caller (the matrix module name)
    index_url: str  # the page these facts came from
    files: tuple[DistFile, ...]
    # PEP 700 `versions`; None when the index did not list them (then derived from files).
    listed_versions: tuple[str, ...] | None = None
    # The JSON API's `info` (its newest release's metadata), which comes with a JSON API
    # listing for free: `latest` policies then need no second request.
    newest_metadata: ReleaseMetadata | None = None

    def releases(self) -> dict[Version, Release]:
        """Releases by version, oldest first; files without a valid version are left out."""
        grouped: dict[Version, list[DistFile]] = {}
        for dist in self.files:
            if dist.version is not None:
                grouped.setdefault(dist.version, []).append(dist)
        return {v: Release(v, tuple(grouped[v])) for v in sorted(grouped)}

    def versions(self) -> list[Version]:
        return list(self.releases())


@dataclass(frozen=True)
class ReleaseMetadata:
    """The part of a release's core metadata that the lock needs."""

    name: str
    version: Version
    requires_dist: tuple[str, ...]
    requires_python: str | None
    source: str  # where it came from: the URL read, for messages and the lock
