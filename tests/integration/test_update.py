"""update: policies → matrix.lock.json against recorded PyPI answers on 127.0.0.1; plan with it.

The fixture index (tests/support/pypi_server.py) serves real recorded responses; faults are injected
per path. pip (the dependency check's resolver of record) reads the same local index.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from support.pypi_server import Fault, FixtureIndex, Sleeps, running_index

from generator import cli
from generator.commands.common import checkout_plan
from generator.core.cells import Served
from generator.lock.model import LOCK_NAME, Lock, load_lock, read_lock
from generator.matrix.load import load_matrix
from generator.plan.jobs import Plan
from generator.publish.interchange import read_cells, read_fetch_list, read_records
from generator.publish.repository import wheel_relpath

CASES = """
defaults:
  python: ["3.9", "3.12", "3.14", "3.14t"]
  arch: [x86_64, aarch64, riscv64]
modules:
  pyyaml: latest
  six: latest
  bcrypt: ">=4.1,<4.2"
  argon2-cffi-bindings: latest
  ziglang: latest
  pywin32: "312"
"""


UPDATE_ATTEMPTS = 3  # the `sleeps` fixture's retry policy for update (conftest.py)


def write_matrix(tmp_path: Path, text: str = CASES) -> Path:
    (tmp_path / "matrix.yml").write_text(text)
    return tmp_path / "matrix.yml"


def update(matrix: Path, *args: str) -> int:
    return cli.main(["update", "--matrix", str(matrix), *args])


def status(lock: Lock, module: str, version: str, identifier: str) -> dict[str, object]:
    data = lock.to_json()["modules"][module]["versions"][version]["cells"][identifier]
    assert isinstance(data, dict)
    return data


def locked(matrix: Path) -> Lock:
    lock = load_lock(load_matrix(matrix))
    assert lock is not None
    return lock


def test_every_case_gets_its_status(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path)
    assert update(matrix) == 0
    lock = locked(matrix)
    # musllinux wheels for some archs only: fetched there, built elsewhere
    x86 = status(lock, "pyyaml", "6.0.3", "cp312-musllinux_x86_64")
    assert x86["status"] == "upstream"
    wheel = x86["wheel"]
    assert isinstance(wheel, dict)  # the only JSON value `["filename"]` can index
    assert "musllinux_1_2_x86_64" in wheel["filename"]
    assert len(wheel["sha256"]) == 64
    assert status(lock, "pyyaml", "6.0.3", "cp312-musllinux_riscv64") == {"status": "build"}
    assert lock.versions("pyyaml") == ("6.0.3",)  # not 6.0.2rc1/6.0b1: pre-releases
    # pure
    assert status(lock, "six", "1.17.0", "cp314t-musllinux_riscv64")["status"] == "pure"
    # a specifier never picks the yanked 4.1.0; abi3: one build per arch, 3.14t on its own
    assert lock.versions("bcrypt") == ("4.1.1",)
    riscv = [
        status(lock, "bcrypt", "4.1.1", f"cp{p}-musllinux_riscv64") for p in ("39", "312", "314")
    ]
    assert {c["status"] for c in riscv} == {"abi3"}
    assert {c["built-by"] for c in riscv} == {"cp39-musllinux_riscv64"}
    assert status(lock, "bcrypt", "4.1.1", "cp314t-musllinux_riscv64")["status"] == "build"
    # requires-python >=3.10
    skip = status(lock, "argon2-cffi-bindings", "26.2.0", "cp39-musllinux_x86_64")
    assert skip == {"status": "skip", "reason": "requires-python >=3.10"}
    # no sdist: covered by wheels is fine; otherwise skipped and reported
    assert status(lock, "ziglang", "0.17.1", "cp312-musllinux_riscv64")["status"] == "upstream"
    no_sdist = status(lock, "pywin32", "312", "cp312-musllinux_x86_64")
    assert no_sdist["status"] == "skip" and "no .tar.gz sdist" in str(no_sdist["reason"])
    err = capsys.readouterr().err
    assert "pywin32 312: no .tar.gz sdist" in err and "warning: ziglang" not in err
    # these build nothing here: their owner is told (pywin32's cells are skips, not covered)
    notices = [line for line in err.splitlines() if line.startswith("notice: ")]
    assert notices == [
        "notice: upstream covers every cell of argon2-cffi-bindings — the line can go",
        "notice: upstream covers every cell of six — the line can go",
        "notice: upstream covers every cell of ziglang — the line can go",
    ]
    # argon2's riscv64 wheels need cffi, which has no riscv64 wheel: an implied build
    (cffi,) = lock.implied_modules()
    assert cffi.name == "cffi" and cffi.implied_by == ("argon2-cffi-bindings",)
    assert {c.cell.identifier for c in lock.cells("cffi")} == {
        "cp312-musllinux_riscv64",
        "cp314-musllinux_riscv64",
        "cp314t-musllinux_riscv64",
    }
    assert lock.sdist("cffi", cffi.versions[0].version) is not None


def test_unchanged_index_gives_a_byte_identical_lock(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path)
    assert update(matrix, "--github-output", str(tmp_path / "first")) == 0
    # modules with new wheels to build or fetch; implied cffi is reached through argon2;
    # pywin32 has only skipped cells
    assert (
        "modules=argon2-cffi-bindings bcrypt pyyaml six ziglang\n"
        in (tmp_path / "first").read_text()
    )
    first = (tmp_path / LOCK_NAME).read_bytes()
    assert first.endswith(b"}\n") and json.loads(first)["format"] == 1
    capsys.readouterr()
    assert update(matrix, "--github-output", str(tmp_path / "out")) == 0
    assert (tmp_path / LOCK_NAME).read_bytes() == first
    assert "matrix.lock.json unchanged; 0 new cell(s) to build" in capsys.readouterr().out
    assert (tmp_path / "out").read_text() == "changed=false\nnew-build-cells=0\nmodules=\n"


def test_a_pinned_yanked_release_is_kept_with_a_warning(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path, 'modules:\n  bcrypt: "4.1.0"\n')
    assert update(matrix) == 0
    assert locked(matrix).versions("bcrypt") == ("4.1.0",)
    assert "bcrypt 4.1.0 is yanked on the index (Incompatibility" in capsys.readouterr().err


def test_transient_faults_are_retried(index: FixtureIndex, tmp_path: Path, sleeps: Sleeps) -> None:
    matrix = write_matrix(tmp_path, "modules:\n  six: latest\n  pyyaml: latest\n")
    index.inject("/pypi/six/json", Fault("status", 500))
    index.inject("/pypi/pyyaml/json", Fault("status", 429, {"Retry-After": "7"}))
    assert update(matrix) == 0
    assert locked(matrix).versions("six") == ("1.17.0",)
    assert 7.0 in sleeps and len(index.requests_to("/pypi/six/json")) == 2


OLD = 'modules:\n  six: "1.16.0"\n  pyyaml: "6.0.2"\n'
NEW = "modules:\n  six: latest\n  pyyaml: latest\n"


@pytest.mark.parametrize(
    "fault",
    [Fault("hang"), Fault("short-json"), Fault("truncate"), Fault("status", 503)],
    ids=["hung", "truncated-json", "truncated-body", "5xx"],
)
def test_old_entry_survives_a_failing_module(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: Fault
) -> None:
    matrix = write_matrix(tmp_path, OLD)
    assert update(matrix) == 0
    matrix.write_text(NEW)
    index.inject("/pypi/pyyaml/json", *[fault] * 3)
    assert update(matrix) == 1
    lock = locked(matrix)
    assert lock.versions("six") == ("1.17.0",)  # the other module still updated
    assert lock.versions("pyyaml") == ("6.0.2",)  # the failed one kept its entry
    err = capsys.readouterr().err
    assert "1 module(s) could not be updated" in err and "pyyaml: giving up on" in err


def test_unknown_module_is_named_and_the_lock_stays(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path, 'modules:\n  six: "1.16.0"\n')
    assert update(matrix) == 0
    before = (tmp_path / LOCK_NAME).read_bytes()
    matrix.write_text('modules:\n  six: "1.16.0"\n  no-such-module: latest\n')
    assert update(matrix) == 1
    assert "module 'no-such-module' is not on the index" in capsys.readouterr().err
    assert (tmp_path / LOCK_NAME).read_bytes() == before


def test_a_corrupt_lock_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path, "modules:\n  six: latest\n")
    (tmp_path / LOCK_NAME).write_text('{"format": 1, "modules": {')
    assert cli.main(["plan", "--matrix", str(matrix)]) == 2
    assert f"{LOCK_NAME}:1:" in capsys.readouterr().err


def test_html_only_index_without_json_api_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps
) -> None:
    with running_index("html-only") as served:
        served.routes["/pypi/six/json"] = (404, "text/plain", b"")
        monkeypatch.setenv("PIP_INDEX_URL", served.index_url)
        matrix = write_matrix(tmp_path, "modules:\n  six: latest\n")
        # index-url without /simple/: no JSON API is guessed, the simple page is read
        text = f"index-url: {served.url}/simple\n" + matrix.read_text()
        matrix.write_text(text.replace("/simple\n", "/simple/\n"))
        assert update(matrix) == 0
    assert locked(matrix).versions("six") == ("1.17.0",)


# -- plan with the lock ---------------------------------------------------------------


def test_plan_builds_only_build_cells_not_yet_in_wheels(
    index: FixtureIndex, tmp_path: Path
) -> None:
    matrix = write_matrix(tmp_path)
    assert update(matrix) == 0
    loaded = load_matrix(matrix)
    jobs = {job.id: job for job in checkout_plan(loaded).jobs}
    assert jobs["bcrypt-4.1.1-riscv64"].identifiers == (
        "cp39-musllinux_riscv64",
        "cp314t-musllinux_riscv64",
    )
    # abi3 upstream wheels serve x86_64 except the free-threaded Python
    assert jobs["bcrypt-4.1.1-x86_64"].pythons == ("3.14t",)
    assert not any(job.module in {"six", "ziglang", "pywin32"} for job in jobs.values())
    cffi = next(job for job in jobs.values() if job.module == "cffi")
    assert cffi.arch == "riscv64" and cffi.pythons == ("3.12", "3.14", "3.14t")
    # a published wheel takes its cell out of the plan
    folder = tmp_path / "wheels" / "cffi"
    folder.mkdir(parents=True)
    (folder / f"cffi-{cffi.version}-cp312-cp312-musllinux_1_2_riscv64.whl").write_bytes(b"")
    replanned = next(j for j in checkout_plan(loaded).jobs if j.module == "cffi")
    assert replanned.pythons == ("3.14", "3.14t")


def test_nothing_new_means_zero_jobs(index: FixtureIndex, tmp_path: Path) -> None:
    matrix = write_matrix(tmp_path, "modules:\n  six: latest\n  ziglang: latest\n")
    assert update(matrix) == 0
    assert checkout_plan(load_matrix(matrix)).jobs == ()


def test_a_policy_without_a_lock_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matrix = write_matrix(tmp_path, "modules:\n  six: latest\n")
    assert cli.main(["plan", "--matrix", str(matrix)]) == 2
    assert "run `python -m generator update`" in capsys.readouterr().err


def test_read_lock_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / LOCK_NAME) is None


def test_lock_export_feeds_the_publish_verbs(index: FixtureIndex, tmp_path: Path) -> None:
    matrix = write_matrix(tmp_path)
    assert update(matrix) == 0
    assert cli.main(["plan", "--matrix", str(matrix), "--output", str(tmp_path / "plan.json")]) == 0
    out = export_lock(matrix, tmp_path / "plan.json")
    cells = {(c.module, c.version, c.python, c.arch) for c in read_cells(out / "cells.json")}
    fetch = {entry.filename for entry in read_fetch_list(out / "fetch.json")}
    records = {
        (r.cell.module, r.cell.python, r.cell.arch): r.status
        for r in read_records(out / "catalog.json")
    }
    # built in this run (abi3: the builder's wheel serves cp312 too) and fetched cells
    assert ("bcrypt", "4.1.1", "3.12", "riscv64") in cells
    assert ("pyyaml", "6.0.3", "3.12", "x86_64") in cells
    assert any(name.startswith("PyYAML-6.0.3") or name.startswith("pyyaml-6.0.3") for name in fetch)
    # six builds nothing, but its pure wheel is not in wheels/ yet: it is published too
    assert ("six", "1.17.0", "3.12", "x86_64") in cells
    assert any(name.startswith("six-1.17.0-") for name in fetch)
    assert records[("six", "3.12", "x86_64")] == Served.PURE
    assert records[("bcrypt", "3.14", "riscv64")] == Served.BUILT
    assert ("pywin32", "3.12", "x86_64") not in records


def test_lock_export_of_a_later_run(index: FixtureIndex, tmp_path: Path) -> None:
    """A run that builds nothing: what is already in wheels/ is neither fetched again nor
    reported missing in the catalog."""
    matrix = write_matrix(tmp_path)
    assert update(matrix) == 0
    lock = locked(matrix)
    for cell in lock.cells("six"):  # six's pure wheel was published by an earlier run
        assert cell.wheel is not None
        (tmp_path / "wheels" / wheel_relpath(cell.wheel.filename)).parent.mkdir(
            parents=True, exist_ok=True
        )
        (tmp_path / "wheels" / wheel_relpath(cell.wheel.filename)).write_bytes(b"")
    builder = next(c.cell for c in lock.cells("bcrypt") if c.needs_job and c.cell.arch == "riscv64")
    abi3 = f"bcrypt-{builder.version}-cp39-abi3-musllinux_1_2_riscv64.whl"
    (tmp_path / "wheels" / "bcrypt").mkdir(parents=True)
    (tmp_path / "wheels" / "bcrypt" / abi3).write_bytes(b"")
    empty = Plan((), (), (), tmp_path)  # this run's plan: no jobs
    (tmp_path / "plan.json").write_text(json.dumps(empty.to_json()))
    out = export_lock(matrix, tmp_path / "plan.json")
    cells = {(c.module, c.python, c.arch) for c in read_cells(out / "cells.json")}
    records = {
        (r.cell.module, r.cell.python, r.cell.arch): r.status
        for r in read_records(out / "catalog.json")
    }
    assert not any(c[0] == "six" for c in cells)  # already published
    assert ("bcrypt", "3.14", "riscv64") not in cells  # this run built none of it
    assert records[("bcrypt", "3.14", "riscv64")] == Served.BUILT  # but wheels/ has it
    assert records[("six", "3.12", "x86_64")] == Served.PURE


@pytest.mark.live
def test_live_update_against_the_real_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Smoke test: the real PyPI (or PIP_INDEX_URL's mirror) answers the way the fixtures say."""
    matrix = write_matrix(
        tmp_path, 'defaults:\n  python: ["3.12"]\n  arch: [x86_64]\nmodules:\n  six: latest\n'
    )
    assert update(matrix) == 0
    (cell,) = locked(matrix).cells("six")
    assert cell.status == "pure" and cell.wheel is not None and len(cell.wheel.sha256) == 64


