"""Downloads from a hostile index on 127.0.0.1: the wheel fetch (collect) and the sdist
fetch (build, sdist) stop as soon as a bound is passed, check sha256 while streaming, and
leave nothing behind — neither the file nor a temporary one beside it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pypi_server import Fault, FixtureIndex, running_index

from generator.core.wheels import FileRef
from generator.errors import Failure
from generator.http import Interrupted, download, new_session
from generator.publish import fetch
from generator.publish.fetch import download_session, fetch_wheel

NAME = "demo-1.0-py3-none-any.whl"
BODY = b"a wheel's bytes " * 4096  # 64 KB
PATH = f"/files/{NAME}"


@pytest.fixture
def index() -> Iterator[FixtureIndex]:
    with running_index() as served:
        served.routes[PATH] = (200, "application/octet-stream", BODY)
        yield served


def entry(index: FixtureIndex, body: bytes = BODY) -> FileRef:
    return FileRef(NAME, index.url + PATH, hashlib.sha256(body).hexdigest())


def test_a_good_download_is_placed_and_nothing_else(index: FixtureIndex, tmp_path: Path) -> None:
    placed = fetch_wheel(entry(index), tmp_path, download_session())
    assert placed.read_bytes() == BODY
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


def test_a_wrong_sha256_leaves_nothing(index: FixtureIndex, tmp_path: Path) -> None:
    with pytest.raises(Failure, match="does not match the expected"):
        fetch_wheel(entry(index, b"other bytes"), tmp_path, download_session())
    assert list(tmp_path.iterdir()) == []


def test_an_oversize_file_is_cut_while_streaming(
    index: FixtureIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "MAX_WHEEL_BYTES", 16 << 10)
    with pytest.raises(Failure, match=r"larger than 0.015625 MB decoded"):
        fetch_wheel(entry(index), tmp_path, download_session())
    assert list(tmp_path.iterdir()) == []


def test_a_gzip_bomb_is_cut_at_the_cap_not_inflated_to_disk(
    index: FixtureIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 MB of zeros sent as ~64 kB of gzip; the cap, lowered to 1 MB, stops it."""
    monkeypatch.setattr(fetch, "MAX_WHEEL_BYTES", 1 << 20)
    index.inject(PATH, Fault("gzip-bomb", size=64 << 20))
    with pytest.raises(Failure, match=r"larger than 1 MB decoded"):
        fetch_wheel(entry(index, bytes(64 << 20)), tmp_path, download_session())
    assert list(tmp_path.iterdir()) == []


def test_a_drip_is_cut_at_the_whole_download_deadline(
    index: FixtureIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte every 50 ms never trips the 60 s read timeout; the 1 s deadline does."""
    monkeypatch.setattr(fetch, "DOWNLOAD_DEADLINE", 1.0)
    index.inject(PATH, Fault("drip"))
    started = time.monotonic()
    with pytest.raises(Failure, match=r"did not arrive within 1 s"):
        fetch_wheel(entry(index), tmp_path, download_session())
    assert time.monotonic() - started < 10
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(60)  # unbounded, it waits for headers that never end
def test_dripped_headers_are_cut_at_the_whole_download_deadline(
    index: FixtureIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header byte every 2 s never trips the 60 s read timeout, and no body ever starts:
    the deadline runs from the request, not from the headers."""
    monkeypatch.setattr(fetch, "DOWNLOAD_DEADLINE", 1.0)
    index.inject(PATH, Fault("header-drip"))
    started = time.monotonic()
    with pytest.raises(Failure, match=r"did not arrive within 1 s"):
        fetch_wheel(entry(index), tmp_path, download_session())
    assert time.monotonic() - started < 10
    assert list(tmp_path.iterdir()) == []


def test_a_client_error_is_not_retried(index: FixtureIndex, tmp_path: Path) -> None:
    """A 404 (or 403) answers the same the next time: one request, then a Failure that is
    not Interrupted (the retry signal)."""
    index.inject(PATH, Fault("status", status=404))
    with pytest.raises(Failure, match=r"HTTP 404 Not Found — the index no longer") as raised:
        download(
            new_session(), index.url + PATH, tmp_path / NAME, sha256=entry(index).sha256,
            limit=1 << 20, deadline=10.0, attempts=3,
        )  # fmt: skip
    assert not isinstance(raised.value, Interrupted)
    assert len(index.requests_to(PATH)) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("status", [503, 429])
def test_a_server_error_is_retried(index: FixtureIndex, tmp_path: Path, status: int) -> None:
    index.inject(PATH, Fault("status", status=status))
    pauses: list[int] = []
    download(
        new_session(), index.url + PATH, tmp_path / NAME, sha256=entry(index).sha256,
        limit=1 << 20, deadline=10.0, attempts=3, pause=pauses.append,
    )  # fmt: skip
    assert (tmp_path / NAME).read_bytes() == BODY
    assert len(index.requests_to(PATH)) == 2 and pauses == [1]
