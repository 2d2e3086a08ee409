"""Build and push an ImageSet with buildah or docker buildx, whichever exists.

Engines only spell commands; `run_image_set` runs them in an order that never shows a
half-made result under a public tag: every arch image is built (and pushed) first, then
the multi-arch list, then the moving `<module>-py<X.Y>` tag.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator.errors import Failure, UserError
from generator.publish.images.contents import (
    CONTAINERFILE,
    ArchImage,
    ImageSet,
    write_build_context,
)

ENGINES = ("auto", "buildah", "docker")
_CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))
_TAIL_LINES = 25
ENGINE_TIMEOUT = 1800  # seconds for one build or push of a wheels image (small COPY-only images)


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    may_fail: bool = False  # only for removing something that may not exist
    stdout_to: Path | None = None  # keep what the command prints (e.g. a digest)

    def __str__(self) -> str:
        return shlex.join(self.argv)


class Engine(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def push(self) -> bool:
        """Push to the registry, or keep the images local."""
        ...

    def arch_commands(self, image: ArchImage, context: Path, plan: ImageSet) -> list[Command]:
        """Build one arch image from `context` (and push it when the engine pushes)."""
        ...

    def list_commands(self, plan: ImageSet, digest_file: Path) -> list[Command]:
        """Assemble the multi-arch list from the arch images (and push it with its tags);
        when pushing, leave the pushed list's digest (sha256:...) in `digest_file`."""
        ...


@dataclass(frozen=True)
class Buildah:
    """buildah: runs as root or rootless, no daemon; COPY-only builds need no runtime."""

    executable: str
    push: bool
    tls_verify: bool = True
    storage_driver: str | None = None  # None: buildah's own configuration decides
    name: str = "buildah"

    def arch_commands(self, image: ArchImage, context: Path, plan: ImageSet) -> list[Command]:
        build = self._buildah(
            "bud",
            "--format",
            "oci",
            "--platform",
            image.arch.docker_platform,
            # --timestamp fixes the image and file times: same wheels, same image digest.
            "--timestamp",
            str(plan.provenance.created),
            "--identity-label=false",
            *_pairs("--label", image.labels),
            *_pairs("--annotation", image.labels),
            "--file",
            str(context / CONTAINERFILE),
            "--tag",
            image.reference,
            str(context),
        )
        if not self.push:
            return [build]
        return [
            build,
            self._buildah(
                "push", *self._tls(), "--quiet", image.reference, f"docker://{image.reference}"
            ),
        ]

    def list_commands(self, plan: ImageSet, digest_file: Path) -> list[Command]:
        listed = plan.list_reference
        commands = [
            # A rerun replaces the local list instead of failing on "name already in use".
            Command(self._buildah("manifest", "rm", listed).argv, may_fail=True),
            self._buildah("manifest", "create", listed),
        ]
        commands += [
            self._buildah("manifest", "add", listed, f"containers-storage:{image.reference}")
            for image in plan.images
        ]
        if self.push:
            targets = [listed] + ([plan.moving_reference] if plan.moving_reference else [])
            commands += [
                self._buildah(
                    "manifest",
                    "push",
                    "--all",
                    *self._tls(),
                    "--quiet",
                    "--digestfile",
                    str(digest_file),
                    listed,
                    f"docker://{target}",
                )
                for target in targets
            ]
        return commands

    def _buildah(self, *args: str) -> Command:
        driver = ("--storage-driver", self.storage_driver) if self.storage_driver else ()
        return Command((self.executable, *driver, *args))

    def _tls(self) -> tuple[str, ...]:
        return () if self.tls_verify else ("--tls-verify=false",)


@dataclass(frozen=True)
class DockerBuildx:
    """docker buildx (the workflow's engine): a builder from docker/setup-buildx-action
    pushes OCI images with annotations; no QEMU is needed for COPY-only builds."""

    executable: str
    push: bool
    name: str = "docker"

    def arch_commands(self, image: ArchImage, context: Path, plan: ImageSet) -> list[Command]:
        if self.push:
            # rewrite-timestamp clamps file times to SOURCE_DATE_EPOCH: a reproducible layer.
            output = (
                f"type=image,name={image.reference},push=true,oci-mediatypes=true,"
                "rewrite-timestamp=true"
            )
            annotations = _pairs("--annotation", image.labels, prefix="manifest:")
        else:
            output, annotations = "type=docker", ()  # --load: one platform, local only
        return [
            Command(
                (
                    self.executable,
                    "buildx",
                    "build",
                    "--platform",
                    image.arch.docker_platform,
                    # No provenance/SBOM manifests: the arch tag stays one plain image; the
                    # workflow attests with actions/attest-build-provenance instead.
                    "--provenance=false",
                    "--sbom=false",
                    "--build-arg",
                    f"SOURCE_DATE_EPOCH={plan.provenance.created}",
                    *_pairs("--label", image.labels),
                    *annotations,
                    "--file",
                    str(context / CONTAINERFILE),
                    "--tag",
                    image.reference,
                    "--output",
                    output,
                    str(context),
                )
            )
        ]

    def list_commands(self, plan: ImageSet, digest_file: Path) -> list[Command]:
        if not self.push:
            return []  # docker keeps no local multi-arch lists; see run_image_set's note
        moving = ("--tag", plan.moving_reference) if plan.moving_reference else ()
        inspect = (
            self.executable,
            "buildx",
            "imagetools",
            "inspect",
            plan.list_reference,
            "--format",
            "{{json .Manifest}}",
        )
        return [
            Command(
                (
                    self.executable,
                    "buildx",
                    "imagetools",
                    "create",
                    "--tag",
                    plan.list_reference,
                    *moving,
                    *_pairs("--annotation", plan.annotations, prefix="index:"),
                    *(image.reference for image in plan.images),
                )
            ),
            Command(inspect, stdout_to=digest_file),
        ]


