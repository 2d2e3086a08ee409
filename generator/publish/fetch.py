"""Fetch the wheels the lock says to take from PyPI (upstream and pure), checking sha256."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from generator.core.wheels import FileRef, sha256_of_file
from generator.errors import Failure
from generator.fileio import copy_atomically, path_under
from generator.http import TooLarge, download, new_session
from generator.publish.repository import HARD_LIMIT

_TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
# A wheel over GitHub's file limit could not be published anyway: reading stops there.
MAX_WHEEL_BYTES = HARD_LIMIT
DOWNLOAD_DEADLINE = 600.0  # seconds for one whole wheel


def download_session() -> requests.Session:
    """One session for all downloads: keep-alive, bounded retries."""
    retry = Retry(total=4, backoff_factor=1, status_forcelist=(429, 500, 502, 503, 504))
    return new_session(HTTPAdapter(max_retries=retry))


def fetch_wheel(
    entry: FileRef, dest: Path, session: requests.Session, local: Sequence[Path] = ()
) -> Path:
    """Place the wheel at dest/<filename>, copied from a local file with the right hash when one
    exists (e.g. already in wheels/), downloaded otherwise; the hash is checked either way."""
    target = path_under(dest, entry.filename)
    for candidate in [target, *local]:
        if candidate.is_file() and sha256_of_file(candidate) == entry.sha256:
            if candidate != target:
                copy_atomically(candidate, target)
            return target
    _download(entry, target, session)
    return target


def _download(entry: FileRef, target: Path, session: requests.Session) -> None:
    try:
        download(
            session,
            entry.url,
            target,
            sha256=entry.sha256,
            limit=MAX_WHEEL_BYTES,
            deadline=DOWNLOAD_DEADLINE,
            timeout=_TIMEOUT,
        )
    except TooLarge:
        raise Failure(
            f"{entry.url}: the wheel is larger than {MAX_WHEEL_BYTES / (1 << 20):g} MB decoded "
            "— not read; a wheel over GitHub's 100 MB file limit cannot be published: "
            "exclude that cell in matrix.yml, or check the index"
        ) from None
