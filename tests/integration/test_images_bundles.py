"""Bundle images: with real buildah, a real Debian docker-registry on 127.0.0.1 and real
musllinux wheels from PyPI, the publish job's `images` verb pushes `bundle-<name>-py<X.Y>`
holding all the bundle's modules and their dependencies; a downstream `COPY --from` of that
one image gets every wheel of its platform (and nothing else), and pip installs the whole
bundle offline from it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.buildah import copy_from_downstream, use_own_store
from support.wheel_index import WheelIndex, serve_wheels
from support.wheels import download_wheels

from generator import cli
from generator.core.cells import Cell
from generator.errors import Failure
from generator.matrix.bundles import ResolvedBundle
from generator.publish.closure import HashMismatch
from generator.publish.images.bundles import (
    BundleSources,
    bundle_image_set,
    gather_arch,
    touched_bundles,
)
from generator.publish.images.contents import Provenance

IN_CI = os.environ.get("CI", "").lower() == "true"
needs_tools = pytest.mark.skipif(
    (shutil.which("buildah") is None or shutil.which("docker-registry") is None) and not IN_CI,
    reason="buildah or docker-registry not installed (scripts/install-system-deps)",
)
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ARCHES = ("x86_64", "aarch64")

MATRIX = """\
defaults:
  python: ["3.12"]
  arch: [x86_64, aarch64, armv7l]
modules:
  markupsafe: ["3.0.2", "3.0.3"]
  cffi: "2.0.0"
  six: "1.17.0"
bundles:
  web: [markupsafe, cffi]
  pinned:
    requirements: apps/pinned.txt
"""


def bundle(name: str = "web", members: tuple[str, ...] = ("markupsafe", "cffi")) -> ResolvedBundle:
    return ResolvedBundle(name, members, members, ("3.12",), ARCHES)


# ---------------------------------------------------------------- which bundles, which tags


def test_bundles_a_published_cell_may_change_are_rebuilt() -> None:
    """Any module's cell of a bundle's Python and arch: a dependency of a member (pycparser
    under cffi) can be a module too, and only pip's resolution says so."""
    web, other = bundle(), bundle("other", ("six",))
    dependency = [Cell("pycparser", "2.23", "3.12", "x86_64")]
    assert touched_bundles([web, other], dependency) == [web, other]
    assert touched_bundles([web, other], [Cell("cffi", "2.0.0", "3.13", "x86_64")]) == []
    assert touched_bundles([web, other], [Cell("cffi", "2.0.0", "3.12", "s390x")]) == []
    assert touched_bundles([web, other], []) == []


def test_a_bundle_list_is_tagged_by_name_and_python(tmp_path: Path) -> None:
    wheel = tmp_path / "cffi-2.0.0-cp312-cp312-musllinux_1_2_aarch64.whl"
    plan = bundle_image_set(
        bundle(), "3.12", {"aarch64": (wheel,)}, "ghcr.io/o/r", Provenance(1795219200)
    )
    assert plan.list_reference == "ghcr.io/o/r:bundle-web-py3.12"
    assert [image.reference for image in plan.images] == ["ghcr.io/o/r:bundle-web-py3.12-arm64"]
    assert plan.moving_reference is None  # the list is the moving tag
    assert plan.to_json()["bundle"] == "web"
    assert wheel.name in plan.images[0].labels["org.opencontainers.image.description"]


