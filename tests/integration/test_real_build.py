"""Real builds: cibuildwheel in podman, in the stand-in musllinux_1_2 image that
scripts/musllinux-image assembles (quay.io's real image cannot be pulled here; the
stand-in has no apk, C++ or Rust, so these sdists are plain C and their hook uses sh only).

Through the project's own verbs, as the workflow runs them: build → collect → images →
a downstream `COPY --from` into a real musl userland (no glibc) → pip install → import;
and a failing build next to a good one: the good cell is published, the bad one recorded,
and the next plan waits out its back-off.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cibuildwheel
import pytest
from support.c_sdist import c_extension_sdist
from support.cli import REPO

from generator import cli
from generator.commands.common import checkout_plan
from generator.core.cells import Cell, Status
from generator.core.wheels import FileRef, sha256_of_file
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion, write_lock
from generator.matrix.load import load_matrix
from generator.publish.interchange import cells_json, read_cells, read_manifest, read_records
from generator.publish.repository import wheel_relpath

IN_CI = os.environ.get("CI", "").lower() == "true"
CONTAINERS = {
    "CONTAINERS_CONF": str(REPO / "scripts" / "containers.conf"),
    "CONTAINERS_STORAGE_CONF": str(REPO / "scripts" / "storage.conf"),
}
MATRIX = """\
defaults: {python: ["3.11"], arch: [x86_64]}
modules:
  tinyext:
    versions: "0.1.0"
    before-all: hooks/tiny.sh
    environment: {TINY_PROOF: env-ok}
  brokenext: "0.1.0"
"""
HOOK = 'echo "before-all ran" > /tmp/before-all-marker\n'
WHEEL = "tinyext-0.1.0-cp311-cp311-musllinux_1_2_x86_64.whl"


@pytest.fixture(scope="session")
def standin() -> tuple[str, str]:
    """The stand-in build image and the musl runtime image (built once, cached by inputs)."""
    if os.geteuid() != 0:  # e.g. GitHub's runners, whose workflows build in the real image
        pytest.skip("assembling the stand-in image needs root (debootstrap, chroot)")
    if shutil.which("podman") is None and not IN_CI:  # CI installs it: there it must run
        pytest.skip("podman is not installed (scripts/install-system-deps)")
    done = subprocess.run(
        [str(REPO / "scripts" / "musllinux-image"), "--all"],
        capture_output=True,
        text=True,
        timeout=2700,
        env=os.environ | CONTAINERS,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    build_image, runtime_image = done.stdout.split()
    return build_image, runtime_image


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """matrix.yml, its hook and both sdists in a fresh folder; podman configured."""
    for name, value in CONTAINERS.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "project"
    (root / "hooks").mkdir(parents=True)
    (root / "matrix.yml").write_text(MATRIX)
    (root / "hooks" / "tiny.sh").write_text(HOOK)
    c_extension_sdist(root / "sdist", "tinyext", "0.1.0")
    c_extension_sdist(root / "sdist", "brokenext", "0.1.0", compiles=False)
    return root


def build(root: Path, image: str, *selection: str, output: Path) -> int:
    argv = ["build", "--matrix", str(root / "matrix.yml"), "--image", image]
    if "--container-engine" not in selection:
        argv += ["--container-engine", "podman"]
    argv += [*selection, "--sdist-dir", str(root / "sdist")]
    return cli.main([*argv, "--output-dir", str(output)])


def extension_needs(wheel: Path, scratch: Path) -> list[str]:
    """The NEEDED entries of the wheel's extension module (readelf from binutils)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".so")]
        archive.extract(name, scratch)
    dynamic = subprocess.run(
        ["readelf", "-d", str(scratch / name)], capture_output=True, text=True, timeout=60
    ).stdout
    return [line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line]