def export_lock(matrix: Path, plan: Path) -> Path:
    out = matrix.parent / "lock-export"
    argv = ["lock-export", "--matrix", str(matrix), "--plan", str(plan), "--output-dir", str(out)]
    assert cli.main(argv) == 0
    return out


def tiny_project(index: FixtureIndex, sdist: bytes, sha256: str) -> None:
    """Project tinyx 0.1.0 on the fixture index: one sdist, no wheels."""
    url = f"{index.url}/files/tinyx-0.1.0.tar.gz"
    file = {
        "filename": "tinyx-0.1.0.tar.gz",
        "url": url,
        "packagetype": "sdist",
        "digests": {"sha256": sha256},
        "requires_python": None,
        "yanked": False,
        "yanked_reason": None,
        "size": len(sdist),
        "upload_time_iso_8601": "2026-11-01T00:00:00Z",
    }
    info = {"name": "tinyx", "version": "0.1.0", "requires_dist": None, "requires_python": None}
    answer = json.dumps({"info": info, "releases": {"0.1.0": [file]}, "urls": [file]}).encode()
    index.routes["/pypi/tinyx/json"] = (200, "application/json", answer)
    index.routes["/pypi/tinyx/0.1.0/json"] = (200, "application/json", answer)
    index.routes["/files/tinyx-0.1.0.tar.gz"] = (200, "application/octet-stream", sdist)


