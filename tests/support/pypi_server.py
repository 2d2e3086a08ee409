"""A fixture-driven simple index + JSON API on 127.0.0.1, with fault injection.

Serves the recorded responses in tests/fixtures/pypi/ (see its README.md):
  /simple/<name>/                 recorded page; PEP 691 JSON or PEP 503 HTML by `mode`
  /pypi/<name>/json               recorded JSON API answer
  /pypi/<name>/<version>/json     recorded per-version answer, else 404 (as recorded)
  /files/.../<wheel>.metadata     recorded PEP 658 file, else 404 (also /packages/...)
File URLs in served pages are rewritten from files.pythonhosted.org to /files/ here,
so nothing leaves the machine.

`mode`: "negotiate" (by Accept), "html-only", "json-only". The mirror we recorded from
answers HTML only, so a PEP 691 page is *derived* from the recorded JSON API answer
(same files, hashes, yanked reasons, requires-python, sizes, upload times) unless a
recorded simple/<name>.json exists.

Faults are queued per path and consumed one per request; see `Fault`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pypi"
FILES_HOST = "https://files.pythonhosted.org/"
PEP691 = "application/vnd.pypi.simple.v1+json"


@dataclass
class Fault:
    """One misbehaviour for one request.

    kind: "status" (answer `status` with `headers`), "hang" (send nothing until the
    server stops), "truncate" (announce the full length, send half, close),
    "short-json" (a complete HTTP answer whose JSON body is cut in half), "drip" (the body
    one byte every 50 ms, until the server stops), "header-drip" (a status line, then one
    header whose value comes a byte every `interval` seconds, never ending: the answer never
    gets to a body), "gzip-bomb" (`size` zero bytes, gzipped: a small answer that inflates).
    """

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0
    interval: float = 2.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FixtureIndex:
    def __init__(
        self, mode: str = "negotiate", etags: bool = False, fixtures: Path = FIXTURES
    ) -> None:
        """`fixtures`: a folder laid out like tests/fixtures/pypi/. Another one's derived
        PEP 691 pages advertise its recorded metadata (PEP 658/714), so pip resolves from
        them without the wheel files, which are not recorded."""
        self.mode = mode
        self.fixtures = fixtures
        self.etags = etags  # send ETag and answer If-None-Match with 304
        self.faults: dict[str, list[Fault]] = {}
        # path → (status, content type, body): answers a test adds beyond the recordings
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def index_url(self) -> str:
        return f"{self.url}/simple/"

    def start(self) -> FixtureIndex:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases hung handlers
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, path: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    # -- content -----------------------------------------------------------------

    def content(self, path: str, accept: str) -> tuple[int, str, bytes]:
        if path in self.routes:
            return self.routes[path]
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "simple":
            return self._simple_page(canonicalize_name(parts[1]), accept)
        if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            return self._file(self.fixtures / "json" / f"{parts[1]}.json", "application/json")
        if len(parts) == 4 and parts[0] == "pypi" and parts[3] == "json":
            name = f"{parts[1]}-{parts[2]}.json"
            return self._file(self.fixtures / "release-json" / name, "application/json")
        # /packages/...: where this registry's relative JSON API file URLs lead
        if parts and parts[0] in ("files", "packages") and parts[-1].endswith(".metadata"):
            return self._file(self.fixtures / "metadata" / parts[-1], "application/octet-stream")
        return 404, "text/plain", b""

    def _simple_page(self, name: str, accept: str) -> tuple[int, str, bytes]:
        html_file = self.fixtures / "simple" / f"{name}.html"
        json_file = self.fixtures / "simple" / f"{name}.json"
        api_file = self.fixtures / "json" / f"{name}.json"
        if not api_file.exists():
            return 404, "text/plain", b""
        wants_json = self.mode == "json-only" or (self.mode == "negotiate" and PEP691 in accept)
        if wants_json:
            if json_file.exists():
                return 200, PEP691, self._local(json_file.read_bytes())
            metadata = self.fixtures / "metadata" if self.fixtures != FIXTURES else None
            return 200, PEP691, self._local(pep691_from_json_api(api_file, metadata))
        if not html_file.exists():
            return 406, "text/plain", b"no HTML recorded"
        return 200, "text/html", self._local(html_file.read_bytes())

    def _file(self, path: Path, content_type: str) -> tuple[int, str, bytes]:
        if not path.exists():
            return 404, "text/plain", b""
        return 200, content_type, self._local(path.read_bytes())

    def _local(self, body: bytes) -> bytes:
        return body.replace(FILES_HOST.encode(), f"{self.url}/files/".encode())

    # -- HTTP --------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with index._lock:
                    index.seen.append(Seen("GET", path, dict(self.headers.items())))
                fault = index._next_fault(path)
                if fault and fault.kind == "hang":
                    index.stopping.wait(timeout=10)
                    self.close_connection = True
                    return
                if fault and fault.kind == "status":
                    self._send(fault.status, "text/plain", b"injected", fault.headers)
                    return
                if fault and fault.kind == "header-drip":
                    self._drip_headers(fault.interval)
                    return
                status, content_type, body = index.content(path, self.headers.get("Accept", ""))
                headers: dict[str, str] = {}
                if index.etags and status == 200:
                    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    headers["ETag"] = etag
                    headers["Cache-Control"] = "max-age=0"  # always revalidate
                    if self.headers.get("If-None-Match") == etag:
                        self._send(304, None, b"", headers)
                        return
                if fault and fault.kind == "truncate":
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                    return
                if fault and fault.kind == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    with contextlib.suppress(ConnectionError):  # the client gave up
                        for index_ in range(len(body)):
                            if index.stopping.wait(timeout=0.05):
                                break
                            self.wfile.write(body[index_ : index_ + 1])
                            self.wfile.flush()
                    self.close_connection = True
                    return
                if fault and fault.kind == "gzip-bomb":
                    bomb = gzip_of_zeros(fault.size)
                    self._send(200, "application/json", bomb, {"Content-Encoding": "gzip"})
                    return
                if fault and fault.kind == "short-json":
                    body = body[: len(body) // 2]
                self._send(status, content_type, body, headers)

            def _drip_headers(self, interval: float) -> None:
                with contextlib.suppress(ConnectionError):  # the client gave up
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                    self.wfile.flush()
                    while not index.stopping.wait(timeout=interval):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                self.close_connection = True

            def _send(
                self, status: int, content_type: str | None, body: bytes, headers: dict[str, str]
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        return Handler


@functools.lru_cache(maxsize=4)
def gzip_of_zeros(size: int) -> bytes:
    """`size` zero bytes gzipped, compressed a megabyte at a time: a bomb of gigabytes is
    made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    block = bytes(1 << 20)
    parts = [
        packer.compress(block[: min(len(block), size - at)]) for at in range(0, size, len(block))
    ]
    return b"".join([*parts, packer.flush()])


