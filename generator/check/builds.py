"""For a distribution pip found no wheel of: which release pip on Alpine would build, and why.

pip without `--only-binary` takes the newest release that matches and allows the Python; when
none of them has a wheel for the target it builds that release from its sdist. The reasons
say which of the gaps this is (issue 12): sdist only, no wheel for this arch/Python, and
(told from a resolved wheel, not here) only a pure fallback of a compiled project.
"""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator.check.model import Source, Target, Verdict
from generator.core.versions import python_allowed
from generator.errors import UserError
from generator.pypi.models import ProjectFiles, Release

SDIST_ONLY = "sdist only: the release has no wheel at all"
PURE_FALLBACK = "only a pure fallback (py3-none-any) of a compiled project"
NO_SDIST = "no wheel for this target and no .tar.gz sdist: it cannot be built"


def no_wheel(target: Target) -> str:
    return f"no wheel for {target.describe()} (wheels for other platforms only)"


def build_verdict(requirement: Requirement, files: ProjectFiles, target: Target) -> Verdict:
    """The release pip would build for `requirement` on `target` (or why none can be)."""
    release = _newest(requirement, files, target)
    name = canonicalize_name(requirement.name)
    specifier = str(requirement.specifier)
    version = str(release.version)
    if release.sdist is None:
        return Verdict(name, version, Source.UNAVAILABLE, NO_SDIST, specifier=specifier)
    reason = no_wheel(target) if release.wheels else SDIST_ONLY
    return Verdict(name, version, Source.COMPILE, reason, specifier=specifier)


def _newest(requirement: Requirement, files: ProjectFiles, target: Target) -> Release:
    matching = [
        release
        for version, release in sorted(files.releases().items())
        if requirement.specifier.contains(version)
        and python_allowed(release.requires_python, target.python)
    ]
    # pip takes a yanked release only when it is pinned exactly (PEP 592).
    pinned = any(spec.operator in ("==", "===") for spec in requirement.specifier)
    live = [r for r in matching if not r.yanked] or (matching if pinned else [])
    with_sdist = [r for r in live if r.sdist is not None]
    if with_sdist:
        return with_sdist[-1]
    if live:
        return live[-1]
    raise UserError(
        f"{target.label}: no release of {requirement.name} matches "
        f"'{requirement.specifier or 'any version'}' and allows Python {target.python} — "
        "check the pin (or the index: PIP_INDEX_URL)"
    )
