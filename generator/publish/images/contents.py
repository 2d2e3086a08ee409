"""The images of one family (module × version × python): which wheels go into which
`FROM scratch` image, under which tags, labels and platforms. Pure data — `engines` turns it
into buildah or docker buildx commands, so the workflow (docker) and a workstation (buildah)
build the same thing.

Each arch image holds the cell's wheels at `/` in one layer, so a downstream
`COPY --from=IMG / /wheels/` gets exactly the wheels and nothing else.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.core.cells import Family
from generator.core.platforms import Arch
from generator.core.tags import cell_tags
from generator.core.wheels import WheelName, parse_wheel_name, sha256_of_file
from generator.errors import UserError
from generator.fileio import path_under
from generator.publish.images.tags import arch_tag, list_tag, moving_tag, repository_name

CONTAINERFILE = "Containerfile"
OCI = "org.opencontainers.image."


@dataclass(frozen=True)
class Provenance:
    """Where the images come from; source and revision are omitted when unknown."""

    created: int  # epoch seconds; also the timestamp of the image and of its files
    source: str | None = None  # e.g. https://github.com/owner/repo
    revision: str | None = None  # the git commit that built the wheels

    @property
    def created_iso(self) -> str:
        return datetime.fromtimestamp(self.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ArchImage:
    arch: Arch
    tag: str
    reference: str  # repository:tag
    wheels: tuple[Path, ...]  # sorted by file name: the layer's content order
    labels: Mapping[str, str] = field(compare=False)


@dataclass(frozen=True)
class ImageSet:
    repository: str
    subject: Mapping[str, str]  # what the images serve: module, version, python (or bundle)
    images: tuple[ArchImage, ...]
    list_reference: str
    moving_reference: str | None  # set only for the newest version (--latest)
    provenance: Provenance
    annotations: Mapping[str, str] = field(compare=False)  # of the multi-arch list

    def to_json(self) -> dict[str, Any]:
        """What the verb prints for the workflow and for people (`--dry-run --json`)."""
        return {
            "repository": self.repository,
            **self.subject,
            "list": self.list_reference,
            "moving": self.moving_reference,
            "platforms": [image.arch.docker_platform for image in self.images],
            "images": [
                {
                    "arch": image.arch.name,
                    "platform": image.arch.docker_platform,
                    "tag": image.tag,
                    "reference": image.reference,
                    "wheels": [wheel.name for wheel in image.wheels],
                    "labels": dict(image.labels),
                }
                for image in self.images
            ],
            "annotations": dict(self.annotations),
        }


def image_set(
    family: Family,
    arches: Sequence[Arch],
    wheels_dir: Path,
    repository: str,
    provenance: Provenance,
    *,
    latest: bool,
) -> ImageSet:
    """Plan one image per arch plus the multi-arch list (and the moving tag if `latest`)."""
    if not arches:
        raise UserError("no --arch given — name at least one, e.g. --arch x86_64")
    folders = dict.fromkeys(_unique(arches), wheels_dir)
    return image_set_of(family, folders, repository, provenance, latest=latest)


def image_set_of(
    family: Family,
    folders: Mapping[Arch, Path],
    repository: str,
    provenance: Provenance,
    *,
    latest: bool,
) -> ImageSet:
    """`image_set` where each arch's image takes its wheels from its own folder (that arch's
    closure: a wheel another arch's dependencies brought stays out)."""
    repository = repository_name(repository)
    wheels = {folder: find_wheels(folder) for folder in dict.fromkeys(folders.values())}
    images = tuple(
        _arch_image(family, arch, wheels[folder], folder, repository, provenance)
        for arch, folder in folders.items()
    )
    return ImageSet(
        repository=repository,
        subject={"module": family.module, "version": family.version, "python": family.python},
        images=images,
        list_reference=f"{repository}:{list_tag(family)}",
        moving_reference=f"{repository}:{moving_tag(family)}" if latest else None,
        provenance=provenance,
        annotations=_list_annotations(family, images, provenance),
    )


def find_wheels(directory: Path) -> dict[str, Path]:
    """Every `*.whl` under `directory` (any layout), by file name; a name twice must be one file."""
    if not directory.is_dir():
        raise UserError(f"--collected {directory}: no such directory — give the folder of wheels")
    found: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.whl")):
        other = found.setdefault(path.name, path)
        if other != path and sha256_of_file(other) != sha256_of_file(path):
            raise UserError(
                f"{other} and {path} have the same name but different content — an image "
                "holds its wheels in one folder; remove the stale copy"
            )
    return found


