"""The index as the generator sees it: a project's files, a release's metadata, many at once."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar

from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.errors import Failure, GeneratorError, UserError
from generator.pypi import core_metadata, json_api, simple_page
from generator.pypi.models import ProjectFiles, ReleaseMetadata
from generator.pypi.transport import (
    NotFound,
    RequestStats,
    RetryPolicy,
    Transport,
    default_index_url,
)

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

Listing = Literal["simple", "json-api"]
# Worker threads (and pooled connections). The work is mostly parsing under the GIL, so
# more threads only overlap more downloads (benchmarks/update_200.py: 16 and 32 the same).
DEFAULT_WORKERS = 16


class ProjectNotFound(UserError):
    """A module name the index does not know: usually a typo in matrix.yml."""

    def __init__(self, name: str, index_url: str, url: str) -> None:
        self.name = name
        super().__init__(
            f"module {name!r} is not on the index {index_url} ({url} answered 404): "
            "check its spelling in matrix.yml, or the index URL"
        )


class VersionNotFound(UserError):
    def __init__(self, name: str, version: Version, index_url: str) -> None:
        super().__init__(
            f"{name} {version} is not on the index {index_url}: "
            "check the pinned version in matrix.yml"
        )


class MetadataUnavailable(Failure):
    def __init__(self, name: str, version: Version, tried: list[str]) -> None:
        super().__init__(
            f"no metadata for {name} {version}: tried {', '.join(tried) or 'nothing'}; "
            "the release has no wheel with PEP 658 metadata and the JSON API is not "
            "available here"
        )


class PyPIClient:
    """Read-only access to a simple index (plus PyPI's JSON API where it exists).

    `index_url` defaults to `PIP_INDEX_URL`, else https://pypi.org/simple/.
    `json_api_url` defaults to the index URL with its `simple` segment replaced by
    `pypi` (PyPI's layout); pass "" to never use the JSON API.
    `cache_dir` keeps HTTP responses (with ETags) between runs; None caches in memory.
    `listing` says where project_files reads: the simple index (the standard; works
    on any mirror) or the JSON API (same facts; much cheaper to parse than PEP 503
    HTML, which matters when the index answers HTML only, as some mirrors do).
    """

    def __init__(
        self,
        index_url: str | None = None,
        *,
        json_api_url: str | None = None,
        cache_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        max_workers: int = DEFAULT_WORKERS,
        listing: Listing = "simple",
    ) -> None:
        self.index_url = (index_url or default_index_url()).rstrip("/") + "/"
        self.json_api_url = (
            json_api.json_api_base(self.index_url) if json_api_url is None else json_api_url
        ) or None
        if listing == "json-api" and not self.json_api_url:
            raise UserError(
                f"listing from the JSON API needs its URL: {self.index_url} does not end in "
                "/simple/, so pass json_api_url, or list from the simple index"
            )
        self.listing = listing
        self.max_workers = max_workers
        self.transport = Transport(cache_dir=cache_dir, retry=retry, pool_size=max_workers)
        # Some mirrors serve /pypi/<name>/json but 404 every per-version URL; after the
        # first such miss we go straight to PEP 658 metadata.
        self._release_json_works = True
        # Every project read in this run, by normalized name: an update asks for a
        # project in several places (its module, dependency checks, implied modules),
        # and one run must see one answer (and send one request) per project.
        self._projects: dict[str, ProjectFiles] = {}
        self._fetching: dict[str, threading.Lock] = {}
        self._projects_lock = threading.Lock()

    def __enter__(self) -> PyPIClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def stats(self) -> RequestStats:
        return self.transport.stats

    def project_files(self, name: str) -> ProjectFiles:
        """Every file of `name` on the index: one request in the client's lifetime (none
        on an HTTP cache hit); a failure is not kept, so a later call asks again."""
        normalized = canonicalize_name(name)
        with self._projects_lock:
            known = self._projects.get(normalized)
            if known is not None:
                return known
            fetching = self._fetching.setdefault(normalized, threading.Lock())
        with fetching:  # a second thread asking for the same project waits for the first
            with self._projects_lock:
                known = self._projects.get(normalized)
            if known is None:
                known = self._fetch_project_files(name)
                with self._projects_lock:
                    self._projects[normalized] = known
        return known

    def _known_project_files(self, name: str) -> ProjectFiles | None:
        with self._projects_lock:
            return self._projects.get(canonicalize_name(name))

    def _fetch_project_files(self, name: str) -> ProjectFiles:
        if self.listing == "json-api" and self.json_api_url:
            try:
                return self.transport.get(
                    json_api.project_json_url(self.json_api_url, canonicalize_name(name)),
                    accept=json_api.ACCEPT,
                    parse=lambda response: json_api.parse_project_json(response, name),
                )
            except NotFound:
                pass  # a mirror without the JSON API (or an unknown name): ask the standard page
        try:
            return self.transport.get(
                simple_page.project_page_url(self.index_url, canonicalize_name(name)),
                accept=simple_page.ACCEPT,
                parse=lambda response: simple_page.parse_project_page(response, name),
            )
        except NotFound as missing:
            raise ProjectNotFound(name, self.index_url, missing.url) from None

    def release_metadata(
        self, name: str, version: Version, files: ProjectFiles | None = None
    ) -> ReleaseMetadata:
        """Requires-Dist and Requires-Python of one release.

        Tries the JSON API, then PEP 658 metadata of one of the release's wheels, then
        the project's JSON (which describes its newest release only). Pass `files` when
        already fetched to save a request.
        """
        normalized, tried = canonicalize_name(name), []
        files = files or self._known_project_files(name)
        newest = files.newest_metadata if files is not None else None
        if newest is not None and newest.version == version:
            return newest
        if self.json_api_url and self._release_json_works:
            url = json_api.release_json_url(self.json_api_url, normalized, version)
            tried.append(url)
            try:
                return self._get_json_metadata(url, name)
            except NotFound:
                pass  # an unknown version, or a proxy without per-version URLs: look below
        files = files or self.project_files(name)
        release = files.releases().get(version)
        if release is None:
            raise VersionNotFound(name, version, self.index_url)
        if tried:
            # The version exists, so the per-version JSON URL is what is missing here.
            self._release_json_works = False
        if release.wheels:
            url = core_metadata.metadata_url(release.wheels[0].url)
            tried.append(url)
            try:
                return self.transport.get(
                    url,
                    accept=core_metadata.ACCEPT,
                    parse=lambda response: core_metadata.parse_core_metadata(response, name),
                )
            except NotFound:
                pass
        if self.json_api_url:
            url = json_api.project_json_url(self.json_api_url, normalized)
            tried.append(url)
            # A JSON API listing is that answer: its `info` was looked at above already.
            newest = files.newest_metadata or self._get_json_metadata(url, name)
            if newest.version == version:
                return newest
        raise MetadataUnavailable(name, version, tried)

    def _get_json_metadata(self, url: str, name: str) -> ReleaseMetadata:
        return self.transport.get(
            url,
            accept=json_api.ACCEPT,
            parse=lambda response: json_api.parse_release_json(response, name),
        )

    def map_concurrently(
        self, function: Callable[[K], R], items: Iterable[K]
    ) -> dict[K, R | GeneratorError]:
        """Run `function` over `items` on the worker threads, sharing this client.

        A failure for one item is returned in its place, so the caller can keep the
        others (one module's failure must not stop the update of the rest); an exception
        nobody expected comes back as a Failure saying where it was raised.
        """

        def guarded(item: K) -> R | GeneratorError:
            try:
                return function(item)
            except GeneratorError as error:
                return error
            except Exception as error:  # a bug, or an answer nobody foresaw: one item fails
                return unexpected(error)

        unique = list(dict.fromkeys(items))
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            return dict(zip(unique, pool.map(guarded, unique), strict=True))

    def project_files_many(self, names: Iterable[str]) -> dict[str, ProjectFiles | GeneratorError]:
        return self.map_concurrently(self.project_files, names)


def unexpected(error: Exception) -> Failure:
    """A Failure for an exception no code path expected, pointing at where it came from,
    so one module's surprise fails that module (with a reportable message), not the run."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return Failure(
        f"unexpected {type(error).__name__}{where}: {error} — this is a bug in the "
        "generator (or an index answer it does not understand); please report it"
    )
