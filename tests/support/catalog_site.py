"""A catalog page made by the real `catalog` verb from a small, realistic publish state.

markupsafe 3.0.3 (upstream on x86_64/aarch64, built here on armv7l, one failed build, one
missing cell) and 3.0.2, numpy 2.3.5 on armv7l for 3.12 and 3.14t, six (pure everywhere: a dead
line), and a module whose failure reason and log URL are hostile HTML/JavaScript (a hostile
name or version is refused when catalog.json and the lock are read: tests/unit/test_cell_json.py);
and
two bundles of its matrix.yml: `web` (markupsafe; jinja2 from the index with a specifier and a
marker, text to escape and to shell-quote; idna with a hostile marker) and `data` (numpy, and
pandas from the index). `write_site(root, hostile=False)` leaves the hostile module and marker
out: the sample as a reader should see it (scripts/catalog-screenshots).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import cli
from generator.core.cells import Cell, Served, Status
from generator.core.wheels import FileRef
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion, write_lock
from generator.publish.interchange import CellRecord, records_json

REGISTRY = "ghcr.io/owner/repo"
BASE_URL = "https://raw.githubusercontent.com/owner/repo/0123abc/wheels"
FAILED_LOG = "https://github.com/owner/repo/actions/runs/42"
HOSTILE = '<img src=x onerror="window.pwned=1">'
HOSTILE_MODULE = "evil"  # the module whose failure is hostile text
HOSTILE_VERSION = "6.6.6"
HOSTILE_MARKER = "<img src=x onerror=window.pwned=4>"

# (module, version, python, arch, status, wheel filename in wheels/ or on PyPI)
CELLS: list[tuple[str, str, str, str, Served, str]] = [
    (
        "markupsafe",
        "3.0.3",
        "3.12",
        "x86_64",
        Served.UPSTREAM,
        "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_x86_64.whl",
    ),
    (
        "markupsafe",
        "3.0.3",
        "3.12",
        "aarch64",
        Served.UPSTREAM,
        "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_aarch64.whl",
    ),
    (
        "markupsafe",
        "3.0.3",
        "3.12",
        "armv7l",
        Served.BUILT,
        "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_armv7l.whl",
    ),
    ("markupsafe", "3.0.3", "3.12", "riscv64", Served.FAILED, ""),
    ("markupsafe", "3.0.3", "3.12", "s390x", Served.MISSING, ""),
    (
        "markupsafe",
        "3.0.3",
        "3.13",
        "x86_64",
        Served.UPSTREAM,
        "markupsafe-3.0.3-cp313-cp313-musllinux_1_2_x86_64.whl",
    ),
    (
        "markupsafe",
        "3.0.3",
        "3.13",
        "armv7l",
        Served.BUILT,
        "markupsafe-3.0.3-cp313-cp313-musllinux_1_2_armv7l.whl",
    ),
    (
        "markupsafe",
        "3.0.2",
        "3.12",
        "armv7l",
        Served.BUILT,
        "markupsafe-3.0.2-cp312-cp312-musllinux_1_2_armv7l.whl",
    ),
    (
        "numpy",
        "2.3.5",
        "3.12",
        "armv7l",
        Served.BUILT,
        "numpy-2.3.5-cp312-cp312-musllinux_1_2_armv7l.whl",
    ),
    ("numpy", "2.3.5", "3.12", "i686", Served.MISSING, ""),
    (
        "numpy",
        "2.3.5",
        "3.14t",
        "armv7l",
        Served.BUILT,
        "numpy-2.3.5-cp314-cp314t-musllinux_1_2_armv7l.whl",
    ),
    ("six", "1.17.0", "3.12", "x86_64", Served.PURE, "six-1.17.0-py2.py3-none-any.whl"),
    ("six", "1.17.0", "3.12", "riscv64", Served.PURE, "six-1.17.0-py2.py3-none-any.whl"),
    (HOSTILE_MODULE, HOSTILE_VERSION, "3.12", "x86_64", Served.FAILED, ""),
]
_LOCK_STATUS = {
    Served.BUILT: Status.BUILD,
    Served.UPSTREAM: Status.UPSTREAM,
    Served.PURE: Status.PURE,
    Served.FAILED: Status.BUILD,
    Served.MISSING: Status.BUILD,
}


MATRIX = """\
defaults:
  python: ["3.12", "3.13"]
  arch: [x86_64, aarch64, armv7l, riscv64, s390x]