def test_a_real_build_installs_and_imports_on_musl(
    standin: tuple[str, str], project: Path, registry: str, tmp_path: Path
) -> None:
    build_image, runtime_image = standin
    wheelhouse = tmp_path / "wheelhouse"
    args = ("--module", "tinyext", "--version", "0.1.0")
    assert build(project, build_image, *args, output=wheelhouse) == 0
    wheel = wheelhouse / WHEEL
    assert wheel.is_file(), sorted(p.name for p in wheelhouse.iterdir())
    assert extension_needs(wheel, tmp_path / "unzipped") == ["libc.musl-x86_64.so.1"]
    shown = subprocess.run(
        [
            "podman",
            "run",
            "--rm",
            "-v",
            f"{wheelhouse}:/w:ro",
            build_image,
            "auditwheel",
            "show",
            f"/w/{WHEEL}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | CONTAINERS,
    )
    assert 'consistent with the following platform tag: "musllinux_1_2_x86_64"' in " ".join(
        shown.stdout.split()
    ), shown.stdout + shown.stderr
    record = json.loads((wheelhouse / "result-tinyext-0.1.0-x86_64.json").read_text())
    assert record["outcome"] == "built" and record["exit"] == 0

    # the publish job's verbs: collect, then the images, pushed to a real registry
    publish = tmp_path / "publish"
    argv = ["collect", "--built", str(wheelhouse), "--output-dir", str(publish)]
    assert cli.main([*argv, "--no-dependencies"]) == 0
    (tmp_path / "cells.json").write_text(cells_json(read_manifest(publish / "manifest.json").cells))
    repository = f"{registry}/musl/wheels"
    argv = ["images", "--cells", str(tmp_path / "cells.json"), "--collected", str(publish)]
    argv += ["--wheels", str(tmp_path / "no-wheels"), "--registry", repository]
    assert cli.main([*argv, "--push", "--insecure", "--engine", "buildah"]) == 0

    # downstream: a real musl userland copies the image's wheels and installs them offline
    context = tmp_path / "downstream"
    context.mkdir()
    (context / "Containerfile").write_text(
        f"FROM {runtime_image}\n"
        f"COPY --from={repository}:tinyext0.1.0-py3.11 / /wheels/\n"
        "RUN ! ls /lib/libc.so.6 /lib/*/libc.so.6 /usr/lib/*/libc.so.6 2>/dev/null\n"
        "RUN pip install --no-index --find-links /wheels tinyext && python -c "
        "'import tinyext; print(\"imported:\", tinyext.hook, tinyext.env, tinyext.answer())'\n"
    )
    done = subprocess.run(
        [
            "buildah",
            "bud",
            "--isolation",
            "chroot",
            "--tls-verify=false",
            "--layers=false",
            "--tag",
            "downstream-tinyext",
            str(context),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ | CONTAINERS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # the before-all hook and the environment: variable both acted inside the container
    assert "imported: before-all ran env-ok 42" in done.stdout
    subprocess.run(
        ["buildah", "rmi", "downstream-tinyext"],
        capture_output=True,
        timeout=120,
        env=os.environ | CONTAINERS,
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


def locked_build(module: str, sdist: Path) -> LockedModule:
    cell = LockedCell(Cell(module, "0.1.0", "3.11", "x86_64"), Status.BUILD)
    ref = FileRef(sdist.name, f"http://127.0.0.1:9/{sdist.name}", sha256_of_file(sdist))
    version = LockedVersion("0.1.0", ref, None, None, False, (), (cell,))
    return LockedModule(module, "0.1.0", (version,))


def test_a_failed_build_is_recorded_and_the_good_one_published(
    standin: tuple[str, str], project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_image, _ = standin
    for name, value in {
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "7",
        "GITHUB_REPOSITORY": "o/r",
    }.items():
        monkeypatch.setenv(name, value)
    lock = Lock(
        {
            m: locked_build(m, project / "sdist" / f"{m}-0.1.0.tar.gz")
            for m in ("brokenext", "tinyext")
        }
    )
    write_lock(project / "matrix.lock.json", lock)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "matrix.yml", "hooks", "matrix.lock.json")
    git(project, "commit", "-qm", "matrix")
    git(project, "push", "-q", str(remote), "main")
    git(project, "remote", "add", "origin", str(remote))

    # plan, then every job as its own runner would run it, results and wheels per job
    assert (
        cli.main(
            [
                "plan",
                "--matrix",
                str(project / "matrix.yml"),
                "--output",
                str(tmp_path / "plan.json"),
            ]
        )
        == 0
    )
    jobs = [job["id"] for job in json.loads((tmp_path / "plan.json").read_text())["jobs"]]
    assert sorted(jobs) == ["brokenext-0.1.0-x86_64", "tinyext-0.1.0-x86_64"]
    codes = {}
    for job in jobs:
        plan_job = ("--plan", str(tmp_path / "plan.json"), "--job", job)
        codes[job] = build(project, build_image, *plan_job, output=tmp_path / "artifacts" / job)
    assert codes == {"brokenext-0.1.0-x86_64": 1, "tinyext-0.1.0-x86_64": 0}
    failed = json.loads(
        (
            tmp_path / "artifacts/brokenext-0.1.0-x86_64/result-brokenext-0.1.0-x86_64.json"
        ).read_text()
    )
    assert failed["outcome"] == "failed" and failed["exit"] != 0
    assert failed["log"] == "https://github.example/o/r/actions/runs/7/attempts/1"
    assert "error" in failed["reason"].lower()

    # publish: the failed cells are recorded, the good one goes to wheels/
    exported = tmp_path / "lock-export"
    argv = ["lock-export", "--matrix", str(project / "matrix.yml"), "--plan"]
    argv += [str(tmp_path / "plan.json"), "--results", str(tmp_path / "artifacts")]
    assert cli.main([*argv, "--output-dir", str(exported)]) == 0
    assert read_cells(exported / "cells.json") == [Cell("tinyext", "0.1.0", "3.11", "x86_64")]
    records = {r.cell.module: r for r in read_records(exported / "catalog.json")}
    assert records["tinyext"].status == "built"
    assert records["brokenext"].status == "failed" and records["brokenext"].log == failed["log"]
    argv = ["collect", "--built", str(tmp_path / "artifacts"), "--cells"]
    argv += [str(exported / "cells.json"), "--fetch", str(exported / "fetch.json")]
    assert cli.main([*argv, "--output-dir", str(tmp_path / "publish"), "--no-dependencies"]) == 0
    argv = ["commit-wheels", "--collected", str(tmp_path / "publish"), "--repo", str(project)]
    assert cli.main(argv) == 0
    argv = ["commit-lock", "--lock", str(project / "matrix.lock.json"), "--failures"]
    argv += [str(exported / "matrix.failures.json"), "--repo", str(project)]
    assert cli.main(argv) == 0

    # the next run, from a fresh clone: nothing lost, the failed job waits its back-off
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(remote), str(fresh)], check=True, timeout=120)
    assert sorted(p.name for p in (fresh / "wheels").rglob("*.whl")) == [WHEEL]
    failures = json.loads((fresh / "matrix.failures.json").read_text())["modules"]
    entry = failures["brokenext"]["0.1.0"]["cp311-musllinux_x86_64"]
    assert entry["attempts"] == 1 and entry["log"] == failed["log"]
    assert "tinyext" not in failures
    again = checkout_plan(load_matrix(fresh / "matrix.yml"))
    assert again.jobs == ()  # tinyext is published, brokenext waits
    (waiting,) = again.skipped
    assert waiting.cell.module == "brokenext" and "build failed 1×" in waiting.reason


DEPENDENT_MATRIX = """\
defaults: {{python: ["3.11"], arch: [x86_64]}}
modules:
  tinydep:
    versions: "0.1.0"
    environment: {{PIP_INDEX_URL: "{index}"}}
  tinyuser:
    versions: "0.1.0"
    environment: {{PIP_INDEX_URL: "{index}"}}
"""


@pytest.fixture(scope="session")
def setuptools_only_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A simple index on 127.0.0.1 that serves setuptools (the build backend) and
    virtualenv (cibuildwheel's test environment) with their dependencies, and nothing else:
    a build requirement it lacks can only come from the repository's wheels."""
    root = tmp_path_factory.mktemp("index")
    flat = root / "downloads"
    constraints = Path(cibuildwheel.__file__).parent / "resources" / "constraints-python311.txt"
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:"]
    download += ["--python-version", "3.11", "-c", str(constraints), "--dest", str(flat)]
    subprocess.run([*download, "setuptools", "virtualenv"], check=True, timeout=600)
    for wheel in flat.glob("*.whl"):
        target = root / "wheels" / wheel_relpath(wheel.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(wheel, target)
    argv = ["index", "--wheels", str(root / "wheels"), "--output-dir", str(root / "simple")]
    assert cli.main(argv) == 0
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_build_requirement_comes_from_this_repositorys_wheels(
    standin: tuple[str, str],
    project: Path,
    setuptools_only_index: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build_image, _ = standin
    (project / "matrix.yml").write_text(DEPENDENT_MATRIX.format(index=setuptools_only_index))
    c_extension_sdist(project / "sdist", "tinydep", "0.1.0")
    user = c_extension_sdist(project / "sdist", "tinyuser", "0.1.0", needs=("tinydep",))
    modules = {"tinydep": locked_build("tinydep", project / "sdist" / "tinydep-0.1.0.tar.gz")}
    needing = locked_build("tinyuser", user)
    version = replace(
        needing.versions[0], build_requires=(("setuptools", "index"), ("tinydep", "matrix"))
    )
    modules["tinyuser"] = replace(needing, versions=(version,))
    write_lock(project / "matrix.lock.json", Lock(modules))
    # Host networking: the container's 127.0.0.1 is then the host's, where the index runs.
    engine = "podman; create_args: --network=host"

    first = checkout_plan(load_matrix(project / "matrix.yml"))
    assert [job.id for job in first.jobs] == ["tinydep-0.1.0-x86_64"]
    assert [job.id for job in first.deferred] == ["tinyuser-0.1.0-x86_64"]
    assert "waits for tinydep 0.1.0 (cp311-musllinux_x86_64), built in this run" in first.notes[0]
    (project / "plan.json").write_text(json.dumps(first.to_json()))
    argv = ["--plan", str(project / "plan.json"), "--job", "tinydep-0.1.0-x86_64"]
    assert (
        build(
            project, build_image, *argv, "--container-engine", engine, output=project / "wheelhouse"
        )
        == 0
    )
    published = project / "wheels" / "tinydep"
    published.mkdir(parents=True)
    (dep_wheel,) = (project / "wheelhouse").glob("tinydep-*.whl")
    shutil.copy(dep_wheel, published / dep_wheel.name)

    second = checkout_plan(load_matrix(project / "matrix.yml"))  # the next run
    (job,) = second.jobs
    assert job.id == "tinyuser-0.1.0-x86_64" and not second.deferred
    assert f'PIP_FIND_LINKS="/host{published.resolve()}"' in job.env["CIBW_ENVIRONMENT_LINUX"]
    (project / "plan.json").write_text(json.dumps(second.to_json()))
    capsys.readouterr()
    argv = ["--plan", str(project / "plan.json"), "--job", job.id]
    assert (
        build(
            project, build_image, *argv, "--container-engine", engine, output=project / "wheelhouse"
        )
        == 0
    )
    log = capsys.readouterr().out
    assert (project / "wheelhouse" / "tinyuser-0.1.0-cp311-cp311-musllinux_1_2_x86_64.whl").exists()
    # the build installed tinydep from wheels/ (the index has only setuptools)
    assert "tinydep" in log and f"/host{published.resolve()}" in log, log[-3000:]
