"""The images of a bundle: one multi-arch `FROM scratch` list per bundle and Python,
`bundle-<name>-py<X.Y>`, so one `COPY --from` serves a whole application.

Each arch image holds exactly what pip downloads for all the bundle's members resolved
together (their wheels and their runtime dependencies, one version of each): the matrix's
modules from this repository's wheels at a version published here (bundle_pins), everything
else from the index as binary wheels for the target, sha256-checked by pip against the index.
Then pip checks that they install together offline from that folder alone — the check every
cell passes before it is published.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.core.cells import Cell
from generator.core.platforms import ARCHS
from generator.errors import Failure
from generator.matrix.bundles import ResolvedBundle
from generator.publish.closure import HashMismatch, Target, download_from_index, verify_target
from generator.publish.images.bundle_pins import module_constraints, published_versions
from generator.publish.images.contents import (
    OCI,
    ArchImage,
    ImageSet,
    Provenance,
    provenance_labels,
)
from generator.publish.images.engines import Engine, run_image_set
from generator.publish.images.tags import bundle_arch_tag, bundle_list_tag, repository_name


@dataclass(frozen=True)
class LeftOut:
    """An arch (or a whole Python) of a bundle that could not be made, and pip's reason."""

    bundle: str
    python: str
    arch: str | None  # None: no arch of this Python resolved, so no list at all
    reason: str

    def __str__(self) -> str:
        where = f"{self.arch}" if self.arch else "every arch"
        return f"warning: bundle {self.bundle} py{self.python}: {where} left out — {self.reason}"


@dataclass(frozen=True)
class BundleSources:
    """Where a bundle's wheels come from."""

    folders: tuple[Path, ...]  # this repository's wheels: the run's collected folder, wheels/
    index_url: str  # the rest: matrix.yml's index-url, else PyPI
    modules: frozenset[str]  # the matrix's modules: from `folders` only, whoever needs them


def touched_bundles(
    bundles: Iterable[ResolvedBundle], cells: Iterable[Cell]
) -> list[ResolvedBundle]:
    """The bundles a published cell may change: one of the bundle's Pythons and archs, of any
    module — a member, or a module somewhere in the closure (cffi under pynacl, markupsafe
    under an index member's jinja2), which only pip's resolution tells. An arch left out
    for want of a module's wheel thus joins the list once that wheel is published."""
    cells = list(cells)
    return [
        bundle
        for bundle in bundles
        if any(cell.python in bundle.pythons and cell.arch in bundle.archs for cell in cells)
    ]


def gather_arch(
    bundle: ResolvedBundle, python: str, arch: str, sources: BundleSources, into: Path
) -> tuple[Path, ...]:
    """The bundle's wheels for one Python and arch, downloaded into `into` and verified."""
    target = Target(
        f"bundle {bundle.name} (python {python}, {arch})", bundle.requirements, python, arch
    )
    into.mkdir(parents=True)
    pins = module_constraints(
        sources.modules, bundle.requirements, published_versions(sources.folders, python, arch)
    )
    constraints = into.with_name(f"{into.name}-constraints.txt")
    constraints.write_text("".join(f"{line}\n" for line in pins), encoding="utf-8")
    wheels = download_from_index(target, into, sources.folders, sources.index_url, constraints)
    verify_target(target, into)
    return tuple(sorted(wheels, key=lambda path: path.name))


def bundle_image_set(
    bundle: ResolvedBundle,
    python: str,
    wheels: dict[str, tuple[Path, ...]],
    repository: str,
    provenance: Provenance,
) -> ImageSet:
    """One image per arch of `wheels` (arch → its wheels) and the list over them."""
    repository = repository_name(repository)
    images = tuple(
        _arch_image(bundle, python, arch, files, repository, provenance)
        for arch, files in wheels.items()
    )
    platforms = ", ".join(image.arch.docker_platform for image in images)
    annotations = provenance_labels(provenance) | {
        OCI + "title": f"bundle {bundle.name} wheels, CPython {python}",
        OCI + "description": f"musllinux wheels of {', '.join(bundle.requirements)} and their "
        f"dependencies for CPython {python} on {platforms}; `COPY --from=<this image> / "
        "/wheels/` picks the platform's wheels",
    }
    return ImageSet(
        repository=repository,
        subject={"bundle": bundle.name, "python": python},
        images=images,
        list_reference=f"{repository}:{bundle_list_tag(bundle.name, python)}",
        moving_reference=None,  # the list itself moves: a bundle has no version
        provenance=provenance,
        annotations=annotations,
    )


def publish_bundle(
    bundle: ResolvedBundle,
    sources: BundleSources,
    repository: str,
    provenance: Provenance,
    engine: Engine,
    *,
    log: Callable[[str], None],
    pushed_digests: dict[str, str],
) -> tuple[list[str], list[LeftOut]]:
    """Every Python's images of the bundle; an arch where its members do not all have
    wheels is left out (reported), as a family lists only archs with wheels. A file that
    fails its sha256 check stops everything (HashMismatch)."""
    made: list[str] = []
    left_out: list[LeftOut] = []
    for python in bundle.pythons:
        with tempfile.TemporaryDirectory(prefix="bundle-") as scratch:
            wheels: dict[str, tuple[Path, ...]] = {}
            for arch in bundle.archs:
                try:
                    wheels[arch] = gather_arch(bundle, python, arch, sources, Path(scratch) / arch)
                except HashMismatch:
                    raise
                except Failure as failure:
                    left_out.append(LeftOut(bundle.name, python, arch, str(failure)))
            if not wheels:
                left_out.append(LeftOut(bundle.name, python, None, "no arch resolved"))
                continue
            plan = bundle_image_set(bundle, python, wheels, repository, provenance)
            made += run_image_set(plan, engine, log=log, pushed_digests=pushed_digests)
    return made, left_out


def _arch_image(
    bundle: ResolvedBundle,
    python: str,
    arch_name: str,
    wheels: tuple[Path, ...],
    repository: str,
    provenance: Provenance,
) -> ArchImage:
    arch = ARCHS[arch_name]
    tag = bundle_arch_tag(bundle.name, python, arch)
    labels = provenance_labels(provenance) | {
        OCI + "title": f"bundle {bundle.name} wheels, CPython {python}, {arch.docker_platform}",
        OCI + "description": f"musllinux wheels of {', '.join(bundle.requirements)} for CPython "
        f"{python} on {arch.docker_platform} ({arch.name}): "
        + " ".join(wheel.name for wheel in wheels),
    }
    return ArchImage(arch, tag, f"{repository}:{tag}", wheels, labels)
