"""What the catalog page shows, assembled from a publish run's inputs (no HTML here).

One entry per family (module × version × Python): each arch's status and the wheel that
serves it (with its sha256), the image references and lines to paste, and the dead-line
notices about it; and one entry per bundle × Python: its members, the archs its image holds
(an arch where a module among its members has no wheel here is left out, as `images` leaves
it out), its references and lines. Wheel links come from wheels/SHA256SUMS (this
repository's copies) and, for upstream and pure cells the lock names but wheels/ lacks, from
the lock (PyPI).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.core.cells import Cell, Family, Served
from generator.core.platforms import ARCHS, Arch, arch_sort_key, python_sort_key
from generator.core.tags import best_wheel
from generator.core.versions import same_version, version_key
from generator.core.wheels import FileRef, parse_wheel_name
from generator.errors import UserError
from generator.matrix.bundles import ResolvedBundle
from generator.publish.interchange import CellRecord
from generator.publish.site.usage import ImageUsage, bundle_usage, image_usage

SERVED = (Served.BUILT, Served.UPSTREAM, Served.PURE)  # a wheel exists: the image holds it


class Notice(Protocol):
    """A dead-line notice (generator.lock.coverage.DeadLine): version None is the module."""

    @property
    def module(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class ArchEntry:
    arch: Arch
    record: CellRecord
    wheel: FileRef | None  # the file that serves the cell, when known


@dataclass(frozen=True)
class FamilyEntry:
    family: Family
    archs: tuple[ArchEntry, ...]
    usage: ImageUsage | None
    no_image: str  # why usage is None ("" when there is an image)
    notices: tuple[str, ...]


@dataclass(frozen=True)
class BundleArch:
    arch: Arch
    gap: str  # "" when the image holds this arch; else why it is left out


@dataclass(frozen=True)
class BundleEntry:
    name: str
    python: str
    requirements: tuple[str, ...]
    modules: tuple[str, ...]  # the members that are modules here: this repository's wheels
    from_index: tuple[str, ...]  # the other members: the index's wheels
    archs: tuple[BundleArch, ...]
    usage: ImageUsage | None
    no_image: str  # why usage is None ("" when there is an image)

    @property
    def covered(self) -> tuple[Arch, ...]:
        return tuple(entry.arch for entry in self.archs if not entry.gap)


@dataclass(frozen=True)
class Catalog:
    families: tuple[FamilyEntry, ...]  # by module, newest version first, Pythons ascending
    notices: tuple[str, ...]
    archs: tuple[str, ...]  # every arch any cell or bundle has, in canonical order
    pythons: tuple[str, ...]
    bundles: tuple[BundleEntry, ...] = ()  # in matrix order, Pythons ascending


def build_catalog(
    records: Sequence[CellRecord],
    files: Iterable[FileRef],
    repository: str,
    *,
    locked_wheels: Mapping[Cell, FileRef] | None = None,
    notices: Sequence[Notice] = (),
    bundles: Sequence[ResolvedBundle] = (),
) -> Catalog:
    """`files`: the published wheels; `locked_wheels`: the lock's upstream/pure wheel per cell;
    `bundles`: matrix.yml's."""
    finder = _WheelFinder(files, locked_wheels or {})
    by_family: dict[Family, list[CellRecord]] = {}
    for record in records:
        by_family.setdefault(record.cell.family, []).append(record)
    newest = _newest_served(by_family)
    families = tuple(
        _family_entry(family, by_family[family], finder, repository, newest, notices)
        for family in _ordered(by_family)
    )
    cells = [record.cell for record in records]
    entries = _bundle_entries(bundles, records, repository)
    archs = {cell.arch for cell in cells} | {a.arch.name for b in entries for a in b.archs}
    pythons = {cell.python for cell in cells} | {bundle.python for bundle in entries}
    return Catalog(
        families=families,
        notices=tuple(notice.message for notice in notices),
        archs=tuple(sorted(archs, key=arch_sort_key)),
        pythons=tuple(sorted(pythons, key=python_sort_key)),
        bundles=entries,
    )


def _bundle_entries(
    bundles: Sequence[ResolvedBundle], records: Sequence[CellRecord], repository: str
) -> tuple[BundleEntry, ...]:
    served: set[tuple[str, str, str]] = {
        (canonicalize_name(r.cell.module), r.cell.python, r.cell.arch)
        for r in records
        if r.status in SERVED
    }
    modules: set[str] = {canonicalize_name(record.cell.module) for record in records}
    return tuple(
        _bundle_entry(bundle, python, served, modules, repository)
        for bundle in bundles
        for python in sorted(bundle.pythons, key=python_sort_key)
    )


