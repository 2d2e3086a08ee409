"""Resolve a module's version policy (generator.matrix.policy) against its releases on the index."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from generator.errors import UserError
from generator.matrix.model import ResolvedModule
from generator.matrix.policy import Latest, Matching, Pinned
from generator.pypi.client import VersionNotFound
from generator.pypi.models import ProjectFiles, Release


@dataclass(frozen=True)
class ResolvedVersions:
    releases: tuple[Release, ...]  # oldest first
    warnings: tuple[str, ...]


def resolve_versions(module: ResolvedModule, files: ProjectFiles) -> ResolvedVersions:
    """The releases the policy asks for. A policy never picks a yanked release, nor a
    pre-release unless the module opts in (`pre-releases: true`); a pin may, with a warning."""
    releases = files.releases()
    policy = module.policy
    if isinstance(policy, Pinned):
        return _pinned(module, releases, policy, files.index_url)
    candidates = [
        r
        for r in releases.values()
        if not r.yanked and (module.pre_releases or not r.is_prerelease)
    ]
    if isinstance(policy, Latest):
        chosen = candidates[-policy.count :]
        what = "latest" if policy.count == 1 else f"latest:{policy.count}"
    else:
        assert isinstance(policy, Matching)
        chosen = [r for r in candidates if policy.specifier.contains(r.version, prereleases=True)]
        what = str(policy.specifier)
    if not chosen:
        kind = "release" if module.pre_releases else "final (non-pre-release) release"
        raise UserError(
            f"module '{module.spelled}': no {kind} that is not yanked matches `{what}` on "
            f"{files.index_url} — widen the policy in matrix.yml or pin a version"
        )
    return ResolvedVersions(tuple(chosen), ())


def _pinned(
    module: ResolvedModule, releases: dict[Version, Release], policy: Pinned, listed_on: str
) -> ResolvedVersions:
    chosen: list[Release] = []
    warnings: list[str] = []
    for pin in policy.versions:
        release = releases.get(Version(pin))
        if release is None:
            raise VersionNotFound(module.spelled, Version(pin), listed_on)
        if release.yanked:
            reason = f" ({release.yanked_reason})" if release.yanked_reason else ""
            warnings.append(
                f"{module.spelled} {pin} is yanked on the index{reason}; it stays because "
                "matrix.yml pins it"
            )
        chosen.append(release)
    return ResolvedVersions(tuple(sorted(chosen, key=lambda r: r.version)), tuple(warnings))
