"""The one way this generator opens HTTP sessions (one User-Agent, no cookies) and reads
bodies (bounded in decoded size and in time).

PyPI asks clients for a descriptive User-Agent with a way to reach the maintainers; the
index, the file downloads and GitHub's API all get the same one.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.cookiejar
import os
import socket
import threading
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter

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
    using `adapter` (retries, pooling, caching) for http and https when given."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    if adapter is not None:
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session


# 64 KB reads, not requests' 10 KB: those cost seconds of CPU under the GIL for the 250 MB
# an update may read. A 64 KB read of gzip data inflates ~1000× at most.
_CHUNK = 64 << 10


class TooLarge(Failure):
    """A body past its size cap: not read further."""


def bounded_chunks(response: requests.Response, limit: int, deadline: float) -> Iterator[bytes]:
    """The decoded body of a `stream=True` response, chunk by chunk, within `limit` bytes and
    `deadline` seconds in all; the response is closed at the end, read or abandoned.

    A per-read timeout alone lets an answer that drips a byte every few seconds run for
    hours, and a small gzip answer may inflate to gigabytes: past either bound this raises
    at once (a watchdog shuts the socket at the deadline), having kept one chunk at most.
    Raises TooLarge past the limit, requests' ReadTimeout at the deadline and its
    ConnectionError for a broken body, so callers retry the last two like any request.
    """
    fired = threading.Event()
    watchdog = threading.Timer(deadline, _shut, [response, fired])
    watchdog.daemon = True
    watchdog.start()
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
        if fired.is_set():
            raise requests.exceptions.ReadTimeout(
                f"{response.url}: the answer did not arrive within {deadline:.0f} s"
            ) from None
        raise requests.exceptions.ConnectionError(str(error)) from None
    finally:
        watchdog.cancel()
        response.close()  # exhausted or abandoned: the connection goes back (or away)


def _shut(response: requests.Response, fired: threading.Event) -> None:
    """Stop a read that is past its deadline: shut the socket under it."""
    fired.set()  # first: the reader tells a shut socket from a broken one by it
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


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
    against `deadline` seconds and the bytes against `sha256` as they arrive.

    The bytes go to a temporary file beside `target`, renamed only once all checks pass and
    removed otherwise: a failed download leaves nothing, at `target` or beside it. An
    interrupted transfer is tried again, up to `attempts` in all, `pause(failed)` between;
    a body too large or with the wrong hash is not. Failure for every problem.
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
            with session.get(url, stream=True, timeout=timeout) as response:
                response.raise_for_status()
                with temporary.open("wb") as out:
                    for chunk in bounded_chunks(response, limit, deadline):
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
