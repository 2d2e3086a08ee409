"""sdist: download from a real HTTP index on 127.0.0.1, sha256-verified, atomic."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import run_generator
from support.pypi_server import Fault, FixtureIndex, running_index
from support.tiny_sdist import make_tiny_sdist

from generator.build.sdist import fetch_sdist, sdist_in
from generator.errors import Failure, UserError
from generator.pypi import transport
from generator.pypi.client import PyPIClient
from generator.pypi.transport import RetryPolicy


def page(index: FixtureIndex, *files: tuple[str, str]) -> bytes:
    links = "".join(f'<a href="{index.url}/files/{n}#sha256={h}">{n}</a>\n' for n, h in files)
    return f"<!DOCTYPE html><html><body>{links}</body></html>".encode()


@pytest.fixture
def tiny_index(tmp_path: Path) -> Iterator[tuple[FixtureIndex, bytes]]:
    data = make_tiny_sdist(tmp_path).read_bytes()
    with running_index("html-only") as index:
        sha = hashlib.sha256(data).hexdigest()
        index.routes["/simple/tiny/"] = (200, "text/html", page(index, ("tiny-1.0.tar.gz", sha)))
        index.routes["/files/tiny-1.0.tar.gz"] = (200, "application/gzip", data)
        index.routes["/simple/zipped/"] = (200, "text/html", page(index, ("zipped-1.0.zip", sha)))
        index.routes["/simple/wheelonly/"] = (
            200,
            "text/html",
            page(index, ("wheelonly-1.0-py3-none-any.whl", sha)),
        )
        yield index, data


def client(index: FixtureIndex) -> PyPIClient:
    return PyPIClient(index.index_url, json_api_url="", retry=RetryPolicy(attempts=2, backoff=0))


def test_fetches_and_verifies(tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path) -> None:
    index, data = tiny_index
    dest = tmp_path / "sdist"
    path = fetch_sdist(client(index), "tiny", "1.0", dest)
    assert path == dest / "tiny-1.0.tar.gz" and path.read_bytes() == data
    assert sdist_in(dest, "Tiny", "1.0") == path and sdist_in(dest, "tiny", "1.1") is None


def test_corrupt_download_writes_nothing(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path
) -> None:
    index, data = tiny_index
    index.routes["/files/tiny-1.0.tar.gz"] = (200, "application/gzip", data + b"tampered")
    with pytest.raises(Failure, match="does not match"):
        fetch_sdist(client(index), "tiny", "1.0", tmp_path / "sdist")
    assert not (tmp_path / "sdist").exists() or not list((tmp_path / "sdist").iterdir())


def test_lock_hash_disagreeing_with_index_is_refused(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path
) -> None:
    with pytest.raises(Failure, match="replaced upstream"):
        fetch_sdist(client(tiny_index[0]), "tiny", "1.0", tmp_path, expected_sha256="0" * 64)


def test_server_error_then_success_is_retried(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path
) -> None:
    index, data = tiny_index
    index.inject("/files/tiny-1.0.tar.gz", Fault("status", 503))
    # A folder of its own: tmp_path holds the sdist already (the fixture made it there).
    assert fetch_sdist(client(index), "tiny", "1.0", tmp_path / "sdist").read_bytes() == data
    assert len(index.requests_to("/files/tiny-1.0.tar.gz")) == 2


@pytest.mark.parametrize(
    ("module", "version", "message"),
    [
        ("zipped", "1.0", "builds .tar.gz sdists only"),
        ("wheelonly", "1.0", "has no sdist"),
        ("tiny", "2.0", "tiny 2.0 is not on the index"),
    ],
)
def test_unbuildable_releases_are_explained(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path, module: str, version: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        fetch_sdist(client(tiny_index[0]), module, version, tmp_path)


def test_cli_prints_the_path(tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path) -> None:
    index_url = tiny_index[0].index_url
    done = run_generator(
        "sdist",
        "--module",
        "tiny",
        "--version",
        "1.0",
        "--output-dir",
        str(tmp_path),
        "--index-url",
        index_url,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "tiny-1.0.tar.gz")


def test_a_gzip_bomb_sdist_is_cut_at_the_cap_and_leaves_nothing(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, _ = tiny_index
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 1 << 20)
    index.inject("/files/tiny-1.0.tar.gz", Fault("gzip-bomb", size=64 << 20))
    with pytest.raises(Failure, match=r"larger than 1 MB decoded"):
        fetch_sdist(client(index), "tiny", "1.0", tmp_path / "sdist")
    assert list((tmp_path / "sdist").iterdir()) == []


def test_a_dripping_sdist_is_cut_at_the_deadline_and_leaves_nothing(
    tiny_index: tuple[FixtureIndex, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, _ = tiny_index
    monkeypatch.setattr(transport, "ANSWER_DEADLINE", 1.0)
    index.inject("/files/tiny-1.0.tar.gz", Fault("drip"), Fault("drip"))
    started = time.monotonic()
    with pytest.raises(Failure, match=r"did not arrive within 1 s"):
        fetch_sdist(client(index), "tiny", "1.0", tmp_path / "sdist")
    assert time.monotonic() - started < 2 * 1.0 + 8  # two attempts, no hour-long read
    assert len(index.requests_to("/files/tiny-1.0.tar.gz")) == 2
    assert list((tmp_path / "sdist").iterdir()) == []