TINY = 'defaults: {python: ["3.12"], arch: [x86_64]}\nmodules: {tinyx: "0.1.0", six: "1.17.0"}\n'


def test_update_records_where_build_requirements_come_from(
    index: FixtureIndex, tmp_path: Path
) -> None:
    from support.c_sdist import c_extension_sdist

    sdist = c_extension_sdist(tmp_path / "sdist", "tinyx", "0.1.0", needs=("six",)).read_bytes()
    tiny_project(index, sdist, hashlib.sha256(sdist).hexdigest())
    matrix = write_matrix(tmp_path, TINY)
    assert update(matrix) == 0
    version = json.loads((tmp_path / LOCK_NAME).read_text())["modules"]["tinyx"]["versions"]
    assert version["0.1.0"]["build-requires"] == {"setuptools": "index", "six": "matrix"}
    fetched = len(index.requests_to("/files/tinyx-0.1.0.tar.gz"))
    assert update(matrix) == 0  # the same sdist: read once, kept from the lock
    assert len(index.requests_to("/files/tinyx-0.1.0.tar.gz")) == fetched == 1


def test_an_sdist_that_does_not_match_its_hash_is_not_read(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny_project(index, b"not the sdist the index listed", "0" * 64)
    assert update(write_matrix(tmp_path, TINY)) == 0
    assert "tinyx 0.1.0: build requirements not read" in capsys.readouterr().err
    entry = json.loads((tmp_path / LOCK_NAME).read_text())["modules"]["tinyx"]["versions"]
    assert "build-requires" not in entry["0.1.0"]


def deeply_nested_sdist() -> bytes:
    """tinyx 0.1.0's sdist with a pyproject.toml of 50,000 nested arrays (100 kB)."""
    text = "[build-system]\nrequires = " + "[" * 50_000 + "]" * 50_000 + "\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in {"setup.py": b"", "pyproject.toml": text.encode()}.items():
            info = tarfile.TarInfo(f"tinyx-0.1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_pyproject_nested_too_deep_is_an_unreadable_sdist(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = deeply_nested_sdist()
    tiny_project(index, sdist, hashlib.sha256(sdist).hexdigest())
    assert update(write_matrix(tmp_path, TINY)) == 0
    err = capsys.readouterr().err
    assert "tinyx 0.1.0: build requirements not read" in err and "nests too deep" in err, err
    entry = json.loads((tmp_path / LOCK_NAME).read_text())["modules"]["tinyx"]["versions"]
    assert "build-requires" not in entry["0.1.0"]


def test_an_index_cannot_slip_in_another_projects_wheel_or_a_path(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hostile index lists, under tinyx 0.1.0, six's wheel and a name that climbs out."""
    sdist = b"sdist bytes"
    tiny_project(index, sdist, hashlib.sha256(sdist).hexdigest())
    answer = json.loads(index.routes["/pypi/tinyx/json"][2])
    for name in ("six-1.17.0-py3-none-any.whl", "tinyx-0.1.0-1/../../../evil-py3-none-any.whl"):
        answer["releases"]["0.1.0"].append(
            answer["releases"]["0.1.0"][0] | {"filename": name, "packagetype": "bdist_wheel"}
        )
    body = json.dumps(answer).encode()
    index.routes["/pypi/tinyx/json"] = index.routes["/pypi/tinyx/0.1.0/json"] = (
        200,
        "application/json",
        body,
    )
    assert update(write_matrix(tmp_path, TINY)) == 0
    err = capsys.readouterr().err
    assert "ignored 'six-1.17.0-py3-none-any.whl' (a file of six, listed under tinyx)" in err
    assert "'tinyx-0.1.0-1/../../../evil-py3-none-any.whl' (not a bare file name)" in err
    cells = json.loads((tmp_path / LOCK_NAME).read_text())["modules"]["tinyx"]["versions"]
    assert cells["0.1.0"]["cells"]["cp312-musllinux_x86_64"]["status"] == "build"  # not pure