# ---------------------------------------------------------------- real images


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wheels/<project>/ as the repository lays them out: two markupsafe versions, cffi and
    its pure dependency pycparser, and six (a module outside the bundle)."""
    root = tmp_path_factory.mktemp("published")
    for arch in ARCHES:
        platform = f"musllinux_1_2_{arch}"
        download_wheels(root / "markupsafe", platform, "3.12", "markupsafe==3.0.3")
        download_wheels(root / "markupsafe", platform, "3.12", "markupsafe==3.0.2")
        download_wheels(root / "cffi", platform, "3.12", "cffi==2.0.0")
    download_wheels(root / "pycparser", "musllinux_1_2_x86_64", "3.12", "pycparser==2.23")
    download_wheels(root / "six", "musllinux_1_2_x86_64", "3.12", "six==1.17.0")
    return root


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[WheelIndex]:
    """An index with no project: the bundles of matrix modules need nothing from it."""
    (tmp_path / "nothing").mkdir()
    with serve_wheels(tmp_path / "nothing") as index:
        yield index


def checkout(tmp_path: Path) -> Path:
    (tmp_path / "apps").mkdir(parents=True)
    (tmp_path / "apps" / "pinned.txt").write_text("markupsafe==3.0.2\n")
    (tmp_path / "matrix.yml").write_text(MATRIX)
    return tmp_path / "matrix.yml"


def pip_installs(folder: Path, arch: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index"]
    command += ["--find-links", str(folder), "--only-binary=:all:", "--python-version", "3.12"]
    for minor in (2, 1, 0):  # as pip on Alpine: a 1_1 wheel (pyyaml's) installs too
        command += ["--platform", f"musllinux_1_{minor}_{arch}"]
    command += ["--target", str(folder.parent / "t")]
    return subprocess.run(
        [*command, *requirements], env=env, capture_output=True, text=True, timeout=300
    )


def index_of(registry: str, reference: str) -> tuple[str, dict[str, Any]]:
    path, tag = reference.removeprefix(f"{registry}/").rsplit(":", 1)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
    request = urllib.request.Request(
        f"http://{registry}/v2/{path}/manifests/{tag}", headers={"Accept": OCI_INDEX}
    )
    with opener.open(request, timeout=10) as answer:
        return answer.headers["Docker-Content-Digest"], json.loads(answer.read())


@needs_tools
def test_one_copy_from_serves_the_whole_bundle(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    published: Path,
    registry: str,
    empty_index: WheelIndex,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_own_store(monkeypatch, tmp_path / "builder")
    matrix = checkout(tmp_path / "checkout")
    collected = tmp_path / "collected"  # this run rebuilt cffi; the rest is in wheels/
    shutil.copytree(published / "cffi", collected)
    cells = [{"module": "cffi", "version": "2.0.0", "python": "3.12", "arch": a} for a in ARCHES]
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    repository = f"{registry}/musl/wheels"
    argv = ["images", "--cells", str(tmp_path / "cells.json"), "--collected", str(collected)]
    argv += ["--wheels", str(published), "--matrix", str(matrix), "--registry", repository]
    argv += ["--push", "--insecure", "--engine", "buildah", "--output", str(tmp_path / "subj")]
    argv += ["--index-url", empty_index.url]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()

    listed = f"{repository}:bundle-web-py3.12"
    made = out.split()
    assert {listed, f"{listed}-amd64", f"{listed}-arm64"} <= set(made)
    # cffi's cells are of every bundle's Python and archs: the one without cffi is imaged too
    assert f"{repository}:bundle-pinned-py3.12" in made
    # armv7l is in every member's matrix entry but has no wheels: left out, and said so.
    assert "warning: bundle web py3.12: armv7l left out" in err
    assert re.search(r"armv7l left out — .*module '(markupsafe|cffi)' has no wheel published", err)

    digest, index = index_of(registry, listed)
    assert sorted(m["platform"]["architecture"] for m in index["manifests"]) == ["amd64", "arm64"]
    assert f"{digest.removeprefix('sha256:')}  {listed}\n" in (tmp_path / "subj").read_text()

    for arch, platform in (("aarch64", "linux/arm64"), ("x86_64", "linux/amd64")):
        wheels = copy_from_downstream(listed, platform, tmp_path / arch)
        assert sorted(p.name for p in wheels.iterdir()) == [
            f"cffi-2.0.0-cp312-cp312-musllinux_1_2_{arch}.whl",
            f"markupsafe-3.0.3-cp312-cp312-musllinux_1_2_{arch}.whl",  # the newest, only
            "pycparser-2.23-py3-none-any.whl",  # cffi's dependency
        ]  # and not six: it is no member's dependency
        done = pip_installs(wheels, arch, "markupsafe", "cffi")
        assert done.returncode == 0, done.stdout + done.stderr
        other = "x86_64" if arch == "aarch64" else "aarch64"
        assert pip_installs(wheels, other, "cffi").returncode != 0  # the check can fail


@needs_tools
def test_a_requirements_pin_chooses_the_version(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    published: Path,
    registry: str,
    empty_index: WheelIndex,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_own_store(monkeypatch, tmp_path / "builder")
    matrix = checkout(tmp_path / "checkout")
    cells = [{"module": "markupsafe", "version": "3.0.2", "python": "3.12", "arch": "aarch64"}]
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    repository = f"{registry}/musl/wheels"
    argv = ["images", "--cells", str(tmp_path / "cells.json"), "--collected", str(published)]
    argv += ["--wheels", str(published), "--matrix", str(matrix), "--registry", repository]
    argv += ["--index-url", empty_index.url]
    assert cli.main([*argv, "--push", "--insecure", "--engine", "buildah"]) == 0
    assert f"{repository}:bundle-pinned-py3.12" in capsys.readouterr().out.split()
    wheels = copy_from_downstream(
        f"{repository}:bundle-pinned-py3.12", "linux/arm64", tmp_path / "down"
    )
    assert [p.name for p in wheels.iterdir()] == [
        "MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_aarch64.whl"
    ]


def test_the_offline_check_names_a_missing_dependency(tmp_path: Path, published: Path) -> None:
    """The check every bundle arch passes before it is imaged: all members install together
    from the folder alone (here cffi's dependency pycparser is missing)."""
    from generator.publish.closure import Target, verify_target

    folder = tmp_path / "arm"
    folder.mkdir()
    for wheel in (published / "cffi").glob("*aarch64.whl"):
        shutil.copy(wheel, folder)
    target = Target("bundle web (python 3.12, aarch64)", ("cffi",), "3.12", "aarch64")
    with pytest.raises(Failure, match=r"bundle web .* no compatible wheel for 'pycparser'"):
        verify_target(target, folder)
    shutil.copy(next((published / "pycparser").glob("*.whl")), folder)
    verify_target(target, folder)  # complete now


# ---------------------------------------------------------------- an application's closure

APP_MATRIX = """\
defaults:
  python: ["3.12"]
  arch: [x86_64, aarch64]
modules:
  markupsafe: "3.0.2"
bundles:
  app:
    requirements: apps/app.txt
"""


@pytest.fixture(scope="module")
def app_wheels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheels/ of this repository, the index's files): the repository published markupsafe
    3.0.2; the index has jinja2 (pure, needs markupsafe), a newer markupsafe (3.0.3) and
    pyyaml for x86_64 only (its real musl wheel is tagged musllinux_1_1)."""
    repository = tmp_path_factory.mktemp("repository")
    index = tmp_path_factory.mktemp("index")
    for arch in ARCHES:
        download_wheels(
            repository / "markupsafe", f"musllinux_1_2_{arch}", "3.12", "markupsafe==3.0.2"
        )
        download_wheels(index, f"musllinux_1_2_{arch}", "3.12", "markupsafe==3.0.3")
    download_wheels(index, "musllinux_1_1_x86_64", "3.12", "pyyaml==6.0.2")
    download_wheels(index, "musllinux_1_2_x86_64", "3.12", "jinja2==3.1.6")
    return repository, index


def app_checkout(root: Path, requirements: str) -> Path:
    (root / "apps").mkdir(parents=True)
    (root / "apps" / "app.txt").write_text(requirements)
    (root / "matrix.yml").write_text(APP_MATRIX)
    return root / "matrix.yml"


@needs_tools
def test_an_application_bundle_takes_the_rest_of_its_closure_from_the_index(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_wheels: tuple[Path, Path],
    registry: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """jinja2 and pyyaml are no modules: they come from the index (a 127.0.0.1 server), the
    module markupsafe from this repository at its published 3.0.2, although the index offers
    3.0.3; aarch64, where pyyaml would compile, is left out and the warning names pyyaml.
    `--bundle app` images it with no member among the cells (markupsafe is only jinja2's)."""
    use_own_store(monkeypatch, tmp_path / "builder")
    repository_wheels, index_files = app_wheels
    matrix = app_checkout(tmp_path / "checkout", "jinja2\npyyaml  # the config loader\n")
    (tmp_path / "cells.json").write_text("[]")
    (tmp_path / "collected").mkdir()
    repository = f"{registry}/musl/wheels"
    argv = ["images", "--cells", str(tmp_path / "cells.json")]
    argv += ["--collected", str(tmp_path / "collected"), "--wheels", str(repository_wheels)]
    argv += ["--matrix", str(matrix), "--registry", repository, "--bundle", "app"]
    with serve_wheels(index_files) as index:
        argv += ["--index-url", index.url, "--push", "--insecure", "--engine", "buildah"]
        assert cli.main(argv) == 0
        requested = list(index.requested)
    out, err = capsys.readouterr()
    listed = f"{repository}:bundle-app-py3.12"
    assert {listed, f"{listed}-amd64"} <= set(out.split())
    assert f"{listed}-arm64" not in out
    assert "warning: bundle app py3.12: aarch64 left out" in err
    assert "no compatible wheel for 'pyyaml'" in err
    assert not any("markupsafe-3.0.3" in path for path in requested)  # never downloaded

    _digest, index_json = index_of(registry, listed)
    assert [m["platform"]["architecture"] for m in index_json["manifests"]] == ["amd64"]
    wheels = copy_from_downstream(listed, "linux/amd64", tmp_path / "down")
    assert sorted(p.name for p in wheels.iterdir()) == [
        "MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_x86_64.whl",  # this repository's
        "PyYAML-6.0.2-cp312-cp312-musllinux_1_1_x86_64.whl",  # the index's, a 1_1 wheel
        "jinja2-3.1.6-py3-none-any.whl",
    ]
    done = pip_installs(wheels, "x86_64", "jinja2", "pyyaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_name_neither_module_nor_on_the_index_is_located(
    tmp_path: Path, app_wheels: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """validate cannot know (it stays offline); images asks the index before it builds
    anything, and points at the requirements file's line."""
    matrix = app_checkout(tmp_path / "checkout", "jinja2\nmarkupsafee\n")
    (tmp_path / "cells.json").write_text("[]")
    (tmp_path / "collected").mkdir()
    argv = ["images", "--cells", str(tmp_path / "cells.json"), "--collected"]
    argv += [str(tmp_path / "collected"), "--matrix", str(matrix), "--bundle", "app"]
    argv += ["--registry", "127.0.0.1:9/none", "--engine", "buildah"]
    with serve_wheels(app_wheels[1]) as index:
        assert cli.main([*argv, "--index-url", index.url]) == 2
    err = capsys.readouterr().err
    shown = tmp_path / "checkout" / "apps" / "app.txt"
    assert err.startswith(
        f"error: {shown}:2:1: bundle 'app': 'markupsafee' is neither a module of this matrix nor "
        f"a project on {index.url} — did you mean 'markupsafe'? fix the name"
    ), err


def sources(repository_wheels: Path, index: WheelIndex) -> BundleSources:
    return BundleSources((repository_wheels,), index.url, frozenset({"markupsafe"}))


def test_a_download_is_checked_against_the_index_sha256(
    tmp_path: Path, app_wheels: tuple[Path, Path]
) -> None:
    app = ResolvedBundle("app", ("jinja2",), ("jinja2",), ("3.12",), ("x86_64",))
    with serve_wheels(app_wheels[1]) as index:
        gather_arch(app, "3.12", "x86_64", sources(app_wheels[0], index), tmp_path / "good")
        index.announced["jinja2-3.1.6-py3-none-any.whl"] = "0" * 64
        with pytest.raises(HashMismatch, match="does not have the sha256 the index gives"):
            gather_arch(app, "3.12", "x86_64", sources(app_wheels[0], index), tmp_path / "bad")


def test_a_module_is_never_taken_from_the_index(
    tmp_path: Path, app_wheels: tuple[Path, Path]
) -> None:
    """The index has markupsafe 3.0.3; this repository published 3.0.2 only, so a bundle
    asking for 3.0.3 cannot have it: the arch would need a build here."""
    app = ResolvedBundle("app", ("markupsafe>=3.0.3",), ("markupsafe",), ("3.12",), ARCHES)
    unpublished = "module 'markupsafe' has no wheel published here"
    with serve_wheels(app_wheels[1]) as index, pytest.raises(Failure, match=unpublished):
        gather_arch(app, "3.12", "aarch64", sources(app_wheels[0], index), tmp_path / "a")