def pep691_from_json_api(api_file: Path, metadata: Path | None = None) -> bytes:
    """A PEP 691 (+PEP 700) project page built from a recorded JSON API answer; with
    `metadata`, files recorded there are marked as having PEP 658 metadata."""
    data = json.loads(api_file.read_text())
    files = [
        {
            **_core_metadata(metadata, f["filename"]),
            "filename": f["filename"],
            # This registry's JSON API gives some URLs as "../../packages/<hash path>",
            # the file host's "/packages/<hash path>" seen from /pypi/<name>/json.
            "url": f["url"].replace("../../packages/", FILES_HOST, 1),
            "hashes": {"sha256": f["digests"]["sha256"]},
            "requires-python": f["requires_python"],
            "yanked": (f["yanked_reason"] or True) if f["yanked"] else False,
            "size": f["size"],
            "upload-time": f["upload_time_iso_8601"],
        }
        for release in data["releases"].values()
        for f in release
    ]
    page = {
        "meta": {"api-version": "1.1"},
        "name": canonicalize_name(data["info"]["name"]),
        "versions": sorted(data["releases"]),
        "files": files,
    }
    return json.dumps(page).encode()


def _core_metadata(folder: Path | None, filename: str) -> dict[str, object]:
    recorded = folder / f"{filename}.metadata" if folder is not None else None
    if recorded is None or not recorded.exists():
        return {}
    return {"core-metadata": {"sha256": hashlib.sha256(recorded.read_bytes()).hexdigest()}}


@contextmanager
def running_index(
    mode: str = "negotiate", etags: bool = False, fixtures: Path = FIXTURES
) -> Iterator[FixtureIndex]:
    """A started FixtureIndex, stopped on exit."""
    index = FixtureIndex(mode, etags, fixtures).start()
    try:
        yield index
    finally:
        index.stop()


class Sleeps(list[float]):
    """Stands in for time.sleep in a RetryPolicy: records the back-off, waits for nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@contextmanager
def index_for_update(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureIndex]:
    """The fixtures as an HTML-only mirror answers (simple pages without PEP 691), also for
    the pip runs of the dependency check (PIP_INDEX_URL)."""
    with running_index("html-only") as served:
        monkeypatch.setenv("PIP_INDEX_URL", served.index_url)
        yield served
