"""Fetch the wheels the lock says to take from PyPI (upstream and pure), checking sha256."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from generator.core.wheels import FileRef, sha256_of_file
from generator.errors import Failure
from generator.fileio import copy_atomically, temp_path_beside
from generator.http import new_session
from generator.publish.repository import check_size

_TIMEOUT = (10, 60)  # connect, read (seconds)


def download_session() -> requests.Session:
    """One session for all downloads: keep-alive, bounded retries."""
    retry = Retry(total=4, backoff_factor=1, status_forcelist=(429, 500, 502, 503, 504))
    return new_session(HTTPAdapter(max_retries=retry))


def fetch_wheel(
    entry: FileRef, dest: Path, session: requests.Session, local: Sequence[Path] = ()
) -> Path:
    """Place the wheel at dest/<filename>, copied from a local file with the right hash when one
    exists (e.g. already in wheels/), downloaded otherwise; the hash is checked either way."""
    target = dest / entry.filename
    for candidate in [target, *local]:
        if candidate.is_file() and sha256_of_file(candidate) == entry.sha256:
            if candidate != target:
                copy_atomically(candidate, target)
            return target
    _download(entry, target, session)
    return target


def _download(entry: FileRef, target: Path, session: requests.Session) -> None:
    temp = temp_path_beside(target)
    try:
        try:
            with session.get(entry.url, stream=True, timeout=_TIMEOUT) as response:
                response.raise_for_status()
                with temp.open("wb") as out:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        out.write(chunk)
        except requests.RequestException as error:
            raise Failure(f"cannot download {entry.filename} from {entry.url}: {error}") from None
        check_size(entry.filename, temp.stat().st_size)
        actual = sha256_of_file(temp)
        if actual != entry.sha256:
            raise Failure(
                f"{entry.url}: sha256 {actual} does not match the expected {entry.sha256} — "
                "the file changed upstream or the download is corrupt; re-run the lock update"
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