def select_wheels(
    wheels: Mapping[str, Path], family: Family, arch: Arch, where: Path
) -> tuple[Path, ...]:
    """The wheels pip could install for this family on `arch`: the module's own at its version
    (other versions of it are left out) and every other installable wheel (its dependencies)."""
    supported = cell_tags(family.python, arch.name).keys()
    chosen: list[Path] = []
    own: list[WheelName] = []
    for name in sorted(wheels):
        wheel = parse_wheel_name(name, str(wheels[name]))
        if wheel.tags.isdisjoint(supported):
            continue
        if wheel.project == family.module:
            if str(wheel.version) != family.version:
                continue
            own.append(wheel)
        chosen.append(wheels[name])
    if not own:
        raise UserError(
            f"{where}: no {family.module} {family.version} wheel installable on CPython "
            f"{family.python} musllinux {arch.name} — build or collect it first, or drop "
            f"--arch {arch.name}"
        )
    return tuple(chosen)


def provenance_from(
    created: str | None,
    source: str | None,
    revision: str | None,
    environ: Mapping[str, str] = os.environ,
) -> Provenance:
    """Fill what was not given from GitHub Actions' variables and SOURCE_DATE_EPOCH."""
    if source is None and environ.get("GITHUB_SERVER_URL") and environ.get("GITHUB_REPOSITORY"):
        source = f"{environ['GITHUB_SERVER_URL']}/{environ['GITHUB_REPOSITORY']}"
    revision = revision or environ.get("GITHUB_SHA") or None
    return Provenance(_epoch(created or environ.get("SOURCE_DATE_EPOCH")), source, revision)


def default_repository(environ: Mapping[str, str] = os.environ) -> str | None:
    """ghcr.io/<owner>/<repo> inside GitHub Actions (GHCR wants it lowercase)."""
    repository = environ.get("GITHUB_REPOSITORY")
    return f"ghcr.io/{repository.lower()}" if repository else None


def write_build_context(image: ArchImage, directory: Path) -> Path:
    """A build context holding only this image's wheels (mode 0644) and its Containerfile."""
    directory.mkdir(parents=True)
    for wheel in image.wheels:
        target = path_under(directory, wheel.name)
        shutil.copyfile(wheel, target)
        target.chmod(0o644)  # the same file mode whatever the umask of the collecting job
    (directory / CONTAINERFILE).write_text(containerfile(image), encoding="utf-8")
    return directory


def containerfile(image: ArchImage) -> str:
    # One COPY of explicitly named files: one layer, in a fixed order, nothing else.
    names = ", ".join(f'"{wheel.name}"' for wheel in image.wheels)
    return f'FROM scratch\nCOPY [{names}, "/"]\n'


def _arch_image(
    family: Family,
    arch: Arch,
    wheels: Mapping[str, Path],
    where: Path,
    repository: str,
    provenance: Provenance,
) -> ArchImage:
    chosen = select_wheels(wheels, family, arch, where)
    tag = arch_tag(family, arch)
    labels = _common(family, provenance) | {
        OCI + "title": f"{family.module} {family.version} wheels, CPython {family.python}, "
        f"{arch.docker_platform}",
        OCI + "description": f"musllinux wheels of {family.module} {family.version} for CPython "
        f"{family.python} on {arch.docker_platform} ({arch.name}): "
        + " ".join(wheel.name for wheel in chosen),
    }
    return ArchImage(arch, tag, f"{repository}:{tag}", chosen, labels)


def _list_annotations(
    family: Family, images: Iterable[ArchImage], provenance: Provenance
) -> dict[str, str]:
    platforms = ", ".join(image.arch.docker_platform for image in images)
    return _common(family, provenance) | {
        OCI + "title": f"{family.module} {family.version} wheels, CPython {family.python}",
        OCI + "description": f"musllinux wheels of {family.module} {family.version} for CPython "
        f"{family.python} on {platforms}; `COPY --from=<this image> / /wheels/` picks the "
        "platform's wheels",
    }


def _common(family: Family, provenance: Provenance) -> dict[str, str]:
    return {OCI + "version": family.version} | provenance_labels(provenance)


def provenance_labels(provenance: Provenance) -> dict[str, str]:
    """The OCI labels every image carries: when it was made, and from which source."""
    labels = {OCI + "created": provenance.created_iso}
    if provenance.source:
        labels[OCI + "source"] = provenance.source
    if provenance.revision:
        labels[OCI + "revision"] = provenance.revision
    return labels


def _epoch(text: str | None) -> int:
    """Epoch seconds from `1700000000` or ISO 8601 (`2026-11-21T12:00:00Z`); now if None."""
    if text is None:
        return int(datetime.now(UTC).timestamp())
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"created time {text!r} is neither epoch seconds nor ISO 8601 — e.g. "
            "2026-11-21T12:00:00Z or 1795003200"
        ) from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _unique(arches: Iterable[Arch]) -> list[Arch]:
    # `--arch x86_64 --arch amd64` names one arch twice; build it once.
    return list(dict.fromkeys(arches))
