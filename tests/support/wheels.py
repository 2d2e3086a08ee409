"""Real musllinux wheels from the package registry, downloaded once per test process."""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
from pathlib import Path

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
ARCHES = ("x86_64", "aarch64")


def download_wheels(dest: Path, platform: str, python: str, *requirements: str) -> None:
    """pip download of binary wheels only, no dependencies, for one platform and Python."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--no-deps",
            "--platform",
            platform,
            "--python-version",
            python,
            "-d",
            str(dest),
            *requirements,
        ],
        check=True,
    )


@functools.cache
def real_wheels() -> Path:
    """markupsafe for 4 Pythons × 2 archs (8 distinct platform wheels) and jinja2 (pure)."""
    dest = Path(tempfile.mkdtemp(prefix="publish-wheels-"))
    for python in PYTHONS:
        for arch in ARCHES:
            download_wheels(dest, f"musllinux_1_2_{arch}", python, "markupsafe==3.0.3")
    download_wheels(dest, "musllinux_1_2_x86_64", "3.12", "jinja2==3.1.6")
    older = dest / "older"  # kept apart: a second version of markupsafe, for retention
    download_wheels(older, "musllinux_1_2_x86_64", "3.12", "markupsafe==3.0.2")
    return dest


def older_markupsafe_wheel() -> Path:
    # Its filename is "MarkupSafe-3.0.2-...": older wheels did not normalize the project name.
    (wheel,) = (real_wheels() / "older").glob("*-3.0.2-*.whl")
    return wheel


def markupsafe_wheels() -> list[Path]:
    wheels = sorted(real_wheels().glob("markupsafe-*.whl"))
    assert len(wheels) == len(PYTHONS) * len(ARCHES), wheels
    return wheels


def jinja2_wheel() -> Path:
    (wheel,) = real_wheels().glob("jinja2-*.whl")
    return wheel
