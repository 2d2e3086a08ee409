"""The one way this generator opens HTTP sessions (one User-Agent, no cookies) and reads
bodies (bounded in decoded size and in time).

PyPI asks clients for a descriptive User-Agent with a way to reach the maintainers; the
index, the file downloads and GitHub's API all get the same one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.cookiejar
import os
import socket
import threading
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, PoolManager

from generator.errors import Failure
from generator.fileio import temp_path_beside

# Placeholder until the repository has its public home; PyPI asks for a way to reach us.
PROJECT_URL = "https://github.com/OWNER/python-musl-wheels"


def user_agent() -> str:
    try:
        version = metadata.version("python-musl-wheels")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"python-musl-wheels/{version} (+{PROJECT_URL}) requests/{requests.__version__}"


def new_session(adapter: HTTPAdapter | None = None) -> requests.Session:
    """A session with our User-Agent that accepts no cookies (no server here needs one),
    using `adapter` (retries, pooling, caching) for http and https, a plain one if none
    is given; either way its connections obey `whole_answer_deadline`."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = adapter if adapter is not None else HTTPAdapter()
    watch_connections(adapter)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# 64 KB reads, not requests' 10 KB: those cost seconds of CPU under the GIL for the 250 MB
# an update may read. A 64 KB read of gzip data inflates ~1000× at most.
_CHUNK = 64 << 10


class TooLarge(Failure):
    """A body past its size cap: not read further."""


