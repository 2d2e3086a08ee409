"""Ask pip itself whether a cell installs, and let pip fetch what a cell depends on.

pip is the resolver of record: no home-made dependency resolution here. Which wheels a
cell accepts (and so pip's `--platform`/`--abi` flags) is generator.core.tags; which
dependencies apply is the target's PEP 508 environment (every pip run here goes through
_resolve_for, so an image's closure never follows the markers of the Python running pip).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.core.cells import Cell
from generator.core.platforms import marker_environment
from generator.core.tags import pip_target_args
from generator.errors import Failure
from generator.pip import missing_distribution, offline_env, run_pip

# pip's words when a download's sha256 differs from the one in the index's link.
_HASH_MISMATCH = "DO NOT MATCH THE HASHES"
# pip's words for a pin no version meets (bundle_pins.UNPUBLISHED): `(constraint) x===…`.
_UNMET_PIN = re.compile(r"\(constraint\) ([A-Za-z0-9._-]+)===")


class HashMismatch(Failure):
    """A file from the index is not the file the index announced: never published."""


@dataclass(frozen=True)
class Target:
    """Requirements pip installs together on one CPython × musllinux arch: a cell's one
    requirement, or a bundle's modules."""

    what: str  # for messages: the cell, or `bundle web (python 3.12, aarch64)`
    requirements: tuple[str, ...]
    python: str
    arch: str

    @classmethod
    def of(cls, cell: Cell) -> Target:
        return cls(str(cell), (cell.requirement,), cell.python, cell.arch)


def verify_cell(cell: Cell, find_links: Path) -> None:
    """Succeed when pip resolves the cell offline from `find_links` alone; else name the gap."""
    verify_target(Target.of(cell), find_links)


def verify_target(target: Target, find_links: Path) -> None:
    """Succeed when pip resolves all the target's requirements together offline from
    `find_links` alone; else name the gap."""
    with tempfile.TemporaryDirectory(prefix="verify-") as scratch:
        result = _resolve_for(
            target,
            ["install", "--dry-run", "--no-index", "--find-links", str(find_links)],
            ["--target", scratch],
            offline_env(),
        )
    if result.returncode != 0:
        raise Failure(
            f"{target.what} does not install offline from {find_links}: {_explain(result)}"
        )


def download_closure(
    cell: Cell, into: Path, find_links: Sequence[Path], *, offline: bool
) -> list[Path]:
    """Let pip download the cell's requirement and its whole dependency closure into `into`:
    offline from `find_links` alone, or online with the caller's pip configuration (index URL)
    where `find_links` still count as candidates."""
    return download_target(Target.of(cell), into, find_links, offline=offline)


def download_target(
    target: Target, into: Path, find_links: Sequence[Path], *, offline: bool
) -> list[Path]:
    """`download_closure` for all of a target's requirements resolved together."""
    links = [arg for link in link_dirs(find_links) for arg in ("--find-links", str(link))]
    if offline:
        links.append("--no-index")
    result = _resolve_for(
        target,
        ["download", "--dest", str(into), *links],
        [],
        offline_env() if offline else dict(os.environ),
    )
    if result.returncode != 0:
        raise Failure(f"cannot gather the dependencies of {target.what}: {_explain(result)}")
    return sorted(into.glob("*.whl"))


def download_from_index(
    target: Target,
    into: Path,
    find_links: Sequence[Path],
    index_url: str,
    constraints: Path,
) -> list[Path]:
    """Let pip download the target's closure into `into` from `find_links` and the index
    `index_url` (nothing else: no pip configuration), binary only, under `constraints`.
    pip checks each file from the index against the sha256 its link gives (PEP 503)."""
    links = [arg for link in link_dirs(find_links) for arg in ("--find-links", str(link))]
    result = _resolve_for(
        target,
        ["download", "--dest", str(into), "--index-url", index_url, *links],
        ["--constraint", str(constraints)],
        offline_env(),
    )
    if result.returncode != 0:
        output = result.stderr + result.stdout
        if _HASH_MISMATCH in output:
            raise HashMismatch(
                f"{target.what}: a file from {index_url} does not have the sha256 the index "
                f"gives for it — nothing was published; check the index ({_explain(result)})"
            )
        unmet = _UNMET_PIN.search(output)
        if unmet:
            raise Failure(
                f"{target.what}: module {unmet.group(1)!r} has no wheel published here that "
                "the bundle allows (a module of this matrix is taken from this repository "
                "only) — it would compile; build it for this target"
            )
        raise Failure(f"cannot gather the wheels of {target.what}: {_explain(result)}")
    return sorted(into.glob("*.whl"))


def link_dirs(folders: Sequence[Path]) -> list[Path]:
    """pip's --find-links reads one folder, not its subfolders: each folder and every
    subfolder holding wheels (wheels/<project>/ in the repository's layout)."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found.append(folder)
            found += sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.whl")))
    return found


def _resolve_for(
    target: Target, command: Sequence[str], options: Sequence[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """pip `command` resolving the target's requirements as the target would: its wheel tags
    and its marker environment (pip would otherwise evaluate `python_version`,
    `platform_machine`… of the dependencies against the Python it runs in)."""
    return run_pip(
        # `--`: a requirement is never read as an option, whatever a cross-job file says
        [
            *command,
            *pip_target_args(target.python, target.arch),
            *options,
            "--",
            *target.requirements,
        ],
        env,
        markers=marker_environment(target.python, target.arch),
    )


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    missing = missing_distribution(result.stderr + result.stdout)
    if missing:
        return (
            f"no compatible wheel for {missing!r} — build it (add it to matrix.yml) or make sure "
            "the lock fetches its upstream wheel"
        )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return "pip says: " + " | ".join(lines[-5:] or ["(no output)"])
