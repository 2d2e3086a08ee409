"""Run `python -m generator` as a user would: a real process, real exit code; and measured:
the child's own peak memory and CPU time, as the kernel counts them."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_generator(
    *args: str, cwd: Path = REPO, path: str = "/usr/bin:/bin"
) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` as a user runs it: a real process with a plain PATH."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": path},
        check=False,
        timeout=120,
    )


@dataclass(frozen=True)
class Measured:
    """A finished child: its exit code, output, and what it cost by its own rusage."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float  # ru_maxrss: the child's largest resident set
    cpu_seconds: float  # user + system
    wall_seconds: float


# Caps the child's address space (a runaway child fails with MemoryError instead of taking
# the machine's memory), sets module attributes (a lowered limit, as a test would
# monkeypatch it), then runs the CLI exactly as `python -m generator` does.
_CHILD = """
import importlib, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
for name, value in json.loads(sys.argv[2]).items():
    module, _, attribute = name.rpartition(".")
    setattr(importlib.import_module(module), attribute, value)
from generator.cli import main
sys.exit(main(sys.argv[3:]))
"""


def run_generator_measured(
    *args: str,
    cwd: Path = REPO,
    overrides: Mapping[str, int | float] | None = None,
    timeout: float = 120.0,
    max_address_space_mb: int = 2048,
) -> Measured:
    """`python -m generator ARGS` in a child of its own, reaped with os.wait4 so the figures
    are the child's alone (not the test process's, nor other children's). `overrides` maps
    "generator.module.NAME" to a value set before the CLI runs. Past `timeout` the child's
    whole process group is killed and the run fails the test; past `max_address_space_mb`
    of address space the child's allocations fail."""
    # Files, not pipes: a chatty child can't block on a full pipe while it is polled.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(max_address_space_mb << 20),
                json.dumps(dict(overrides or {})),
                *args,
            ],
            cwd=cwd,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own group: a kill takes pip and git with it
        )
        try:
            status, usage = _reap(child, started, timeout)
        finally:
            if child.returncode is None:  # the test itself was interrupted
                _kill(child)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=os.waitstatus_to_exitcode(status),
            stdout=out.read(),
            stderr=err.read(),
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux counts kilobytes
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            wall_seconds=wall,
        )


def _reap(
    child: subprocess.Popen[bytes], started: float, timeout: float
) -> tuple[int, resource.struct_rusage]:
    """Wait for the child (polling, so the deadline holds) and take its status and rusage."""
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            return status, usage
        if time.monotonic() - started > timeout:
            _kill(child)
            raise AssertionError(f"the generator ran past its {timeout:.0f} s timeout: killed")
        time.sleep(0.02)


def _kill(child: subprocess.Popen[bytes]) -> None:
    os.killpg(child.pid, signal.SIGKILL)
    os.wait4(child.pid, 0)
    child.returncode = -signal.SIGKILL


def copy_checkout(dest: Path) -> Path:
    """The repository's own inputs (matrix, hooks, generated files) in a scratch folder, and
    nothing a run of the generator leaves behind (matrix.lock.json, wheels/)."""
    for path in ("matrix.yml", "matrix.schema.json", ".gitattributes"):
        shutil.copy(REPO / path, dest / path)
    shutil.copytree(REPO / "hooks", dest / "hooks")
    shutil.copytree(REPO / ".github" / "workflows", dest / ".github" / "workflows")
    return dest
