"""Run `python -m generator` as a user would: a real process, real exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def copy_checkout(dest: Path) -> Path:
    """The repository's own inputs (matrix, hooks, generated files) in a scratch folder, and
    nothing a run of the generator leaves behind (matrix.lock.json, wheels/)."""
    for path in ("matrix.yml", "matrix.schema.json", ".gitattributes"):
        shutil.copy(REPO / path, dest / path)
    shutil.copytree(REPO / "hooks", dest / "hooks")
    shutil.copytree(REPO / ".github" / "workflows", dest / ".github" / "workflows")
    return dest
