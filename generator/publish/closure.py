"""Ask pip itself whether a cell installs, and let pip fetch what a cell depends on.

pip is the resolver of record: no home-made dependency resolution here. pip 23 does not widen a
`--platform musllinux_1_2_<arch>` to the older musllinux_1_1/1_0 wheels an Alpine pip would
accept, so every compatible platform tag is passed explicitly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from generator.errors import Failure
from generator.publish.interchange import Cell

_MUSLLINUX_MINORS = (2, 1, 0)  # musllinux_1_2 installs 1_2, 1_1 and 1_0 wheels
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")


def platform_args(cell: Cell) -> list[str]:
    args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", cell.python]
    for minor in _MUSLLINUX_MINORS:
        args += ["--platform", f"musllinux_1_{minor}_{cell.arch}"]
    return args


def offline_env() -> dict[str, str]:
    """An environment where pip sees no config file and no PIP_* setting: only our flags count
    (a machine-wide `find-links` would otherwise let a verification pass by accident)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def verify_cell(cell: Cell, find_links: Path) -> None:
    """Succeed when pip resolves the cell offline from `find_links` alone; else name the gap."""
    with tempfile.TemporaryDirectory(prefix="verify-") as target:
        command = [
            *_pip("install", "--dry-run", "--no-index", "--find-links", str(find_links)),
            *platform_args(cell),
            "--target",
            target,
            cell.requirement,
        ]
        result = _run(command, offline_env())
    if result.returncode != 0:
        raise Failure(f"{cell} does not install offline from {find_links}: {_explain(result)}")


def download_closure(
    cell: Cell, into: Path, find_links: Sequence[Path], *, offline: bool
) -> list[Path]:
    """Let pip download the cell's requirement and its whole dependency closure into `into`:
    offline from `find_links` alone, or online with the caller's pip configuration (index URL)
    where `find_links` still count as candidates."""
    links = [arg for link in find_links if link.is_dir() for arg in ("--find-links", str(link))]
    if offline:
        links.append("--no-index")
    command = [*_pip("download", "--dest", str(into), *links), *platform_args(cell)]
    env = offline_env() if offline else dict(os.environ)
    result = _run([*command, cell.requirement], env)
    if result.returncode != 0:
        raise Failure(f"cannot gather the dependencies of {cell}: {_explain(result)}")
    return sorted(into.glob("*.whl"))


def missing_distribution(pip_output: str) -> str | None:
    """The project pip could not find, from its "No matching distribution found for X"."""
    match = _NO_MATCH.search(pip_output)
    if not match:
        return None
    try:
        return Requirement(match.group(1)).name
    except InvalidRequirement:
        return match.group(1)


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    missing = missing_distribution(result.stderr + result.stdout)
    if missing:
        return (
            f"no compatible wheel for {missing!r} — build it (add it to matrix.yml) or make sure "
            "the lock fetches its upstream wheel"
        )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return "pip says: " + " | ".join(lines[-5:] or ["(no output)"])


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", *args]


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)
