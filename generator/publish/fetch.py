"""Fetch the wheels the lock says to take from PyPI (upstream and pure), checking sha256.

Input for now: a JSON list of `{"url", "filename", "sha256"}`; the lock will feed the same
`FetchEntry` records through an adapter.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from generator.core.wheels import parse_wheel_name, sha256_of_file
from generator.errors import Failure, UserError
from generator.fileio import copy_atomically, temp_path_beside
from generator.publish.repository import check_size

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TIMEOUT = (10, 60)  # connect, read (seconds)
USER_AGENT = "python-musl-wheels-publisher (+https://github.com/python-musl-wheels)"


@dataclass(frozen=True, order=True)
class FetchEntry:
    filename: str
    url: str
    sha256: str


def load_fetch_list(path: Path) -> list[FetchEntry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    if not isinstance(data, list):
        raise UserError(f'{path}: expected a JSON list of {{"url", "filename", "sha256"}} objects')
    return [_entry(item, path) for item in data]


def _entry(item: object, path: Path) -> FetchEntry:
    if not isinstance(item, dict) or not all(
        isinstance(item.get(key), str) for key in ("url", "filename", "sha256")
    ):
        raise UserError(f"{path}: entry {item!r} needs string fields url, filename, sha256")
    entry = FetchEntry(item["filename"], item["url"], item["sha256"].lower())
    parse_wheel_name(entry.filename, str(path))
    if not _SHA256.fullmatch(entry.sha256):
        raise UserError(f"{path}: sha256 of {entry.filename} is not 64 hex digits")
    return entry


def new_session() -> requests.Session:
    """One session for all downloads: keep-alive, a descriptive User-Agent, bounded retries."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    retry = Retry(total=4, backoff_factor=1, status_forcelist=(429, 500, 502, 503, 504))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


def fetch_wheel(
    entry: FetchEntry, dest: Path, session: requests.Session, local: Sequence[Path] = ()
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


def _download(entry: FetchEntry, target: Path, session: requests.Session) -> None:
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
