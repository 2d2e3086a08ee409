"""HTTP for the index: one shared session, an HTTP cache, bounded retries, counters.

Why this shape:
- One `requests.Session` for the whole run, shared by worker threads. requests does
  not promise Session thread-safety (psf/requests#2766); the shared mutable parts
  are the cookie jar and the connection pools. We block all cookies (an index needs
  none), size urllib3's pool to the number of workers with `pool_block=True`, and
  never mutate the session after construction, which leaves nothing racy.
- CacheControl (the HTTP cache pip itself uses) stores responses with their ETag in a
  directory and sends `If-None-Match` when they are stale; a 304 is then served from
  the cache. Its FileCache takes a file lock per entry, so threads can share it.
- Retries are a small loop here rather than urllib3's `Retry`: a hung or truncated
  *body* (read after urllib3 returns) and an unparsable page must be retried too, and
  the delays must be injectable so tests do not sleep.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
import urllib3
from cachecontrol import CacheControlAdapter
from cachecontrol.cache import BaseCache, DictCache
from cachecontrol.caches.file_cache import FileCache
from requests.adapters import HTTPAdapter

from generator.errors import Failure
from generator.http import bounded_chunks, new_session, whole_answer_deadline

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
# Bounds of one answer, decoded: PyPI's largest JSON listings are tens of MB and an sdist
# the build reads is at most a few hundred; raise them here for a project beyond that.
MAX_ANSWER_BYTES = 512 << 20
ANSWER_DEADLINE = 300.0  # seconds for a whole answer, request sent to last byte read

T = TypeVar("T")


def default_index_url() -> str:
    """The index to use when none is given: pip's own setting, else PyPI."""
    return os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX_URL


