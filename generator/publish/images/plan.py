"""The plan for one image family: which wheels go into which `FROM scratch` image, under
which tags, labels and platforms. Pure data — `image_engines` turns it into buildah or
docker buildx commands, so the workflow (docker) and a workstation (buildah) build the same thing.

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

from packaging.tags import Tag, compatible_tags, cpython_tags

from generator.core.platforms import Arch
from generator.core.wheels import WheelName, parse_wheel_name, sha256_of_file
from generator.errors import UserError
from generator.publish.images.tags import ImageCell, repository_name

CONTAINERFILE = "Containerfile"
_OCI = "org.opencontainers.image."
_MUSLLINUX_MINORS = (2, 1, 0)  # a musllinux_1_2 system installs 1_2, 1_1 and 1_0 wheels


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
class ImagePlan:
    repository: str
    cell: ImageCell
    images: tuple[ArchImage, ...]
    list_reference: str
    moving_reference: str | None  # set only for the newest version (--latest)
    provenance: Provenance
    annotations: Mapping[str, str] = field(compare=False)  # of the multi-arch list

    def to_json(self) -> dict[str, Any]:
        """What the verb prints for the workflow and for people (`--dry-run --json`)."""
        return {
            "repository": self.repository,
            "module": self.cell.module,
            "version": self.cell.version,
            "python": self.cell.python,
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


def plan_images(
    cell: ImageCell,
    arches: Sequence[Arch],
    wheels_dir: Path,
    repository: str,
    provenance: Provenance,
    *,
    latest: bool,
) -> ImagePlan:
    """Plan one image per arch plus the multi-arch list (and the moving tag if `latest`)."""
    repository = repository_name(repository)
    if not arches:
        raise UserError("no --arch given — name at least one, e.g. --arch x86_64")
    wheels = find_wheels(wheels_dir)
    images = tuple(
        _arch_image(cell, arch, wheels, wheels_dir, repository, provenance)
        for arch in _unique(arches)
    )
    return ImagePlan(
        repository=repository,
        cell=cell,
        images=images,
        list_reference=f"{repository}:{cell.list_tag}",
        moving_reference=f"{repository}:{cell.moving_tag}" if latest else None,
        provenance=provenance,
        annotations=_list_annotations(cell, images, provenance),
    )


def find_wheels(directory: Path) -> dict[str, Path]:
    """Every `*.whl` under `directory` (any layout), by file name; a name twice must be one file."""
    if not directory.is_dir():
        raise UserError(f"--wheels {directory}: no such directory — give the folder of wheels")
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
    wheels: Mapping[str, Path], cell: ImageCell, arch: Arch, where: Path
) -> tuple[Path, ...]:
    """The wheels pip could install for this cell: the module's own at `cell.version` (other
    versions of it are left out) and every other installable wheel (its dependencies)."""
    supported = supported_tags(cell.python, arch)
    chosen: list[Path] = []
    own: list[WheelName] = []
    for name in sorted(wheels):
        wheel = parse_wheel_name(name, str(wheels[name]))
        if wheel.tags.isdisjoint(supported):
            continue
        if wheel.project == cell.module:
            if str(wheel.version) != cell.version:
                continue
            own.append(wheel)
        chosen.append(wheels[name])
    if not own:
        raise UserError(
            f"{where}: no {cell.module} {cell.version} wheel installable on CPython "
            f"{cell.python} musllinux {arch.name} — build or collect it first, or drop "
            f"--arch {arch.name}"
        )
    return tuple(chosen)


def supported_tags(python: str, arch: Arch) -> frozenset[Tag]:
    """The wheel tags pip accepts on musllinux_1_2 for this CPython (free-threaded: `X.Yt`)."""
    major, minor = (int(part) for part in python.rstrip("t").split("."))
    interpreter = f"cp{major}{minor}"
    abi = interpreter + ("t" if python.endswith("t") else "")
    platforms = [f"musllinux_1_{minor_}_{arch.name}" for minor_ in _MUSLLINUX_MINORS]
    tags = [
        *cpython_tags((major, minor), abis=[abi], platforms=platforms),
        *compatible_tags((major, minor), interpreter, platforms),
    ]
    return frozenset(tags)


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
        target = directory / wheel.name
        shutil.copyfile(wheel, target)
        target.chmod(0o644)  # the same file mode whatever the umask of the collecting job
    (directory / CONTAINERFILE).write_text(containerfile(image), encoding="utf-8")
    return directory


def containerfile(image: ArchImage) -> str:
    # One COPY of explicitly named files: one layer, in a fixed order, nothing else.
    names = ", ".join(f'"{wheel.name}"' for wheel in image.wheels)
    return f'FROM scratch\nCOPY [{names}, "/"]\n'


def _arch_image(
    cell: ImageCell,
    arch: Arch,
    wheels: Mapping[str, Path],
    where: Path,
    repository: str,
    provenance: Provenance,
) -> ArchImage:
    chosen = select_wheels(wheels, cell, arch, where)
    tag = cell.arch_tag(arch)
    labels = _common(cell, provenance) | {
        _OCI + "title": f"{cell.module} {cell.version} wheels, CPython {cell.python}, "
        f"{arch.docker_platform}",
        _OCI + "description": f"musllinux wheels of {cell.module} {cell.version} for CPython "
        f"{cell.python} on {arch.docker_platform} ({arch.name}): "
        + " ".join(wheel.name for wheel in chosen),
    }
    return ArchImage(arch, tag, f"{repository}:{tag}", chosen, labels)


def _list_annotations(
    cell: ImageCell, images: Iterable[ArchImage], provenance: Provenance
) -> dict[str, str]:
    platforms = ", ".join(image.arch.docker_platform for image in images)
    return _common(cell, provenance) | {
        _OCI + "title": f"{cell.module} {cell.version} wheels, CPython {cell.python}",
        _OCI + "description": f"musllinux wheels of {cell.module} {cell.version} for CPython "
        f"{cell.python} on {platforms}; `COPY --from=<this image> / /wheels/` picks the "
        "platform's wheels",
    }


def _common(cell: ImageCell, provenance: Provenance) -> dict[str, str]:
    labels = {_OCI + "version": cell.version, _OCI + "created": provenance.created_iso}
    if provenance.source:
        labels[_OCI + "source"] = provenance.source
    if provenance.revision:
        labels[_OCI + "revision"] = provenance.revision
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
