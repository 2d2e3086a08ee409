"""Debian's docker-registry on 127.0.0.1: a real OCI registry for the image tests."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_registry(directory: Path) -> Iterator[str]:
    """docker-registry on 127.0.0.1:<free port> with its storage in `directory`; its
    address (HOST:PORT) while it runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    config = directory / "registry.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {directory / 'registry-data'}\n"
        f"http:\n  addr: {address}\n",
        encoding="utf-8",
    )
    log_path = directory / "registry.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=log)
        try:
            _wait_until_up(address, server, log_path)
            yield address
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_until_up(address: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"docker-registry did not start: see {log}") from None
            time.sleep(0.1)
