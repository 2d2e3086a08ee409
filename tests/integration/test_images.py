"""The scratch wheel images: tag grammar, wheel selection, engine choice, and — with real
buildah, a real Debian docker-registry on 127.0.0.1 and real musllinux wheels from PyPI —
push per-arch images plus a multi-arch list, then a downstream `COPY --from` build per
platform that must receive exactly that platform's wheels, which pip must then resolve offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from support.buildah import buildah, buildah_storage, copy_from_downstream, use_own_store
from support.cli import run_generator
from support.wheels import download_wheels

from generator import cli
from generator.core.platforms import ARCHS
from generator.errors import UserError
from generator.publish.images.contents import (
    ImageSet,
    Provenance,
    find_wheels,
    image_set,
    select_wheels,
)
from generator.publish.images.engines import Buildah, DockerBuildx, choose_engine
from generator.publish.images.tags import (
    arch_named,
    arch_tag,
    image_family,
    list_tag,
    moving_tag,
    repository_name,
)

MODULE_VERSION = "3.0.3"  # the image under test
OLD_VERSION = "3.0.2"  # also in the wheels folder: must stay out of the 3.0.3 images
DOWNLOAD_ARCHES = ("x86_64", "aarch64")
CREATED = "2026-11-21T00:00:00Z"

# A workstation without them skips; CI (CI=true) installs them, so there they must run:
# a missing tool then fails the tests instead of passing them silently.
IN_CI = os.environ.get("CI", "").lower() == "true"
needs_buildah = pytest.mark.skipif(
    shutil.which("buildah") is None and not IN_CI,
    reason="buildah not installed (scripts/install-system-deps)",
)
needs_registry = pytest.mark.skipif(
    shutil.which("docker-registry") is None and not IN_CI,
    reason="docker-registry not installed (scripts/install-system-deps)",
)


# ---------------------------------------------------------------- helpers


def run_image(*args: str) -> int:
    """The image verb through the real CLI entry, in this process."""
    return cli.main(["image", *args])


def touch_wheels(directory: Path, *names: str) -> Path:
    # Selection reads only file names; empty files with real names are enough there.
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_bytes(b"")
    return directory


def pip_offline_env() -> dict[str, str]:
    # No pip.conf and no PIP_FIND_LINKS: a machine-wide find-links could satisfy pip by itself.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def http_get(url: str, accept: str = "application/json") -> tuple[dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
    request = urllib.request.Request(url, headers={"Accept": accept})
    with opener.open(request, timeout=10) as response:
        return dict(response.headers), response.read()


# ---------------------------------------------------------------- tag grammar


def test_tags_follow_the_documented_grammar() -> None:
    cell = image_family("MarkupSafe", "3.0.2", "3.12")
    assert list_tag(cell) == "markupsafe3.0.2-py3.12"
    assert moving_tag(cell) == "markupsafe-py3.12"
    assert arch_tag(cell, ARCHS["aarch64"]) == "markupsafe3.0.2-py3.12-arm64"
    assert arch_tag(cell, ARCHS["armv7l"]) == "markupsafe3.0.2-py3.12-armv7"


def test_names_versions_and_free_threaded_python_are_normalised() -> None:
    cell = image_family("Zope.Interface__Extra", "1.0RC1", "3.14t")
    assert list_tag(cell) == "zope-interface-extra1.0rc1-py3.14t"
    assert image_family("a", "1", "3.09").python == "3.9"


@pytest.mark.parametrize(
    ("arch", "docker_arch", "platform"),
    [
        ("x86_64", "amd64", "linux/amd64"),
        ("aarch64", "arm64", "linux/arm64"),
        ("armv7l", "armv7", "linux/arm/v7"),
        ("i686", "386", "linux/386"),
        ("ppc64le", "ppc64le", "linux/ppc64le"),
        ("s390x", "s390x", "linux/s390x"),
        ("riscv64", "riscv64", "linux/riscv64"),
    ],
)
def test_every_arch_has_dockers_spelling(arch: str, docker_arch: str, platform: str) -> None:
    for spelling in (arch, docker_arch, platform):
        found = arch_named(spelling)
        assert (found.name, found.docker_arch, found.docker_platform) == (
            arch,
            docker_arch,
            platform,
        )


@pytest.mark.parametrize(
    ("module", "version", "python", "message"),
    [
        ("Foo Bar", "1.0", "3.12", "not a valid project name"),
        ("-foo", "1.0", "3.12", "not a valid project name"),
        ("", "1.0", "3.12", "not a valid project name"),
        ("foo", "banana", "3.12", "not a PEP 440 version"),
        ("foo", "1.0+local", "3.12", "local part"),
        ("foo", "1.0", "2.7", "not a CPython version"),
        ("foo", "1.0", "3.12.1", "not a CPython version"),
        ("foo", "1.0", "312", "not a CPython version"),
        ("x" * 120, "1.0", "3.12", "at most 128 characters"),
    ],
)
def test_bad_coordinates_are_explained(
    module: str, version: str, python: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        image_family(module, version, python)


def test_unknown_arch_lists_the_known_ones() -> None:
    with pytest.raises(UserError, match=r"unknown arch 'sparc64'.*aarch64 \(arm64\)"):
        arch_named("sparc64")


@pytest.mark.parametrize("registry", ["ghcr.io", "ghcr.io/Owner/repo", "ghcr.io/a//b", "/a/b"])
def test_bad_registry_is_explained(registry: str) -> None:
    with pytest.raises(UserError, match="HOST"):
        repository_name(registry)


def test_good_registries_pass() -> None:
    for registry in ("ghcr.io/owner/repo", "127.0.0.1:5000/musl/wheels", "quay.io/a-b/c_d.e"):
        assert repository_name(registry) == registry


# ---------------------------------------------------------------- wheel selection


SELECTION_WHEELS = (
    "foo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
    "foo-1.0-cp312-cp312-musllinux_1_2_aarch64.whl",
    "foo-0.9-cp312-cp312-musllinux_1_2_x86_64.whl",  # another version of the module
    "foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl",  # another python
    "foo-1.0-cp314-cp314t-musllinux_1_2_x86_64.whl",  # free-threaded
    "foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",  # glibc: never on musl
    "dep-2.0-py3-none-any.whl",  # pure dependency: every arch
    "lib-1.0-cp38-abi3-musllinux_1_1_x86_64.whl",  # stable ABI, older musllinux
)


def selected(tmp_path: Path, python: str, arch: str) -> list[str]:
    folder = touch_wheels(tmp_path / "w", *SELECTION_WHEELS)
    cell = image_family("Foo", "1.0", python)
    return [
        path.name for path in select_wheels(find_wheels(folder), cell, arch_named(arch), folder)
    ]


def test_selection_takes_the_installable_wheels_of_one_arch(tmp_path: Path) -> None:
    assert selected(tmp_path, "3.12", "x86_64") == [
        "dep-2.0-py3-none-any.whl",
        "foo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        "lib-1.0-cp38-abi3-musllinux_1_1_x86_64.whl",
    ]
    assert selected(tmp_path, "3.12", "arm64") == [
        "dep-2.0-py3-none-any.whl",
        "foo-1.0-cp312-cp312-musllinux_1_2_aarch64.whl",
    ]


def test_free_threaded_python_takes_no_abi3_and_no_gil_wheels(tmp_path: Path) -> None:
    assert selected(tmp_path, "3.14t", "x86_64") == [
        "dep-2.0-py3-none-any.whl",
        "foo-1.0-cp314-cp314t-musllinux_1_2_x86_64.whl",
    ]


def test_an_arch_without_the_modules_wheel_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        UserError, match=r"no foo 1\.0 wheel installable on CPython 3\.12 musllinux"
    ):
        selected(tmp_path, "3.12", "s390x")


def test_one_name_with_two_contents_is_refused(tmp_path: Path) -> None:
    name = "dep-2.0-py3-none-any.whl"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / name).write_bytes(b"one")
    (tmp_path / "b" / name).write_bytes(b"two")
    with pytest.raises(UserError, match="same name but different content"):
        find_wheels(tmp_path)


def test_a_bad_wheel_name_is_explained(tmp_path: Path) -> None:
    folder = touch_wheels(tmp_path / "w", "foo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl")
    (folder / "renamed.whl").write_bytes(b"")
    with pytest.raises(UserError, match="not a valid wheel filename"):
        selected(tmp_path, "3.12", "x86_64")


# ---------------------------------------------------------------- plan, CLI, engines


def small_plan(tmp_path: Path, latest: bool = True) -> ImageSet:
    folder = touch_wheels(tmp_path / "w", *SELECTION_WHEELS)
    provenance = Provenance(1795219200, "https://github.com/o/r", "abc123")
    arches = [arch_named("x86_64"), arch_named("aarch64"), arch_named("amd64")]
    return image_set(
        image_family("foo", "1.0", "3.12"), arches, folder, "ghcr.io/o/r", provenance, latest=latest
    )


def test_plan_names_tags_platforms_and_labels(tmp_path: Path) -> None:
    plan = small_plan(tmp_path)
    assert [image.reference for image in plan.images] == [
        "ghcr.io/o/r:foo1.0-py3.12-amd64",  # amd64 named twice, built once
        "ghcr.io/o/r:foo1.0-py3.12-arm64",
    ]
    assert plan.list_reference == "ghcr.io/o/r:foo1.0-py3.12"
    assert plan.moving_reference == "ghcr.io/o/r:foo-py3.12"
    labels = plan.images[1].labels
    assert labels["org.opencontainers.image.created"] == "2026-11-21T00:00:00Z"
    assert labels["org.opencontainers.image.source"] == "https://github.com/o/r"
    assert labels["org.opencontainers.image.revision"] == "abc123"
    assert labels["org.opencontainers.image.version"] == "1.0"
    description = labels["org.opencontainers.image.description"]
    assert "foo 1.0" in description and "CPython 3.12" in description
    assert "linux/arm64" in description and "foo-1.0-cp312-cp312-musllinux_1_2_aarch64.whl" in (
        description
    )
    assert small_plan(tmp_path / "again", latest=False).moving_reference is None


def test_dry_run_prints_the_plan_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = touch_wheels(tmp_path / "w", *SELECTION_WHEELS)
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine at all: a dry run needs none
    code = run_image(
        "--collected",
        str(folder),
        "--module",
        "foo",
        "--version",
        "1.0",
        "--python",
        "3.12",
        "--arch",
        "x86_64,aarch64",
        "--registry",
        "ghcr.io/o/r",
        "--latest",
        "--dry-run",
        "--json",
        "--created",
        "1795219200",
    )
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["list"] == "ghcr.io/o/r:foo1.0-py3.12"
    assert plan["moving"] == "ghcr.io/o/r:foo-py3.12"
    assert plan["platforms"] == ["linux/amd64", "linux/arm64"]
    assert plan["images"][1]["wheels"] == [
        "dep-2.0-py3-none-any.whl",
        "foo-1.0-cp312-cp312-musllinux_1_2_aarch64.whl",
    ]
    assert plan["made"] == [] and plan["pushed"] is False


def test_the_real_command_prints_a_plan_and_explains_bad_input(tmp_path: Path) -> None:
    folder = touch_wheels(tmp_path / "w", *SELECTION_WHEELS)
    common = (
        "image",
        "--collected",
        str(folder),
        "--version",
        "1.0",
        "--python",
        "3.14t",
        "--arch",
        "amd64",
        "--registry",
        "ghcr.io/o/r",
        "--dry-run",
    )
    done = run_generator(*common, "--module", "foo")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "ghcr.io/o/r:foo1.0-py3.14t-amd64  linux/amd64  2 wheels",
        "ghcr.io/o/r:foo1.0-py3.14t  multi-arch list",
    ]
    refused = run_generator(*common, "--module", "foo bar")
    assert refused.returncode == 2
    assert "not a valid project name" in refused.stderr and "Traceback" not in refused.stderr


def test_no_engine_is_a_clear_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Simulated: PATH is an empty folder, so neither buildah nor docker can be found.
    folder = touch_wheels(tmp_path / "w", *SELECTION_WHEELS)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code = run_image(
        "--collected",
        str(folder),
        "--module",
        "foo",
        "--version",
        "1.0",
        "--python",
        "3.12",
        "--arch",
        "x86_64",
        "--registry",
        "ghcr.io/o/r",
    )
    assert code == 2
    error = capsys.readouterr().err
    assert "no container engine" in error and "install buildah" in error
    assert "Traceback" not in error


def test_asking_for_a_missing_engine_names_it(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path)}
    with pytest.raises(UserError, match="--engine docker: docker is not on PATH"):
        choose_engine("docker", push=False, insecure=False, environ=env)
    with pytest.raises(UserError, match="--engine buildah: buildah is not on PATH"):
        choose_engine("buildah", push=False, insecure=False, environ=env)


def test_bad_arch_on_the_command_line_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_image(
        "--collected",
        str(tmp_path),
        "--module",
        "foo",
        "--version",
        "1.0",
        "--python",
        "3.12",
        "--arch",
        "sparc",
        "--registry",
        "ghcr.io/o/r",
        "--dry-run",
    )
    assert code == 2
    assert "unknown arch 'sparc'" in capsys.readouterr().err


def test_docker_buildx_commands_push_plain_images_then_one_list(tmp_path: Path) -> None:
    # Docker has no daemon on these machines: this checks the commands' shape, not a run.
    plan = small_plan(tmp_path)
    docker = DockerBuildx("docker", push=True)
    (build,) = docker.arch_commands(plan.images[1], tmp_path / "ctx", plan)
    argv = build.argv
    assert argv[:3] == ("docker", "buildx", "build")
    assert argv[argv.index("--platform") + 1] == "linux/arm64"
    assert {"--provenance=false", "--sbom=false", "SOURCE_DATE_EPOCH=1795219200"} <= set(argv)
    assert argv[argv.index("--output") + 1].startswith(
        "type=image,name=ghcr.io/o/r:foo1.0-py3.12-arm64,push=true"
    )
    digest_file = tmp_path / "digest"
    assemble, inspect = docker.list_commands(plan, digest_file)
    assert assemble.argv[:4] == ("docker", "buildx", "imagetools", "create")
    assert assemble.argv[-2:] == tuple(image.reference for image in plan.images)
    assert "ghcr.io/o/r:foo-py3.12" in assemble.argv
    assert inspect.argv[:5] == ("docker", "buildx", "imagetools", "inspect", plan.list_reference)
    assert inspect.stdout_to == digest_file
    assert DockerBuildx("docker", push=False).list_commands(plan, digest_file) == []


def test_buildah_pushes_the_list_only_after_the_arch_images(tmp_path: Path) -> None:
    plan = small_plan(tmp_path)
    buildah = Buildah("buildah", push=True, tls_verify=False, storage_driver="vfs")
    arch = [str(c) for image in plan.images for c in buildah.arch_commands(image, tmp_path, plan)]
    assembled = [str(c) for c in buildah.list_commands(plan, tmp_path / "digest")]
    assert all(command.startswith("buildah --storage-driver vfs ") for command in arch)
    assert assembled[-2].endswith("docker://ghcr.io/o/r:foo1.0-py3.12")
    assert assembled[-1].endswith("docker://ghcr.io/o/r:foo-py3.12")  # the moving tag last
    assert all("--tls-verify=false" in command for command in arch if " push " in command)


# ---------------------------------------------------------------- real images


@pytest.fixture(scope="session")
def musl_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real markupsafe musllinux wheels from PyPI, two versions, x86_64 and aarch64."""
    folder = tmp_path_factory.mktemp("musl-wheels")
    for version in (MODULE_VERSION, OLD_VERSION):
        for arch in DOWNLOAD_ARCHES:
            download_wheels(folder, f"musllinux_1_2_{arch}", "3.12", f"markupsafe=={version}")
    return folder


