"""A PEP 503 simple index of a folder of real files, on 127.0.0.1: what pip downloads from.

/simple/<name>/ lists the folder's wheels of that project with `#sha256=` links (404 for a
project with none); /files/<filename> serves the file. `announced` overrides the sha256 a
link gives, to prove a download is checked against the index.
"""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name, parse_wheel_filename


class WheelIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.announced: dict[str, str] = {}  # filename → the sha256 its link claims
        self.requested: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/simple/"

    def page(self, project: str) -> bytes | None:
        links = []
        for wheel in sorted(self.folder.glob("*.whl")):
            if parse_wheel_filename(wheel.name)[0] != canonicalize_name(project):
                continue
            real = hashlib.sha256(wheel.read_bytes()).hexdigest()
            digest = self.announced.get(wheel.name, real)
            name = html.escape(wheel.name)
            links.append(f'<a href="/files/{name}#sha256={digest}">{name}</a><br>')
        if not links:
            return None
        return ("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n").encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = [part for part in self.path.split("?")[0].split("/") if part]
                index.requested.append(self.path)
                body: bytes | None = None
                kind = "text/html"
                if len(parts) == 2 and parts[0] == "simple":
                    body = index.page(parts[1])
                elif len(parts) == 2 and parts[0] == "files" and "/" not in parts[1]:
                    file = index.folder / parts[1]
                    body = file.read_bytes() if file.is_file() else None
                    kind = "application/octet-stream"
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        return Handler


@contextmanager
def serve_wheels(folder: Path) -> Iterator[WheelIndex]:
    index = WheelIndex(folder)
    thread = threading.Thread(target=index.httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield index
    finally:
        index.httpd.shutdown()
        index.httpd.server_close()