def _bundle_entry(
    bundle: ResolvedBundle,
    python: str,
    served: set[tuple[str, str, str]],
    modules: set[str],
    repository: str,
) -> BundleEntry:
    own = tuple(member for member in bundle.members if member in modules)
    archs = []
    for arch in bundle.archs:
        lacking = [member for member in own if (member, python, arch) not in served]
        gap = f"left out: no wheel of {', '.join(lacking)} here yet" if lacking else ""
        archs.append(BundleArch(ARCHS[arch], gap))
    entry = BundleEntry(
        name=bundle.name,
        python=python,
        requirements=bundle.requirements,
        modules=own,
        from_index=tuple(member for member in bundle.members if member not in modules),
        archs=tuple(archs),
        usage=None,
        no_image="no arch has a wheel of every module yet, so there is no image",
    )
    if not entry.covered:
        return entry
    try:
        usage = bundle_usage(bundle.name, python, bundle.requirements, entry.covered, repository)
    except UserError as error:
        return replace(entry, no_image=f"no image: {error}")
    return replace(entry, usage=usage, no_image="")


def _ordered(families: Iterable[Family]) -> list[Family]:
    """By module; newest version first, Pythons ascending inside it (stable sorts, last key
    first)."""
    by_python = sorted(families, key=lambda family: python_sort_key(family.python))
    by_version = sorted(by_python, key=lambda family: version_key(family.version), reverse=True)
    return sorted(by_version, key=lambda family: family.module)


def _newest_served(by_family: Mapping[Family, list[CellRecord]]) -> set[Family]:
    """The families the moving `<module>-py<X.Y>` tag points at: per module and Python, the
    newest version with a served arch (what the images verb finds newest in wheels/)."""
    newest: dict[tuple[str, str], tuple[Version, Family]] = {}
    for family, records in by_family.items():
        if not any(record.status in SERVED for record in records):
            continue
        try:
            version = Version(family.version)
        except InvalidVersion:
            continue  # no image tag for it anyway
        key = (family.module, family.python)
        if key not in newest or version > newest[key][0]:
            newest[key] = (version, family)
    return {family for _, family in newest.values()}


def _family_entry(
    family: Family,
    records: list[CellRecord],
    finder: _WheelFinder,
    repository: str,
    newest: set[Family],
    notices: Sequence[Notice],
) -> FamilyEntry:
    ordered = sorted(records, key=lambda record: arch_sort_key(record.cell.arch))
    archs = tuple(
        ArchEntry(ARCHS[r.cell.arch], r, finder.serving(r) if r.status in SERVED else None)
        for r in ordered
    )
    served = [entry.arch for entry in archs if entry.record.status in SERVED]
    usage, no_image = None, "no arch has a wheel yet, so there is no image"
    if served:
        try:
            usage = image_usage(family, served, repository, latest=family in newest)
            no_image = ""
        except UserError as error:
            no_image = f"no image: {error}"
    about = tuple(notice.message for notice in notices if _concerns(notice, family))
    return FamilyEntry(family, archs, usage, no_image, about)


def _concerns(notice: Notice, family: Family) -> bool:
    if canonicalize_name(notice.module) != canonicalize_name(family.module):
        return False
    return notice.version is None or same_version(notice.version, family.version)


class _WheelFinder:
    """The wheel that serves a cell: the lock's file for fetched cells (this repository's copy
    when wheels/ has it), else the file pip would pick among the published ones."""

    def __init__(self, files: Iterable[FileRef], locked: Mapping[Cell, FileRef]) -> None:
        self._by_name = {file.filename: file for file in files}
        self._by_release: dict[tuple[str, Version], list[str]] = {}
        for filename in self._by_name:
            name = parse_wheel_name(filename)
            self._by_release.setdefault((name.project, name.version), []).append(filename)
        self._locked = locked

    def serving(self, record: CellRecord) -> FileRef | None:
        cell = record.cell
        locked = self._locked.get(cell)
        if locked is not None:
            return self._by_name.get(locked.filename, locked)
        try:
            release = (canonicalize_name(cell.module), Version(cell.version))
        except InvalidVersion:
            return None
        best = best_wheel(self._by_release.get(release, ()), cell.python, cell.arch)
        return self._by_name[best] if best else None