class NotFound(Failure):
    """The server answered 404/410; callers turn this into a message naming the module."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"not found: {url}")


class InvalidResponse(ValueError):
    """Raised by a parser when a body is unusable (e.g. truncated); the fetch is retried."""


# What a parser raises when an answer has an unexpected shape (a missing field, a null
# where an object belongs, an unparsable value).
MALFORMED = (KeyError, TypeError, AttributeError, ValueError)


def describe_malformed(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"no {error.args[0]!r} field" if error.args else "a field is missing"
    return f"{type(error).__name__}: {error}"


@contextmanager
def malformed_is_invalid(what: str) -> Iterator[None]:
    """Inside, an unexpected shape of the answer becomes InvalidResponse (`what: detail`):
    retried like a truncated body, then a Failure naming the URL — never a traceback."""
    try:
        yield
    except InvalidResponse:
        raise
    except MALFORMED as error:
        raise InvalidResponse(f"{what}: {describe_malformed(error)}") from error


class UnusableAnswer(Failure):
    """A part of an answer read after the fetch (a lazily parsed release) is malformed."""

    def __init__(self, url: str, detail: str) -> None:
        self.url = url
        super().__init__(
            f"{url}: unusable answer: {detail}. The index (or a proxy in front of it) sent "
            "something unexpected; try again later, and report it if it persists"
        )


@dataclass
class RetryPolicy:
    """How hard to try. Delays double from `backoff` up to `backoff_cap`."""

    attempts: int = 4
    backoff: float = 0.5
    backoff_cap: float = 20.0
    # A server asking for longer than this gets this; a run must end in bounded time.
    retry_after_cap: float = 60.0
    timeout: tuple[float, float] = (10.0, 30.0)  # (connect, read) seconds
    sleep: Callable[[float], None] = time.sleep

    def delay(self, failed_attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        return float(min(self.backoff * 2 ** (failed_attempts - 1), self.backoff_cap))


@dataclass
class RequestStats:
    """Counters for the benchmark: what went over the wire and what the cache saved."""

    requests: int = 0  # HTTP requests sent (including 304 revalidations and retries)
    not_modified: int = 0  # 304 answers: body served from the cache
    cache_hits: int = 0  # answered from a fresh cache entry, no request at all
    bytes_received: int = 0  # decoded body bytes of network answers
    retries: int = 0
    # URL → requests sent for it: shows what was fetched more than once (the benchmark).
    by_url: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, count in counts.items():
                setattr(self, name, getattr(self, name) + count)

    def sent(self, url: str, *, not_modified: bool) -> None:
        with self._lock:
            self.requests += 1
            self.not_modified += int(not_modified)
            self.by_url[url] = self.by_url.get(url, 0) + 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "not_modified": self.not_modified,
                "cache_hits": self.cache_hits,
                "bytes_received": self.bytes_received,
                "retries": self.retries,
            }


class _CountingCacheAdapter(CacheControlAdapter):
    """CacheControl's adapter, telling the stats whether the network was used."""

    def __init__(self, stats: RequestStats, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stats = stats

    def build_response(
        self,
        request: requests.PreparedRequest,
        response: Any,
        from_cache: bool = False,
        cacheable_methods: Any = None,
    ) -> requests.Response:
        if from_cache:
            self.stats.add(cache_hits=1)
        else:
            self.stats.sent(str(request.url), not_modified=response.status == 304)
        if not from_cache and self.heuristic is None and not _storable(response):
            # CacheControl would copy the whole body into a temporary file only to drop
            # it: ~2 s of CPU for the 250 MB of a 200-module update behind a mirror that
            # strips every caching header.
            plain: requests.Response = HTTPAdapter.build_response(self, request, response)
            return plain
        built: requests.Response = super().build_response(
            request, response, from_cache, cacheable_methods
        )
        return built


def _storable(response: Any) -> bool:
    """Whether CacheControl might store or use this answer (its controller.cache_response
    keeps only answers with an ETag, or with a Date and max-age/Expires; 304 and
    permanent redirects are its own cases). Anything else it reads through untouched."""
    headers = response.headers
    return response.status in (301, 304, 308) or any(
        name in headers for name in ("ETag", "Cache-Control", "Expires")
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


class Transport:
    """GET with caching and retries over one shared, thread-safe-by-construction session."""

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        pool_size: int = 16,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self.cache: BaseCache = FileCache(str(cache_dir)) if cache_dir else DictCache()
        self.adapter = _CountingCacheAdapter(
            self.stats,
            cache=self.cache,
            pool_connections=4,  # hosts: the index, the JSON API, files.pythonhosted.org
            pool_maxsize=pool_size,
            pool_block=True,
        )
        self.session = new_session(self.adapter)

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, *, accept: str, parse: Callable[[requests.Response], T]) -> T:
        """Fetch `url` and parse it, retrying outside failures; NotFound on 404/410."""
        last_error = "no attempt made"
        for attempt in range(1, self.retry.attempts + 1):
            retry_after: float | None = None
            try:
                with whole_answer_deadline(ANSWER_DEADLINE, url):
                    response = self.session.get(
                        url, headers={"Accept": accept}, timeout=self.retry.timeout, stream=True
                    )
                    _read_body(response)
                if not getattr(response, "from_cache", False):
                    self.stats.add(bytes_received=len(response.content))
                if response.status_code in (404, 410):
                    raise NotFound(url)
                if response.status_code == 429 or response.status_code >= 500:
                    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                    last_error = f"HTTP {response.status_code} {response.reason}"
                elif response.status_code >= 400:
                    raise Failure(
                        f"{url} answered HTTP {response.status_code} {response.reason}; "
                        "check the index URL (matrix.yml or PIP_INDEX_URL) and its access rules"
                    )
                else:
                    try:
                        return parse(response)
                    except (InvalidResponse, ValueError) as error:
                        # Never let a bad body stay cached and be served to the retry.
                        self.cache.delete(self.adapter.controller.cache_url(url))
                        last_error = f"unusable response body ({error})"
            except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
                # urllib3's own errors come from _read_body (a broken or timed-out body).
                last_error = f"{type(error).__name__}: {error}"
            if attempt < self.retry.attempts:
                self.stats.add(retries=1)
                self.retry.sleep(self.retry.delay(attempt, retry_after))
        raise Failure(
            f"giving up on {url} after {self.retry.attempts} attempts; last error: "
            f"{last_error}. The index may be down or rate-limiting: try again later"
        )


def _read_body(response: requests.Response, limit: int | None = None) -> None:
    """Read the body within `limit` decoded bytes (see generator.http.bounded_chunks) and
    hand it to `response.content`, where requests itself keeps a body it has read."""
    limit = MAX_ANSWER_BYTES if limit is None else limit
    response._content = b"".join(bounded_chunks(response, limit))