def choose_engine(
    wanted: str,
    *,
    push: bool,
    insecure: bool,
    storage_driver: str = "auto",
    environ: Mapping[str, str] = os.environ,
) -> Engine:
    """The engine asked for, or with "auto" buildah then docker buildx; a UserError if none."""
    path = environ.get("PATH", "")
    buildah = shutil.which("buildah", path=path)
    docker = shutil.which("docker", path=path)
    if wanted in ("auto", "buildah") and buildah:
        driver = resolve_storage_driver(storage_driver, environ)
        return Buildah(buildah, push=push, tls_verify=not insecure, storage_driver=driver)
    if wanted in ("auto", "docker") and docker and _has_buildx(docker):
        if insecure:
            raise UserError(
                "--insecure (plain-http registry) works with buildah only — docker buildx "
                "needs the registry in its builder's buildkitd.toml; use --engine buildah"
            )
        return DockerBuildx(docker, push=push)
    raise UserError(_no_engine_message(wanted, buildah, docker))


def resolve_storage_driver(option: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """`auto`: vfs inside a container (overlay on overlay fails there; these images are one
    small layer, so vfs costs nothing), unless the user configured storage themselves."""
    if option != "auto":
        return option
    if environ.get("STORAGE_DRIVER") or environ.get("CONTAINERS_STORAGE_CONF"):
        return None
    return "vfs" if any(marker.exists() for marker in _CONTAINER_MARKERS) else None


def run_image_set(
    plan: ImageSet,
    engine: Engine,
    log: Callable[[str], None] = lambda _line: None,
    pushed_digests: dict[str, str] | None = None,
) -> list[str]:
    """Build (and push, if the engine pushes) everything; return the references made.

    With `pushed_digests`, record the pushed list's digest under its reference (what the
    workflow attests)."""
    made: list[str] = []
    with tempfile.TemporaryDirectory(prefix="image-context-") as scratch:
        for image in plan.images:
            context = write_build_context(image, Path(scratch) / image.arch.docker_arch)
            log(f"{engine.name}: {image.reference} ({len(image.wheels)} wheels)")
            for command in engine.arch_commands(image, context, plan):
                run(command)
            made.append(image.reference)
        digest_file = Path(scratch) / "list.digest"
        list_commands = engine.list_commands(plan, digest_file)
        _log_list(plan, engine, log, assembled=bool(list_commands))
        for command in list_commands:
            run(command)
        if list_commands and engine.push and pushed_digests is not None:
            pushed_digests[plan.list_reference] = read_digest(digest_file)
    if list_commands:
        made.append(plan.list_reference)
        if plan.moving_reference and engine.push:
            made.append(plan.moving_reference)
    return made


def _log_list(
    plan: ImageSet, engine: Engine, log: Callable[[str], None], *, assembled: bool
) -> None:
    if assembled:
        log(f"{engine.name}: {plan.list_reference} → {', '.join(i.tag for i in plan.images)}")
    else:
        log(
            f"{engine.name}: no local multi-arch list without --push (push to get "
            f"{plan.list_reference})"
        )


def read_digest(digest_file: Path) -> str:
    """`sha256:<hex>` from buildah's --digestfile or docker's `imagetools inspect` JSON."""
    text = digest_file.read_text(encoding="utf-8").strip() if digest_file.exists() else ""
    digest = str(json.loads(text).get("digest", "")) if text.startswith("{") else text
    if not digest.startswith("sha256:"):
        raise Failure(f"the engine reported no digest for the pushed list (got {text[:80]!r})")
    return digest


def run(command: Command) -> None:
    """Run one engine command; on failure a Failure with the command and its output's end."""
    try:
        result = subprocess.run(
            command.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if command.stdout_to else subprocess.STDOUT,
            text=True,
            check=False,
            timeout=ENGINE_TIMEOUT,
        )
    except OSError as error:
        raise Failure(f"could not run {command.argv[0]}: {error}") from None
    except subprocess.TimeoutExpired:
        raise Failure(f"{command}\ndid not finish within {ENGINE_TIMEOUT} s — re-run it") from None
    if result.returncode != 0 and not command.may_fail:
        tail = "\n".join(
            (result.stdout + (result.stderr or "")).strip().splitlines()[-_TAIL_LINES:]
        )
        raise Failure(
            f"{command}\nexited {result.returncode}:\n{tail}\n— for a push: is the registry "
            "reachable and are you logged in (`buildah login` / `docker login`)? A plain-http "
            "registry needs --insecure"
        )
    if command.stdout_to is not None:
        command.stdout_to.write_text(result.stdout, encoding="utf-8")


def _has_buildx(docker: str) -> bool:
    try:
        probe = subprocess.run(
            [docker, "buildx", "version"], capture_output=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _no_engine_message(wanted: str, buildah: str | None, docker: str | None) -> str:
    if wanted == "buildah":
        return "--engine buildah: buildah is not on PATH — install it (apt-get install buildah)"
    found = (
        f"docker is at {docker} but has no buildx plugin (`docker buildx version` fails)"
        if docker
        else "docker is not on PATH"
    )
    if wanted == "auto":
        found = f"no container engine: buildah is not on PATH and {found}"
    else:
        found = f"--engine docker: {found}"
    return (
        f"{found} — install buildah (apt-get install buildah) or Docker with the buildx "
        "plugin; `--dry-run` shows the plan without an engine"
    )


def _pairs(flag: str, values: Mapping[str, str], prefix: str = "") -> tuple[str, ...]:
    return tuple(part for key, value in values.items() for part in (flag, f"{prefix}{key}={value}"))
