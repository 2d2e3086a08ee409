"""Fetch a module's sdist from the index, sha256-verified, written atomically."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.core.wheels import sha256_of_file
from generator.errors import Failure, UserError
from generator.fileio import path_under
from generator.http import download
from generator.pypi import transport
from generator.pypi.client import PyPIClient, VersionNotFound
from generator.pypi.models import DistFile


def fetch_sdist(
    client: PyPIClient, module: str, version: str, dest: Path, expected_sha256: str | None = None
) -> Path:
    """Download the .tar.gz sdist of `module` `version` into `dest`; return its path.

    `expected_sha256` (from the lock) wins over the index's own hash; both must agree.
    """
    sdist = find_sdist(client, module, version)
    sha256 = _expected_hash(sdist, expected_sha256)
    target = path_under(dest, sdist.filename)
    if target.is_file() and sha256_of_file(target) == sha256:
        return target
    # Streamed to disk, not held in memory; bounded and retried like every index answer.
    policy = client.transport.retry
    download(
        client.transport.session,
        sdist.url,
        target,
        sha256=sha256,
        limit=transport.MAX_ANSWER_BYTES,
        deadline=transport.ANSWER_DEADLINE,
        timeout=policy.timeout,
        attempts=policy.attempts,
        pause=lambda failed: policy.sleep(policy.delay(failed, None)),
    )
    return target


def find_sdist(client: PyPIClient, module: str, version: str) -> DistFile:
    try:
        wanted = Version(version)
    except InvalidVersion:
        raise UserError(f"'{version}' is not a valid version — give e.g. 6.0.2") from None
    release = client.project_files(module).releases().get(wanted)
    if release is None:
        raise VersionNotFound(module, wanted, client.index_url)
    sdist = release.sdist  # .tar.gz only: cibuildwheel cannot build zip sdists
    if sdist is None:
        other = [f.filename for f in release.files if f.is_sdist]
        if other:
            raise UserError(
                f"{module} {version} only has the sdist {other[0]}; cibuildwheel builds "
                ".tar.gz sdists only — pin another version in matrix.yml"
            )
        raise UserError(
            f"{module} {version} has no sdist on {client.index_url} — it cannot be built "
            "here; exclude it or pin another version in matrix.yml"
        )
    return sdist


def sdist_in(directory: Path, module: str, version: str) -> Path | None:
    """An sdist of `module` `version` already in `directory` (as fetched by `sdist`)."""
    if not directory.is_dir():
        return None
    for path in sorted(directory.glob("*.tar.gz")):
        name, _, rest = path.name.removesuffix(".tar.gz").rpartition("-")
        if canonicalize_name(name) == canonicalize_name(module) and _same_version(rest, version):
            return path
    return None


def _same_version(text: str, version: str) -> bool:
    try:
        return Version(text) == Version(version)
    except InvalidVersion:
        return False


def _expected_hash(sdist: DistFile, from_lock: str | None) -> str:
    if from_lock and sdist.sha256 and from_lock != sdist.sha256:
        raise Failure(
            f"{sdist.filename}: the lock says sha256 {from_lock}, the index says "
            f"{sdist.sha256} — the file was replaced upstream; run `generator update`"
        )
    sha256 = from_lock or sdist.sha256
    if not sha256:
        raise Failure(f"{sdist.url}: the index gives no sha256, so it cannot be verified")
    return sha256
