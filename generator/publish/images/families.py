"""Images for every published cell: one family per module × version × python.

Each family's images hold the module's wheel and its dependency closure only
(pip decides the closure, offline, from the published wheels), never the other
modules that happen to share the publish folder.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.core.cells import Cell, Family
from generator.core.platforms import ARCHS, Arch
from generator.core.tags import python_tags
from generator.core.wheels import PublishedWheels, parse_wheel_name
from generator.publish.closure import download_closure
from generator.publish.images.contents import ImageSet, Provenance, image_set_of
from generator.publish.images.engines import Engine, run_image_set
from generator.publish.images.tags import image_family

Pin = tuple[str, str]  # normalised project, python


def families(cells: Iterable[Cell]) -> dict[Family, list[str]]:
    """module × version × python → its archs, in a stable order."""
    grouped: dict[Family, list[str]] = defaultdict(list)
    for cell in sorted(cells):
        grouped[cell.family].append(cell.arch)
    return dict(grouped)


def newest_versions(wheel_dirs: Iterable[Path], pythons: Iterable[str]) -> dict[Pin, Version]:
    """The newest version of each project for each Python, among the wheels in these folders
    (a wheel counts for a Python when it installs there on some musllinux arch): the moving
    `<module>-py<X.Y>` tag follows it, even when the newest release dropped that Python."""
    tags = {python: python_tags(python) for python in pythons}
    newest: dict[Pin, Version] = {}
    for directory in wheel_dirs:
        for path in directory.rglob("*.whl"):
            name = parse_wheel_name(path.name)
            project = canonicalize_name(name.project)
            for python, accepted in tags.items():
                key = (project, python)
                if accepted.isdisjoint(name.tags):
                    continue
                if key not in newest or name.version > newest[key]:
                    newest[key] = name.version
    return newest


def archs_with_wheels(
    family: Family, run_archs: Iterable[str], wheel_dirs: Iterable[Path]
) -> list[str]:
    """This run's archs of the family plus every arch whose wheel an earlier run published:
    a cell that builds later joins the family's multi-arch list."""
    names = [parse_wheel_name(p.name) for d in wheel_dirs if d.is_dir() for p in d.rglob("*.whl")]
    available = PublishedWheels.of(names)
    chosen = set(run_archs)
    return [
        arch
        for arch in ARCHS
        if arch in chosen
        or available.serves(Cell(family.module, family.version, family.python, arch))
    ]


def publish_family(
    family: Family,
    archs: list[str],
    sources: Sequence[Path],
    repository: str,
    provenance: Provenance,
    engine: Engine,
    *,
    latest: bool,
    log: Callable[[str], None],
    pushed_digests: dict[str, str],
) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="closure-") as scratch:
        plan = family_images(
            family, archs, sources, Path(scratch), repository, provenance, latest=latest
        )
        return run_image_set(plan, engine, log=log, pushed_digests=pushed_digests)


def family_images(
    family: Family,
    archs: Sequence[str],
    sources: Sequence[Path],
    scratch: Path,
    repository: str,
    provenance: Provenance,
    *,
    latest: bool,
) -> ImageSet:
    """The family's images, each holding its arch's closure as pip downloads it (offline,
    from `sources`) into its own folder under the empty folder `scratch`."""
    folders: dict[Arch, Path] = {}
    for arch in archs:
        folders[ARCHS[arch]] = folder = scratch / arch
        folder.mkdir()
        cell = Cell(family.module, family.version, family.python, arch)
        download_closure(cell, folder, list(sources), offline=True)
    subject = image_family(family.module, family.version, family.python)
    return image_set_of(subject, folders, repository, provenance, latest=latest)


def subject_checksums(pushed_digests: dict[str, str]) -> str:
    """actions/attest-build-provenance's `subject-checksums` file: `<hex>  <name>` lines."""
    return "".join(
        f"{digest.removeprefix('sha256:')}  {reference}\n"
        for reference, digest in sorted(pushed_digests.items())
    )
