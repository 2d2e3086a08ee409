"""What the index tells us about a project: its files, releases and release metadata.

Plain frozen values, independent of which wire format (PEP 691 JSON, PEP 503 HTML, the
JSON API, PEP 658 core metadata) the facts came from. A release's files may be loaded on
first use: a JSON API answer lists every file of every release (botocore: 20,000), and an
update reads a handful of releases, so turning them all into DistFiles up front was most
of an update's CPU time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from generator.core.wheels import is_bare_filename


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


class Release:
    """All files of one version, with the facts a version policy needs.

    `Release(version, files)`, or `Release.lazy(...)` to parse the files on first use.
    """

    def __init__(
        self, version: Version, files: Iterable[DistFile], project: str | None = None
    ) -> None:
        self.version = version
        self.project = canonicalize_name(project) if project else None
        self.ignored: tuple[str, ...] = ()  # files left out, for people: which and why
        self._files: tuple[DistFile, ...] | None = None
        self._load: Callable[[], tuple[DistFile, ...]] | None = None
        self._yanked: bool | None = None
        self._keep(tuple(files))

    @classmethod
    def lazy(
        cls,
        version: Version,
        load: Callable[[], tuple[DistFile, ...]],
        *,
        yanked: bool,
        project: str | None = None,
    ) -> Release:
        """A release whose files `load` parses when first asked for. `yanked` is given up
        front because a policy asks it of every release, and the raw answer tells it cheaply."""
        release = cls(version, (), project)
        release._files, release._load, release._yanked = None, load, yanked
        return release

    @property
    def files(self) -> tuple[DistFile, ...]:
        if self._files is None:
            assert self._load is not None
            # Threads may race to load: both parse the same answer to equal values.
            self._keep(self._load())
        assert self._files is not None
        return self._files

    def _keep(self, files: tuple[DistFile, ...]) -> None:
        """Only files that are this release's: a bare file name, and (when the project is
        known) a wheel name of this project at this version. An index that lists
        another project's wheel, or a name with `/../`, does not get it locked or written."""
        kept, ignored = [], []
        for dist in files:
            problem = _not_ours(dist, self.project, self.version)
            if problem is None:
                kept.append(dist)
            else:
                ignored.append(f"{dist.filename!r} ({problem})")
        self._files, self.ignored = tuple(kept), tuple(ignored)

    @property
    def yanked(self) -> bool:
        if self._yanked is None:
            # PEP 592: a release counts as yanked when every one of its files is.
            self._yanked = bool(self.files) and all(f.yanked for f in self.files)
        return self._yanked

    @property
    def yanked_reason(self) -> str | None:
        reasons = {f.yanked_reason for f in self.files if f.yanked and f.yanked_reason}
        return "; ".join(sorted(reasons)) or None

    @property
    def is_prerelease(self) -> bool:
        return self.version.is_prerelease

    @property
    def sdist(self) -> DistFile | None:
        # Only .tar.gz: cibuildwheel cannot build from zip sdists.
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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Release):
            return NotImplemented
        return (self.version, self.files) == (other.version, other.files)

    def __hash__(self) -> int:
        return hash((self.version, self.files))

    def __repr__(self) -> str:
        loaded = f"{len(self._files)} files" if self._files is not None else "not loaded"
        return f"Release({self.version}, {loaded})"


@dataclass(frozen=True)
class ProjectFiles:
    """A project's page on the index: its releases (oldest first) and their files."""

    name: str  # as given by the caller (the matrix module name)
    index_url: str  # the page these facts came from
    by_version: Mapping[Version, Release]  # oldest first
    # Files whose release has no valid PEP 440 version: listed, never chosen.
    unversioned: tuple[DistFile, ...] = ()
    # PEP 700 `versions`; None when the index did not list them (then derived from files).
    listed_versions: tuple[str, ...] | None = None
    # The JSON API's `info` (its newest release's metadata), which comes with a JSON API
    # listing for free: `latest` policies then need no second request.
    newest_metadata: ReleaseMetadata | None = None

    @classmethod
    def from_files(
        cls,
        name: str,
        index_url: str,
        files: Iterable[DistFile],
        *,
        listed_versions: tuple[str, ...] | None = None,
        newest_metadata: ReleaseMetadata | None = None,
    ) -> ProjectFiles:
        """Group a flat file list (a simple-index page) into releases by each file's version."""
        grouped: dict[Version, list[DistFile]] = {}
        unversioned: list[DistFile] = []
        for dist in files:
            if dist.version is None:
                unversioned.append(dist)
            else:
                grouped.setdefault(dist.version, []).append(dist)
        releases = {v: Release(v, grouped[v], name) for v in sorted(grouped)}
        return cls(name, index_url, releases, tuple(unversioned), listed_versions, newest_metadata)

    @property
    def files(self) -> tuple[DistFile, ...]:
        """Every file listed (this parses every release: for tests and tools, not updates)."""
        return (*(f for r in self.by_version.values() for f in r.files), *self.unversioned)

    def releases(self) -> dict[Version, Release]:
        """Releases by version, oldest first; files without a valid version are left out."""
        return dict(self.by_version)

    def versions(self) -> list[Version]:
        return list(self.by_version)


@dataclass(frozen=True)
class ReleaseMetadata:
    """The part of a release's core metadata that the lock needs."""

    name: str
    version: Version
    requires_dist: tuple[str, ...]
    requires_python: str | None
    source: str  # where it came from: the URL read, for messages and the lock


def _not_ours(dist: DistFile, project: str | None, version: Version) -> str | None:
    """Why the file is not this release's, or None."""
    if not is_bare_filename(dist.filename):
        return "not a bare file name"
    if project is None:
        return None
    if not dist.filename.endswith(".whl"):
        # Only wheels: an sdist name is ambiguous (cffi-1.0.2-2.tar.gz is cffi 1.0.2's).
        return None
    try:
        name, found = parse_wheel_filename(dist.filename)[:2]
    except InvalidWheelFilename:
        return None  # unparsable names are left to the callers, which never choose them
    if name != project:
        return f"a file of {name}, listed under {project}"
    if found != version:
        return f"version {found}, listed under {version}"
    return None