class _Deadline:
    """The watchdog of one request: at `seconds` it shuts the socket of the connection the
    request uses (attached when the connection connects or sends), whichever phase it is in
    (connecting, sending, waiting for or reading the headers or the body)."""

    def __init__(self) -> None:
        self.fired = False
        self._connection: Any = None
        self._lock = threading.Lock()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            if self.fired:  # a connection made after the deadline gets nothing either
                _shut(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True  # first: the reader tells a shut socket from a broken one by it
            if self._connection is not None:
                _shut(self._connection)


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


# The deadline of the request this thread is making, if any: requests is synchronous, so
# the connection's connect() and request() run in the thread that called session.get.
_current = threading.local()


@contextlib.contextmanager
def whole_answer_deadline(seconds: float, url: str) -> Iterator[None]:
    """Inside, every request this thread makes over a `new_session` session must be over,
    body read, within `seconds` of entering: past it the socket is shut, whatever phase the
    request is in, and this raises requests' ReadTimeout (callers retry it like any
    request). A per-read timeout alone lets a server that drips its headers or its body a
    byte every few seconds hold a run for hours."""
    deadline = _Deadline()
    outer = getattr(_current, "deadline", None)
    _current.deadline = deadline
    watchdog = threading.Timer(seconds, deadline.fire)
    watchdog.daemon = True
    watchdog.start()
    late = requests.exceptions.ReadTimeout(f"{url}: the answer did not arrive within {seconds:g} s")
    try:
        yield
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
        if deadline.fired:
            raise late from None
        raise
    finally:
        watchdog.cancel()
        _current.deadline = outer
    if deadline.fired:  # a shut socket can also read as a short, "complete" answer
        raise late


class _Watched:
    """Mixed into urllib3's connection classes: tells the thread's deadline which
    connection its request uses, new (connect) or kept alive (request)."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


def _attach(connection: Any) -> None:
    deadline: _Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.attach(connection)


@functools.cache
def _watched_pool(pool_class: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    connection_class = pool_class.ConnectionCls
    watched = type(f"Watched{connection_class.__name__}", (_Watched, connection_class), {})
    return type(f"Watched{pool_class.__name__}", (pool_class,), {"ConnectionCls": watched})


def _watch_manager(manager: PoolManager) -> PoolManager:
    manager.pool_classes_by_scheme = {
        scheme: _watched_pool(pool) for scheme, pool in manager.pool_classes_by_scheme.items()
    }
    return manager


def watch_connections(adapter: HTTPAdapter) -> None:
    """Make every connection `adapter` opens, directly or through a proxy, obey
    `whole_answer_deadline`."""
    _watch_manager(adapter.poolmanager)
    make_proxy_manager = adapter.proxy_manager_for

    def proxy_manager_for(proxy: str, **proxy_kwargs: Any) -> PoolManager:
        return _watch_manager(make_proxy_manager(proxy, **proxy_kwargs))

    adapter.proxy_manager_for = proxy_manager_for  # type: ignore[method-assign]


def bounded_chunks(response: requests.Response, limit: int) -> Iterator[bytes]:
    """The decoded body of a `stream=True` response, chunk by chunk, within `limit` bytes;
    the response is closed at the end, read or abandoned. Read it inside the request's
    `whole_answer_deadline`, which bounds it in time.

    A small gzip answer may inflate to gigabytes: past the limit this raises TooLarge at
    once, having kept one chunk at most; a broken body raises requests' ConnectionError,
    so callers retry it like any request.
    """
    size = 0
    try:
        while chunk := response.raw.read(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > limit:
                raise TooLarge(
                    f"{response.url}: the answer is larger than {_megabytes(limit)} decoded — "
                    "not read; a real file or index answer is far smaller"
                )
            yield chunk
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise requests.exceptions.ConnectionError(str(error)) from None
    finally:
        response.close()  # exhausted or abandoned: the connection goes back (or away)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):g} MB"


class Interrupted(Failure):
    """A download cut short by the server or the network: worth another attempt."""


def download(
    session: requests.Session,
    url: str,
    target: Path,
    *,
    sha256: str,
    limit: int,
    deadline: float,
    timeout: tuple[float, float] = (10.0, 60.0),
    attempts: int = 1,
    pause: Callable[[int], None] = lambda failed: None,
) -> None:
    """Stream `url` into `target`, checking the decoded size against `limit`, each transfer
    (from sending the request to the body's last byte) against `deadline` seconds and the
    bytes against `sha256` as they arrive.

    The bytes go to a temporary file beside `target`, renamed only once all checks pass and
    removed otherwise: a failed download leaves nothing, at `target` or beside it. An
    interrupted transfer (a connection problem, a cut-off or late body, HTTP 5xx or 429) is
    tried again, up to `attempts` in all, `pause(failed)` between; a body too large or with
    the wrong hash, or another HTTP 4xx, is not. Failure for every problem.
    """
    for attempt in range(1, attempts + 1):
        try:
            _download_once(session, url, target, sha256, limit, deadline, timeout)
            return
        except Interrupted:
            if attempt == attempts:
                raise
            pause(attempt)


def _download_once(
    session: requests.Session,
    url: str,
    target: Path,
    sha256: str,
    limit: int,
    deadline: float,
    timeout: tuple[float, float],
) -> None:
    temporary = temp_path_beside(target)
    digest = hashlib.sha256()
    try:
        try:
            with (
                whole_answer_deadline(deadline, url),
                session.get(url, stream=True, timeout=timeout) as response,
            ):
                _check_status(response, target.name)
                with temporary.open("wb") as out:
                    for chunk in bounded_chunks(response, limit):
                        digest.update(chunk)
                        out.write(chunk)
        except requests.RequestException as error:
            raise Interrupted(f"cannot download {target.name} from {url}: {error}") from None
        if digest.hexdigest() != sha256:
            raise Failure(
                f"{url}: sha256 {digest.hexdigest()} does not match the expected {sha256} — "
                "the file changed upstream or the download is corrupt; nothing was written"
            )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _check_status(response: requests.Response, name: str) -> None:
    """An error answer worth another attempt (5xx, 429) is Interrupted; any other 4xx is a
    Failure at once: asking again gets the same answer."""
    if response.status_code < 400:
        return
    problem = f"cannot download {name} from {response.url}: HTTP {response.status_code}"
    if response.status_code == 429 or response.status_code >= 500:
        raise Interrupted(f"{problem} {response.reason}")
    raise Failure(
        f"{problem} {response.reason} — the index no longer serves this file or refuses it; "
        "check the index URL and its access rules, or update the lock"
    )
