"""Reading index answers: versions, malformed answers, and what a listing spares.

- A file's version is the release PyPI lists it under (JSON API), or its filename read with
  the project name as hint (simple index): cffi's `cffi-1.0.2-2.tar.gz` is never cffi 2.0.0.
- A malformed answer fails the module it belongs to, with a message naming the URL and the
  module; the other modules still update and the failed one keeps its lock entry.
- One run reads each project once, and asks pip only what the listing cannot settle.

Recorded answers (tests/fixtures/pypi, README.md), served on 127.0.0.1 by
tests/support/pypi_server.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version
from support.pypi_server import (
    FIXTURES,
    PEP691,
    FixtureIndex,
    Sleeps,
    pep691_from_json_api,
    running_index,
)

from generator import cli
from generator.core.cells import Cell, Status
from generator.errors import Failure
from generator.lock import statuses
from generator.lock import update as update_module
from generator.lock.dependencies import DependencyResolver, PipCheck
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion, load_lock
from generator.matrix.load import load_matrix
from generator.matrix.model import ResolvedModule
from generator.pypi import PyPIClient, RetryPolicy
from generator.pypi.client import Listing
from generator.pypi.models import Release
from generator.pypi.transport import UnusableAnswer

# (listing, what the index serves): the JSON API, and the simple index in both formats
LISTINGS = [("json-api", "html-only"), ("simple", "html-only"), ("simple", "json-only")]


UPDATE_ATTEMPTS = 2  # the `sleeps` fixture's retry policy for update (conftest.py)


def client_for(index: FixtureIndex, sleeps: Sleeps, listing: Listing = "json-api") -> PyPIClient:
    retry = RetryPolicy(attempts=2, backoff=0.5, timeout=(2.0, 0.5), sleep=sleeps)
    return PyPIClient(index.index_url, retry=retry, listing=listing)


def serve_changed(index: FixtureIndex, project: str, change: Callable[[Any], None]) -> None:
    """Serve the recorded JSON API answer of `project`, changed by `change`."""
    data = json.loads((FIXTURES / "json" / f"{project}.json").read_text())
    change(data)
    index.routes[f"/pypi/{project}/json"] = (200, "application/json", json.dumps(data).encode())


def update(tmp_path: Path, matrix_text: str) -> int:
    (tmp_path / "matrix.yml").write_text(matrix_text)
    return cli.main(["update", "--matrix", str(tmp_path / "matrix.yml")])


def lock_of(tmp_path: Path) -> Lock:
    lock = load_lock(load_matrix(tmp_path / "matrix.yml"))
    assert lock is not None
    return lock


# -- a file's version: cffi-1.0.2-2.tar.gz --------------------------------------------


@pytest.mark.parametrize(("listing", "mode"), LISTINGS)
def test_cffi_2_0_0_has_its_own_sdist(listing: Listing, mode: str, sleeps: Sleeps) -> None:
    with running_index(mode) as served, client_for(served, sleeps, listing) as client:
        cffi = client.project_files("cffi")
        assert bool(served.requests_to("/pypi/cffi/json")) == (listing == "json-api")
    release = cffi.releases()[Version("2.0.0")]
    assert release.sdist is not None
    assert release.sdist.filename == "cffi-2.0.0.tar.gz"
    assert [f.filename for f in release.files if f.is_sdist] == ["cffi-2.0.0.tar.gz"]
    assert {f.version for f in release.files} == {Version("2.0.0")}
    assert "cffi-1.0.2-2.tar.gz" in {f.filename for f in cffi.files}  # listed, elsewhere


def test_the_json_api_puts_the_misleading_sdist_under_its_release(sleeps: Sleeps) -> None:
    with running_index("html-only") as served, client_for(served, sleeps) as client:
        releases = client.project_files("cffi").releases()
    old = releases[Version("1.0.2")]
    assert old.sdist is not None and old.sdist.filename == "cffi-1.0.2-2.tar.gz"
    assert old.yanked and "1.0.2-2" in (old.yanked_reason or "")
    assert Version("1.0.2.post2") not in releases


@pytest.mark.parametrize("mode", ["html-only", "json-only"])
def test_a_simple_page_reads_the_name_as_pip_does(mode: str, sleeps: Sleeps) -> None:
    # No release lists on a simple page: the name, split with the project as hint, says
    # 1.0.2-2 (= 1.0.2.post2), as pip reads it; never 2.
    with running_index(mode) as served, client_for(served, sleeps, "simple") as client:
        releases = client.project_files("cffi").releases()
    assert [f.filename for f in releases[Version("1.0.2.post2")].files] == ["cffi-1.0.2-2.tar.gz"]
    assert releases[Version("1.0.2")].sdist is None  # its Windows wheels only


@pytest.mark.parametrize("policy", ['"2.0.0"', "latest:3"])
def test_update_locks_cffi_2_0_0_with_its_own_sdist(
    index: FixtureIndex, tmp_path: Path, policy: str
) -> None:
    matrix = f'defaults:\n  python: ["3.12"]\n  arch: [x86_64]\nmodules:\n  cffi: {policy}\n'
    assert update(tmp_path, matrix) == 0
    sdist = lock_of(tmp_path).sdist("cffi", "2.0.0")
    assert sdist is not None
    assert sdist.filename == "cffi-2.0.0.tar.gz"
    assert "cffi-2.0.0.tar.gz" in sdist.url


def test_releases_are_parsed_when_first_read(sleeps: Sleeps) -> None:
    with running_index("html-only") as served, client_for(served, sleeps) as client:
        bcrypt = client.project_files("bcrypt")
        releases = bcrypt.releases()
        assert "not loaded" in repr(releases[Version("5.0.0")])
        # a policy asks every release whether it is yanked: answered without parsing
        assert [str(v) for v, r in releases.items() if r.yanked] == ["4.1.0"]
        assert "not loaded" in repr(releases[Version("5.0.0")])
        assert releases[Version("5.0.0")].sdist is not None
        assert "files" in repr(releases[Version("5.0.0")])


# -- malformed answers --------------------------------------------------------------------


def test_a_file_entry_without_filename_is_a_failure_naming_url_and_module(sleeps: Sleeps) -> None:
    with running_index("html-only") as served:
        serve_changed(served, "six", lambda data: data["releases"]["1.17.0"][0].pop("filename"))
        with client_for(served, sleeps) as client, pytest.raises(Failure) as raised:
            client.project_files("six")
    message = str(raised.value)
    assert type(raised.value) is Failure  # not a KeyError from the parser
    assert f"giving up on {served.url}/pypi/six/json after 2 attempts" in message
    assert "unexpected JSON API answer for six: no 'filename' field" in message


def without_hashes(data: Any) -> None:
    data["releases"]["1.17.0"][0]["digests"] = None


def test_null_digests_mean_no_hash(sleeps: Sleeps) -> None:
    with running_index("html-only") as served:
        serve_changed(served, "six", without_hashes)
        with client_for(served, sleeps) as client:
            files = client.project_files("six").releases()[Version("1.17.0")].files
    assert [bool(f.sha256) for f in files] == [False, True]


@pytest.mark.parametrize(
    ("change", "shape"),
    [
        (lambda data: data.update(releases=[]), "has no `releases` object"),
        (lambda data: data["releases"].update({"1.17.0": None}), "is not a list of files"),
        (lambda data: data["releases"]["1.17.0"].append("six.whl"), "TypeError"),
        (lambda data: data["info"].update(requires_python=3), "`requires_python` of six is 3"),
    ],
    ids=["releases-not-an-object", "release-not-a-list", "entry-not-an-object", "bad-info"],
)
def test_malformed_json_api_shapes_are_failures(
    sleeps: Sleeps, change: Callable[[Any], None], shape: str
) -> None:
    with running_index("html-only") as served:
        serve_changed(served, "six", change)
        with client_for(served, sleeps) as client, pytest.raises(Failure) as raised:
            client.project_files("six")
    assert f"giving up on {served.url}/pypi/six/json" in str(raised.value)
    assert shape in str(raised.value)


def test_a_malformed_file_read_later_names_url_module_and_release(sleeps: Sleeps) -> None:
    with running_index("html-only") as served:
        serve_changed(served, "six", lambda data: data["releases"]["1.16.0"][0].update(url=7))
        with client_for(served, sleeps) as client:
            six = client.project_files("six")  # 1.16.0 is parsed when first read
        release = six.releases()[Version("1.16.0")]
        with pytest.raises(UnusableAnswer) as raised:
            _ = release.files
    assert str(raised.value).startswith(
        f"{served.url}/pypi/six/json: unusable answer: a file of six 1.16.0 is malformed "
        "(TypeError: `url` is 7)"
    )


def test_a_malformed_simple_page_names_the_module(sleeps: Sleeps) -> None:
    with running_index("json-only") as served:
        page = json.loads(pep691_from_json_api(FIXTURES / "json" / "six.json"))
        page["files"][0]["hashes"] = "sha256"
        served.routes["/simple/six/"] = (200, PEP691, json.dumps(page).encode())
        with client_for(served, sleeps, "simple") as client, pytest.raises(Failure) as raised:
            client.project_files("six")
    assert "/simple/six/ after 2 attempts" in str(raised.value)
    assert "unexpected project page for six" in str(raised.value)


OLD = 'modules:\n  six: "1.16.0"\n  pyyaml: "6.0.2"\n'
NEW = "modules:\n  six: latest\n  pyyaml: latest\n"


def test_a_malformed_answer_fails_its_module_only(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert update(tmp_path, OLD) == 0
    # found only when pyyaml's newest release is read, after the fetch
    serve_changed(index, "pyyaml", lambda data: data["releases"]["6.0.3"][0].update(url=None))
    assert update(tmp_path, NEW) == 1
    lock = lock_of(tmp_path)
    assert lock.versions("six") == ("1.17.0",)  # the other module still updated
    assert lock.versions("pyyaml") == ("6.0.2",)  # the failed one kept its entry
    err = capsys.readouterr().err
    assert "1 module(s) could not be updated" in err
    assert f"pyyaml: {index.url}/pypi/pyyaml/json: unusable answer: a file of pyyaml 6.0.3" in err
    assert "Traceback" not in err


def test_an_unexpected_error_fails_its_module_only(
    index: FixtureIndex,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert update(tmp_path, OLD) == 0
    real = statuses.release_cells

    def release_cells(
        module: ResolvedModule,
        release: Release,
        only: Collection[Cell] | None = None,
    ) -> statuses.ReleaseCells:
        if module.name == "pyyaml":
            raise RuntimeError("a bug")
        return real(module, release, only)

    monkeypatch.setattr(update_module, "release_cells", release_cells)
    assert update(tmp_path, NEW) == 1
    lock = lock_of(tmp_path)
    assert (lock.versions("six"), lock.versions("pyyaml")) == (("1.17.0",), ("6.0.2",))
    err = capsys.readouterr().err
    assert "pyyaml: unexpected RuntimeError at test_pypi_parsing.py:" in err
    assert "a bug" in err


def test_a_pin_missing_from_the_index_says_where_it_looked(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert update(tmp_path, 'modules:\n  six: "9.9"\n') == 1
    err = capsys.readouterr().err
    assert f"six 9.9 is not on the index {index.url}/pypi/six/json" in err
    assert "the index the index" not in err


# -- what one run asks ----------------------------------------------------------------------


def test_update_reads_each_project_once(index: FixtureIndex, tmp_path: Path) -> None:
    # argon2's riscv64 cells need cffi: the dependency check reads it, the implied module's
    # entry uses that same answer (its metadata too: the answer's `info` is cffi's newest).
    matrix = 'defaults:\n  python: ["3.12"]\n  arch: [riscv64]\n'
    assert update(tmp_path, matrix + "modules:\n  argon2-cffi-bindings: latest\n") == 0
    assert [m.name for m in lock_of(tmp_path).implied_modules()] == ["cffi"]
    listings = [seen.path for seen in index.seen if seen.path.startswith("/pypi/")]
    assert sorted(listings) == [
        "/pypi/argon2-cffi-bindings/json",
        "/pypi/cffi/json",
        "/pypi/pycparser/json",
    ]
    assert not [seen.path for seen in index.seen if seen.path.endswith(".metadata")]


class RecordedPip(PipCheck):
    """Records what would be put to pip, and answers no, without running it."""

    def __init__(self) -> None:
        super().__init__("http://unused.invalid/simple/")
        self.asked: list[tuple[str, str, str]] = []

    def _ask_pip(self, requirement: str, python: str, arch: str) -> bool:
        self.asked.append((requirement, python, arch))
        return False


def needing(requirement: str, python: str, arch: str) -> LockedModule:
    cell = LockedCell(Cell("needy", "1.0", python, arch), Status.BUILD)
    version = LockedVersion("1.0", None, None, None, False, (requirement,), (cell,))
    return LockedModule("needy", "latest", (version,))


def test_pip_is_not_asked_what_the_listing_settles(sleeps: Sleeps) -> None:
    pip = RecordedPip()
    with running_index("html-only") as served, client_for(served, sleeps) as client:
        resolver = DependencyResolver(client, {}, pip)
        # no release of cffi has a wheel for riscv64 at all: pip could only say no
        riscv = resolver.needs_of(needing("cffi>=2", "3.12", "riscv64"))
        # cffi 1.17.1 has musllinux x86_64 wheels, up to cp313: that one is pip's to judge
        x86 = resolver.needs_of(needing("cffi<2", "3.14", "x86_64"))
    assert [(n.cell.module, n.cell.version) for n in riscv.needs] == [("cffi", "2.1.1")]
    assert [(n.cell.module, n.cell.version) for n in x86.needs] == [("cffi", "1.17.1")]
    assert pip.asked == [("cffi<2", "3.14", "x86_64")]


class SideBySidePip(RecordedPip):
    """Answers only once two questions are asked at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.together = threading.Barrier(2, timeout=10)

    def _ask_pip(self, requirement: str, python: str, arch: str) -> bool:
        self.together.wait()  # BrokenBarrierError if asked one after the other
        return super()._ask_pip(requirement, python, arch)


def test_pip_checks_of_one_module_run_side_by_side(sleeps: Sleeps) -> None:
    pip = SideBySidePip()
    cells = tuple(
        LockedCell(Cell("needy", "1.0", "3.14", a), Status.BUILD) for a in ("x86_64", "aarch64")
    )
    version = LockedVersion("1.0", None, None, None, False, ("cffi<2",), cells)
    with running_index("html-only") as served, client_for(served, sleeps) as client:
        needs = DependencyResolver(client, {}, pip).needs_of(LockedModule("needy", "", (version,)))
    assert sorted(pip.asked) == [("cffi<2", "3.14", "aarch64"), ("cffi<2", "3.14", "x86_64")]
    assert {(n.cell.module, n.cell.version, n.cell.arch) for n in needs.needs} == {
        ("cffi", "1.17.1", "aarch64"),
        ("cffi", "1.17.1", "x86_64"),
    }