modules:
  markupsafe: ["3.0.2", "3.0.3"]
  numpy:
    versions: "2.3.5"
    python: ["3.12", "3.14t"]
    arch: [armv7l, i686]
  six: "1.17.0"
bundles:
  web:
    requirements: apps/web.txt
  data: [numpy, pandas]
"""
WEB_REQUIREMENTS = (
    'markupsafe\njinja2>=3.1,<4 ; python_version >= "3.9"\n'
    f'idna ; platform_release != "{HOSTILE_MARKER}"\n'  # a marker's text is free: hostile
)
PLAIN_WEB_REQUIREMENTS = 'markupsafe\njinja2>=3.1,<4 ; python_version >= "3.9"\nidna\n'


def sha256(filename: str) -> str:
    return hashlib.sha256(filename.encode()).hexdigest()


def pypi_url(filename: str) -> str:
    return f"https://files.pythonhosted.org/packages/ab/cd/{filename}"


def sample_cells(*, hostile: bool = True) -> list[tuple[str, str, str, str, Served, str]]:
    return [c for c in CELLS if hostile or c[0] != HOSTILE_MODULE]


def records(*, hostile: bool = True) -> list[CellRecord]:
    found = []
    for module, version, python, arch, status, _ in sample_cells(hostile=hostile):
        cell = Cell(module, version, python, arch)
        if status is Served.FAILED and module == HOSTILE_MODULE:
            found.append(CellRecord(cell, status, HOSTILE, "javascript:window.pwned=3"))
        elif status is Served.FAILED:
            found.append(CellRecord(cell, status, "cibuildwheel exited 1", FAILED_LOG))
        else:
            found.append(CellRecord(cell, status))
    return found


def lock(*, hostile: bool = True) -> Lock:
    """The lock the records came from: upstream/pure cells name their PyPI wheel."""
    versions: dict[str, dict[str, list[LockedCell]]] = {}
    for module, version, python, arch, status, filename in sample_cells(hostile=hostile):
        wheel = None
        if status in (Served.UPSTREAM, Served.PURE):
            wheel = FileRef(filename, pypi_url(filename), sha256(filename))
        cell = LockedCell(Cell(module, version, python, arch), _LOCK_STATUS[status], wheel=wheel)
        versions.setdefault(module, {}).setdefault(version, []).append(cell)
    return Lock(
        {
            module: LockedModule(
                module,
                "latest",
                tuple(
                    LockedVersion(version, None, None, None, False, (), tuple(cells))
                    for version, cells in by_version.items()
                ),
            )
            for module, by_version in versions.items()
        }
    )


def write_site(root: Path, *, hostile: bool = True) -> Path:
    """Run `catalog` on the sample: root/site/index.html (and the job summary beside it)."""
    (root / "wheels").mkdir(parents=True)
    built = [c for c in CELLS if c[4] is Served.BUILT]
    sums = "".join(f"{sha256(c[5])}  {c[0]}/{c[5]}\n" for c in sorted(built, key=lambda c: c[5]))
    (root / "wheels" / "SHA256SUMS").write_text(sums)
    (root / "catalog.json").write_text(records_json(records(hostile=hostile)))
    write_lock(root / "matrix.lock.json", lock(hostile=hostile))
    (root / "apps").mkdir()
    requirements = WEB_REQUIREMENTS if hostile else PLAIN_WEB_REQUIREMENTS
    (root / "apps" / "web.txt").write_text(requirements)
    (root / "matrix.yml").write_text(MATRIX)
    page = root / "site" / "index.html"
    argv = ["catalog", "--records", str(root / "catalog.json"), "--output", str(page)]
    argv += ["--matrix", str(root / "matrix.yml")]
    argv += ["--lock", str(root / "matrix.lock.json"), "--wheels", str(root / "wheels")]
    argv += ["--base-url", BASE_URL, "--registry", REGISTRY, "--summary", str(root / "summary.md")]
    assert cli.main(argv) == 0
    return page