def pip_resolves(
    folder: Path, arch: str, version: str, target: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-index",
            "--find-links",
            str(folder),
            "--only-binary=:all:",
            "--platform",
            f"musllinux_1_2_{arch}",
            "--python-version",
            "3.12",
            "--target",
            str(target),
            f"markupsafe=={version}",
        ],
        env=pip_offline_env(),
        capture_output=True,
        text=True,
    )


def manifest(registry: str, reference: str, accept: str) -> tuple[str, dict[str, Any]]:
    repository, tag = reference.removeprefix(f"{registry}/").rsplit(":", 1)
    headers, body = http_get(f"http://{registry}/v2/{repository}/manifests/{tag}", accept)
    return headers["Docker-Content-Digest"], json.loads(body)


OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@needs_buildah
@needs_registry
def test_push_then_copy_from_picks_each_platforms_wheels(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    musl_wheels: Path,
    registry: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_own_store(monkeypatch, tmp_path / "builder")
    repository = f"{registry}/musl/wheels"
    args = (
        "--collected",
        str(musl_wheels),
        "--module",
        "MarkupSafe",
        "--version",
        MODULE_VERSION,
        "--python",
        "3.12",
        "--arch",
        "x86_64",
        "--arch",
        "arm64",
        "--registry",
        repository,
        "--push",
        "--insecure",
        "--latest",
        "--json",
        "--engine",
        "buildah",
        "--storage-driver",
        "vfs",
        "--created",
        CREATED,
        "--source",
        "https://github.com/o/python-musl-wheels",
        "--revision",
        "0123abc",
    )
    assert run_image(*args) == 0
    result = json.loads(capsys.readouterr().out)
    listed = f"{repository}:markupsafe{MODULE_VERSION}-py3.12"
    assert result["made"] == [
        f"{listed}-amd64",
        f"{listed}-arm64",
        listed,
        f"{repository}:markupsafe-py3.12",
    ]

    # The registry holds a two-platform index; the moving tag is the same index.
    list_digest, index = manifest(registry, listed, OCI_INDEX)
    platforms = {(m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"]}
    assert platforms == {("linux", "amd64"), ("linux", "arm64")}
    assert manifest(registry, f"{repository}:markupsafe-py3.12", OCI_INDEX)[0] == list_digest

    # One layer per arch image, with the OCI labels in its config and as annotations.
    arm_digest, arm = manifest(registry, f"{listed}-arm64", OCI_MANIFEST)
    assert len(arm["layers"]) == 1
    assert arm["annotations"]["org.opencontainers.image.revision"] == "0123abc"
    _, config_body = http_get(
        f"http://{registry}/v2/musl/wheels/blobs/{arm['config']['digest']}", "*/*"
    )
    config = json.loads(config_body)
    assert config["architecture"] == "arm64"
    labels = config["config"]["Labels"]
    assert labels["org.opencontainers.image.created"] == CREATED
    assert labels["org.opencontainers.image.source"] == "https://github.com/o/python-musl-wheels"
    assert (
        f"markupsafe-{MODULE_VERSION}-cp312-cp312-musllinux_1_2_aarch64.whl"
        in labels["org.opencontainers.image.description"]
    )

    # Downstream: each platform gets exactly its own wheel (not the old version, not the
    # other arch), and pip resolves the module offline from the copied folder.
    for arch, platform in (("x86_64", "linux/amd64"), ("aarch64", "linux/arm64")):
        work = tmp_path / arch
        copied = sorted(copy_from_downstream(listed, platform, work).iterdir())
        assert [path.name for path in copied] == [
            f"markupsafe-{MODULE_VERSION}-cp312-cp312-musllinux_1_2_{arch}.whl"
        ]
        resolved = pip_resolves(work / "wheels", arch, MODULE_VERSION, work / "target")
        assert resolved.returncode == 0, resolved.stdout + resolved.stderr
        other = "aarch64" if arch == "x86_64" else "x86_64"
        wrong = pip_resolves(work / "wheels", other, MODULE_VERSION, work / "target-other")
        assert wrong.returncode != 0  # the check can fail: the other arch's wheel is absent

    # Same wheels and same created time: a rebuild pushes byte-identical images.
    assert run_image(*args) == 0
    assert manifest(registry, f"{listed}-arm64", OCI_MANIFEST)[0] == arm_digest
    assert manifest(registry, listed, OCI_INDEX)[0] == list_digest


@needs_buildah
def test_without_push_the_images_stay_local(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    musl_wheels: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = buildah_storage(tmp_path / "store")
    monkeypatch.setenv("CONTAINERS_STORAGE_CONF", env["CONTAINERS_STORAGE_CONF"])
    args = (
        "--collected",
        str(musl_wheels),
        "--module",
        "markupsafe",
        "--version",
        OLD_VERSION,
        "--python",
        "3.12",
        "--arch",
        "aarch64",
        "--registry",
        "localhost/musl",
        "--engine",
        "buildah",
    )
    assert run_image(*args) == 0
    assert run_image(*args) == 0  # a rerun replaces the local list
    assert "built locally" in capsys.readouterr().out
    image = f"localhost/musl:markupsafe{OLD_VERSION}-py3.12-arm64"
    labels = json.loads(buildah(env, "inspect", "--type", "image", image))["OCIv1"]["config"][
        "Labels"
    ]
    assert labels["org.opencontainers.image.version"] == OLD_VERSION
    assert (
        "MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_aarch64.whl"
        in labels["org.opencontainers.image.description"]
    )
    listed = json.loads(
        buildah(env, "manifest", "inspect", f"localhost/musl:markupsafe{OLD_VERSION}-py3.12")
    )
    assert [m["platform"]["architecture"] for m in listed["manifests"]] == ["arm64"]


@needs_buildah
@needs_registry
def test_images_verb_publishes_each_cell_with_its_closure_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    musl_wheels: Path,
    registry: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The publish job's batch verb: a family per module × version × python, holding the
    module and its dependency closure, not the other modules in the publish folder."""
    use_own_store(monkeypatch, tmp_path / "builder")
    published = tmp_path / "published"
    shutil.copytree(musl_wheels, published)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(published),
            "six==1.17.0",
        ],
        check=True,
    )
    cells = [
        {"module": "markupsafe", "version": MODULE_VERSION, "python": "3.12", "arch": a}
        for a in DOWNLOAD_ARCHES
    ]
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    repository = f"{registry}/musl/wheels"
    assert (
        cli.main(
            [
                "images",
                "--cells",
                str(tmp_path / "cells.json"),
                "--collected",
                str(published),
                "--wheels",
                str(published),
                "--registry",
                repository,
                "--push",
                "--insecure",
                "--engine",
                "buildah",
                "--output",
                str(tmp_path / "subjects"),
            ]
        )
        == 0
    )
    listed = f"{repository}:markupsafe{MODULE_VERSION}-py3.12"
    assert sorted(capsys.readouterr().out.split()) == sorted(
        [listed, f"{listed}-amd64", f"{listed}-arm64", f"{repository}:markupsafe-py3.12"]
    )
    # The attested digest is the one the registry serves for the list.
    list_digest, _ = manifest(registry, listed, OCI_INDEX)
    subjects = (tmp_path / "subjects").read_text()
    assert subjects == f"{list_digest.removeprefix('sha256:')}  {listed}\n"
    copied = sorted(copy_from_downstream(listed, "linux/arm64", tmp_path / "downstream").iterdir())
    assert [p.name for p in copied] == [
        f"markupsafe-{MODULE_VERSION}-cp312-cp312-musllinux_1_2_aarch64.whl"
    ]


def test_moving_tag_follows_the_newest_version_for_each_python(tmp_path: Path) -> None:
    from packaging.version import Version

    from generator.publish.images.families import newest_versions

    for name in (
        "m-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        "m-1.0-cp313-cp313-musllinux_1_2_x86_64.whl",
        "m-2.0-cp313-cp313-musllinux_1_2_aarch64.whl",  # 2.0 dropped 3.12
        "n-1.0-cp39-abi3-musllinux_1_2_x86_64.whl",  # abi3 serves 3.12 and 3.13
        "n-0.9-cp314-cp314t-musllinux_1_2_x86_64.whl",
    ):
        (tmp_path / name).write_bytes(b"")
    newest = newest_versions([tmp_path, tmp_path / "absent"], ["3.12", "3.13", "3.14t"])
    assert newest == {
        ("m", "3.12"): Version("1.0"),
        ("m", "3.13"): Version("2.0"),
        ("n", "3.12"): Version("1.0"),
        ("n", "3.13"): Version("1.0"),
        ("n", "3.14t"): Version("0.9"),
    }


def test_an_arch_built_later_joins_the_published_list(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    musl_wheels: Path,
    registry: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """aarch64 was published by an earlier run (it is in wheels/); this run built only
    x86_64: the list is pushed again with both archs, and the moving tag follows."""
    use_own_store(monkeypatch, tmp_path / "builder")
    (arm,) = musl_wheels.glob(f"markupsafe-{MODULE_VERSION}-*aarch64.whl")
    (x86,) = musl_wheels.glob(f"markupsafe-{MODULE_VERSION}-*x86_64.whl")
    wheels = tmp_path / "wheels" / "markupsafe"
    wheels.mkdir(parents=True)
    shutil.copy(arm, wheels / arm.name)
    collected = tmp_path / "collected"
    collected.mkdir()
    shutil.copy(x86, collected / x86.name)
    cell = {"module": "markupsafe", "version": MODULE_VERSION, "python": "3.12", "arch": "x86_64"}
    (tmp_path / "cells.json").write_text(json.dumps([cell]))
    repository = f"{registry}/musl/wheels"
    argv = ["images", "--cells", str(tmp_path / "cells.json"), "--collected", str(collected)]
    argv += ["--wheels", str(tmp_path / "wheels"), "--registry", repository]
    assert cli.main([*argv, "--push", "--insecure", "--engine", "buildah"]) == 0
    listed = f"{repository}:markupsafe{MODULE_VERSION}-py3.12"
    assert sorted(capsys.readouterr().out.split()) == sorted(
        [listed, f"{listed}-amd64", f"{listed}-arm64", f"{repository}:markupsafe-py3.12"]
    )
    _digest, index = manifest(registry, listed, OCI_INDEX)
    platforms = sorted(m["platform"]["architecture"] for m in index["manifests"])
    assert platforms == ["amd64", "arm64"]
    copied = sorted(copy_from_downstream(listed, "linux/arm64", tmp_path / "downstream").iterdir())
    assert [p.name for p in copied] == [arm.name]
