"""Which release pip on Alpine would build for a distribution, and why.

pip without `--only-binary` (and without `--prefer-binary`) takes the newest release that
every requirement and constraint allows and that allows the Python; when it has no wheel for
the target, pip builds it from its sdist. So a distribution needs a build both when no
release has a wheel (build_verdict) and when an older release has one but a newer allowed
one has only an sdist for the target (newer_build). The reasons say which of the gaps this
is (issue 12): sdist only, no wheel for this arch/Python, and (told from a resolved wheel,
not here) only a pure fallback of a compiled project.
"""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.check.model import Source, Target, Verdict
from generator.core.tags import installs, wheel_tags
from generator.core.versions import python_allowed
from generator.errors import UserError
from generator.pypi.models import ProjectFiles, Release

SDIST_ONLY = "sdist only: the release has no wheel at all"
PURE_FALLBACK = "only a pure fallback (py3-none-any) of a compiled project"
NO_SDIST = "no wheel for this target and no .tar.gz sdist: it cannot be built"


def no_wheel(target: Target) -> str:
    return f"no wheel for {target.describe()} (wheels for other platforms only)"


def build_verdict(
    name: str, specifier: SpecifierSet, files: ProjectFiles, target: Target
) -> Verdict:
    """The release pip would build for `name` `specifier` on `target` (or why none can be)."""
    live = candidates(specifier, files, target)
    with_sdist = [r for r in live if r.sdist is not None]
    if with_sdist:
        return _verdict(name, specifier, with_sdist[-1], target)
    if live:
        return _verdict(name, specifier, live[-1], target)
    raise UserError(
        f"{target.label}: no release of {name} matches '{specifier or 'any version'}' and "
        f"allows Python {target.python} — check the pin (or the index: PIP_INDEX_URL)"
    )


def newer_build(
    name: str, specifier: SpecifierSet, files: ProjectFiles, target: Target, than: Version
) -> Verdict | None:
    """The newest release after `than` that `specifier` allows and pip on Alpine would
    build (an sdist, no wheel for the target), or None: a binary-only resolution passes
    such a release by for an older wheel, pip on Alpine does not."""
    builds = [
        release
        for release in candidates(specifier, files, target)
        if release.version > than and release.sdist is not None and not has_wheel(release, target)
    ]
    return _verdict(name, specifier, builds[-1], target) if builds else None


def candidates(specifier: SpecifierSet, files: ProjectFiles, target: Target) -> list[Release]:
    """The releases pip may choose for `specifier` on `target`, oldest first."""
    matching = [
        release
        for version, release in sorted(files.releases().items())
        if specifier.contains(version) and python_allowed(release.requires_python, target.python)
    ]
    # pip takes a yanked release only when it is pinned exactly (PEP 592).
    live = [r for r in matching if not r.yanked]
    return live or (matching if pinned(specifier) else [])


def pinned(specifier: SpecifierSet) -> bool:
    """An exact pin, as pip tells one (`==1.2`, `===1.2`; not `==1.*`)."""
    return any(
        spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*"))
        for spec in specifier
    )


def has_wheel(release: Release, target: Target) -> bool:
    """A wheel of the release installs on the target (pure ones too)."""
    return any(
        installs(wheel_tags(wheel.filename), target.python, target.arch) for wheel in release.wheels
    )


def _verdict(name: str, specifier: SpecifierSet, release: Release, target: Target) -> Verdict:
    name = canonicalize_name(name)
    version = str(release.version)
    if release.sdist is None:
        return Verdict(name, version, Source.UNAVAILABLE, NO_SDIST, specifier=str(specifier))
    reason = no_wheel(target) if release.wheels else SDIST_ONLY
    return Verdict(name, version, Source.COMPILE, reason, specifier=str(specifier))
