"""The layout of `wheels/` — public API: people link raw URLs to these files.

    wheels/
      SHA256SUMS                      one line per wheel, `sha256sum -c` format, paths relative
                                      to wheels/; regenerated from the tree on every publish
      <project>/<wheel filename>      the wheels, e.g.
        markupsafe/markupsafe-3.0.3-cp312-cp312-musllinux_1_2_x86_64.whl

* `<project>` is the PEP 503 normalized name (lower case, runs of `-_.` become one `-`), so the
  directory is the same as the project's path in the simple index.
* The wheel filename is exactly the one its build backend (or PyPI) gave it: never renamed.
* A published file is immutable: the same path never gets different bytes (fix a broken wheel
  with a new build tag or version). Files disappear only through the optional retention setting
  (newest N versions per project), which the container images do not apply.
* Every file is ≤ 100 MB (GitHub rejects larger ones); files over 50 MB are warned about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from packaging.utils import NormalizedName
from packaging.version import Version

from generator.core.wheels import PublishedWheels, WheelName, parse_wheel_name
from generator.errors import UserError

WHEELS_DIR = "wheels"  # beside matrix.yml
SUMS_NAME = "SHA256SUMS"
HARD_LIMIT = 100 * 1024 * 1024  # GitHub rejects pushes with larger files.
WARN_LIMIT = 50 * 1024 * 1024  # GitHub warns; large files bloat every clone forever.
_SHA256 = re.compile(r"[0-9a-f]{64}")


def wheel_relpath(filename: str) -> PurePosixPath:
    """Where a wheel lives, relative to `wheels/`."""
    return PurePosixPath(parse_wheel_name(filename).project, filename)


def wheel_paths(wheels_dir: Path) -> list[Path]:
    """Every wheel under `wheels_dir`, checked against the layout (a misplaced file is an
    error: its raw link would not be where people expect it)."""
    if not wheels_dir.is_dir():
        raise UserError(f"{wheels_dir}: no such directory — pass the repository's wheels/")
    found = []
    for path in sorted(wheels_dir.rglob("*.whl")):
        relpath = PurePosixPath(path.relative_to(wheels_dir).as_posix())
        expected = wheel_relpath(path.name)
        if relpath != expected:
            raise UserError(
                f"{wheels_dir / relpath}: misplaced — the layout puts it at "
                f"{wheels_dir / expected} (git mv it there)"
            )
        found.append(path)
    return found


def published_wheels(wheels_dir: Path) -> PublishedWheels:
    """What wheels/ holds, read once; no folder yet means nothing is published."""
    names: list[WheelName] = []
    for path in sorted(wheels_dir.glob("*/*.whl")) if wheels_dir.is_dir() else []:
        try:
            names.append(parse_wheel_name(path.name))
        except UserError:
            continue  # not a wheel name: `index` reports it; the plan only skips it
    return PublishedWheels.of(names)


def check_size(name: str, size: int) -> str | None:
    """Refuse files GitHub would reject; return a warning for files it warns about."""
    if size > HARD_LIMIT:
        raise UserError(
            f"{name} is {_mb(size)}, over GitHub's 100 MB file limit — it cannot be committed "
            "to wheels/; strip debug symbols in the build (e.g. CIBW_ENVIRONMENT "
            "CFLAGS=-g0 or auditwheel's --strip) or drop that cell from matrix.yml"
        )
    if size > WARN_LIMIT:
        return f"{name} is {_mb(size)}, over GitHub's 50 MB warning size"
    return None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def files_beyond_retention(filenames: Iterable[str], keep: int) -> set[str]:
    """Wheel filenames of versions older than the newest `keep` per project (PEP 440 order)."""
    if keep < 1:
        raise UserError(f"retention must keep at least 1 version per project, got {keep}")
    versions: dict[NormalizedName, set[Version]] = {}
    names = [parse_wheel_name(filename) for filename in filenames]
    for name in names:
        versions.setdefault(name.project, set()).add(name.version)
    kept = {project: set(sorted(found, reverse=True)[:keep]) for project, found in versions.items()}
    return {name.filename for name in names if name.version not in kept[name.project]}


def render_sha256sums(digests: Iterable[tuple[PurePosixPath, str]]) -> str:
    """The SHA256SUMS text (`sha256sum -c` format, sorted by path) for (path, sha256) pairs."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(digests))


def read_sha256sums(wheels_dir: Path) -> dict[PurePosixPath, str]:
    """wheels/SHA256SUMS as path (relative to wheels/) → sha256; empty when there is none yet
    (nothing published). Its lines must follow the layout: `<sha256>  <project>/<wheel>`."""
    path = wheels_dir / SUMS_NAME
    if not path.is_file():
        return {}
    sums: dict[PurePosixPath, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        relpath = PurePosixPath(name)
        if not _SHA256.fullmatch(digest) or not _in_layout(relpath):
            raise UserError(
                f"{path}:{number}: not `<sha256>  <project>/<wheel filename>` — regenerate it "
                "with `python -m generator commit-wheels` (it writes SHA256SUMS from the tree)"
            )
        sums[relpath] = digest
    return sums


def _in_layout(relpath: PurePosixPath) -> bool:
    try:
        return len(relpath.parts) == 2 and wheel_relpath(relpath.name) == relpath
    except UserError:
        return False
