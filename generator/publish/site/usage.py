"""How a person uses one family's (or bundle's) image: its references and the lines to paste.

The lines are README "Use the wheels" for one module version, with the tags of
generator.publish.images.tags, so the catalog never shows a tag the images verb would not push:

    COPY --from=ghcr.io/owner/repo:markupsafe3.0.3-py3.12 / /wheels/
    RUN pip install --no-index --find-links /wheels markupsafe==3.0.3 && rm -rf /wheels

and for a bundle, its members as its requirements say them (shell-quoted: `'django>=5.2'`):

    COPY --from=ghcr.io/owner/repo:bundle-web-py3.12 / /wheels/
    RUN pip install --no-index --find-links /wheels jinja2 'django>=5.2' && rm -rf /wheels
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from generator.core.cells import Family
from generator.core.platforms import Arch
from generator.publish.images.tags import (
    arch_tag,
    bundle_arch_tag,
    bundle_list_tag,
    image_family,
    list_tag,
    moving_tag,
)


@dataclass(frozen=True)
class ImageUsage:
    list_reference: str  # the multi-arch list: COPY --from picks the platform
    arch_references: tuple[tuple[Arch, str], ...]
    moving_reference: str | None  # only for the newest version of the module for this Python
    copy_line: str
    pip_line: str


def image_usage(
    family: Family, archs: Sequence[Arch], repository: str, *, latest: bool
) -> ImageUsage:
    """The family's image references and lines; UserError when its module or version cannot
    be an image tag (then no image of it exists)."""
    normal = image_family(family.module, family.version, family.python)
    listed = f"{repository}:{list_tag(normal)}"
    return ImageUsage(
        list_reference=listed,
        arch_references=tuple((arch, f"{repository}:{arch_tag(normal, arch)}") for arch in archs),
        moving_reference=f"{repository}:{moving_tag(normal)}" if latest else None,
        copy_line=f"COPY --from={listed} / /wheels/",
        pip_line=(
            f"RUN pip install --no-index --find-links /wheels {normal.module}=={normal.version}"
            " && rm -rf /wheels"
        ),
    )


def bundle_usage(
    name: str, python: str, requirements: Sequence[str], archs: Sequence[Arch], repository: str
) -> ImageUsage:
    """The bundle image's references and lines for one Python (a bundle has no version: its
    list is the moving tag); UserError when its name cannot be an image tag."""
    listed = f"{repository}:{bundle_list_tag(name, python)}"
    members = " ".join(shlex.quote(requirement) for requirement in requirements)
    return ImageUsage(
        list_reference=listed,
        arch_references=tuple(
            (arch, f"{repository}:{bundle_arch_tag(name, python, arch)}") for arch in archs
        ),
        moving_reference=None,
        copy_line=f"COPY --from={listed} / /wheels/",
        pip_line=f"RUN pip install --no-index --find-links /wheels {members} && rm -rf /wheels",
    )
