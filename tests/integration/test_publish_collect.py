import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support.wheels import jinja2_wheel, markupsafe_wheels

from generator import cli
from generator.core.cells import Cell, Origin
from generator.core.wheels import FileRef, sha256_of_file
from generator.errors import Failure, UserError
from generator.pip import missing_distribution
from generator.publish.closure import verify_cell
from generator.publish.collect import collect
from generator.publish.interchange import read_manifest


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 standing in for files.pythonhosted.org."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copyfile(jinja2_wheel(), served / jinja2_wheel().name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=served))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


def artifacts(tmp_path: Path, arches: tuple[str, ...] = ("x86_64", "aarch64")) -> Path:
    """Built wheels as actions/download-artifact lays them out: one directory per artifact."""
    root = tmp_path / "artifacts"
    for wheel in markupsafe_wheels():
        if "cp312" in wheel.name and any(arch in wheel.name for arch in arches):
            artifact = root / f"wheels-{wheel.name.split('-')[-1][:-4]}"
            artifact.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(wheel, artifact / wheel.name)
    return root


def jinja2_entry(server: str, sha256: str | None = None) -> FileRef:
    wheel = jinja2_wheel()
    return FileRef(wheel.name, f"{server}/{wheel.name}", sha256 or sha256_of_file(wheel))


def test_collect_gathers_built_fetched_and_verifies_every_cell(
    tmp_path: Path, file_server: str
) -> None:
    dest = tmp_path / "out"
    cells = [Cell("markupsafe", "3.0.3", "3.12", a) for a in ("x86_64", "aarch64")]
    cells.append(Cell("jinja2", "3.1.6", "3.12", "x86_64"))
    manifest = collect([artifacts(tmp_path)], [jinja2_entry(file_server)], dest, cells=cells)
    origins = {entry.filename: entry.origin for entry in manifest.files}
    assert origins == {
        "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_x86_64.whl": Origin.BUILT,
        "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_aarch64.whl": Origin.BUILT,
        "jinja2-3.1.6-py3-none-any.whl": Origin.FETCHED,
    }
    assert read_manifest(dest / "manifest.json") == manifest
    for entry in manifest.files:
        assert sha256_of_file(dest / entry.filename) == entry.sha256
    # provenance is claimed for this run's builds only, in `sha256sum -c` format
    subjects = (dest / "built.sha256").read_text().splitlines()
    assert sorted(line.split("  ")[1] for line in subjects) == sorted(
        name for name, origin in origins.items() if origin is Origin.BUILT
    )
    checked = subprocess.run(["sha256sum", "-c", "built.sha256"], cwd=dest, check=False)
    assert checked.returncode == 0


def test_dependencies_come_from_the_index_when_nothing_here_has_them(
    tmp_path: Path, file_server: str
) -> None:
    # jinja2 is pure and needs markupsafe: pip must fetch the aarch64 cp313 markupsafe wheel.
    dest = tmp_path / "out"
    cells = [Cell("jinja2", "3.1.6", "3.13", "aarch64")]
    manifest = collect([], [jinja2_entry(file_server)], dest, cells=cells)
    dependencies = [e.filename for e in manifest.files if e.origin is Origin.DEPENDENCY]
    assert len(dependencies) == 1
    assert dependencies[0].startswith("markupsafe-")
    assert dependencies[0].endswith("-cp313-cp313-musllinux_1_2_aarch64.whl")


def test_dependencies_are_taken_from_wheels_dir_before_the_index(
    tmp_path: Path, file_server: str
) -> None:
    wheels = tmp_path / "repo" / "wheels"
    for wheel in markupsafe_wheels():  # markupsafe 3.0.3, while the index has a newer one
        (wheels / "markupsafe").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, wheels / "markupsafe" / wheel.name)
    cells = [Cell("jinja2", "3.1.6", "3.12", "x86_64")]
    dest = tmp_path / "out"
    manifest = collect([], [jinja2_entry(file_server)], dest, cells=cells, wheels_dir=wheels)
    assert {e.filename for e in manifest.files} >= {jinja2_wheel().name}
    assert any(
        e.origin is Origin.DEPENDENCY and e.filename.startswith("markupsafe-")
        for e in manifest.files
    )


def test_a_missing_dependency_fails_naming_it(tmp_path: Path, file_server: str) -> None:
    cells = [Cell("jinja2", "3.1.6", "3.12", "x86_64")]
    with pytest.raises(Failure, match=r"jinja2==3\.1\.6 .*no compatible wheel for 'MarkupSafe'"):
        collect(
            [], [jinja2_entry(file_server)], tmp_path / "out", cells=cells, with_dependencies=False
        )


def test_verification_ignores_pip_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine-wide find-links that has the dependency must not make the check pass.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for wheel in markupsafe_wheels():
        shutil.copyfile(wheel, elsewhere / wheel.name)
    monkeypatch.setenv("PIP_FIND_LINKS", str(elsewhere))
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copyfile(jinja2_wheel(), alone / jinja2_wheel().name)
    with pytest.raises(Failure, match="MarkupSafe"):
        verify_cell(Cell("jinja2", "3.1.6", "3.12", "x86_64"), alone)


def test_a_wrong_checksum_fails_and_leaves_nothing_behind(tmp_path: Path, file_server: str) -> None:
    dest = tmp_path / "out"
    entry = jinja2_entry(file_server, sha256="0" * 64)
    with pytest.raises(Failure, match="does not match the expected 0000"):
        collect([artifacts(tmp_path)], [entry], dest)
    assert not (dest / entry.filename).exists()
    assert not list(dest.glob(".*"))
    assert not (dest / "manifest.json").exists()


def test_the_same_wheel_built_twice_with_other_bytes_is_refused(tmp_path: Path) -> None:
    root = artifacts(tmp_path, arches=("x86_64",))
    (copy,) = root.rglob("*.whl")
    other = root / "again" / copy.name
    other.parent.mkdir()
    other.write_bytes(copy.read_bytes() + b"\0")
    with pytest.raises(Failure, match="built twice with different contents"):
        collect([root], [], tmp_path / "out", with_dependencies=False)


def test_cells_default_to_those_named_by_built_wheels(tmp_path: Path) -> None:
    manifest = collect([artifacts(tmp_path)], [], tmp_path / "out")
    assert manifest.cells == [
        Cell("markupsafe", "3.0.3", "3.12", "aarch64"),
        Cell("markupsafe", "3.0.3", "3.12", "x86_64"),
    ]


def test_nothing_to_publish_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no cell to publish"):
        collect([tmp_path / "empty"], [], tmp_path / "out")


def test_missing_distribution_reads_pips_message() -> None:
    stderr = "ERROR: No matching distribution found for MarkupSafe>=2.0\n"
    assert missing_distribution(stderr) == "MarkupSafe"
    assert missing_distribution("ERROR: something else") is None


def test_collect_verb_with_fetch_list_and_cells_files(tmp_path: Path, file_server: str) -> None:
    fetch = tmp_path / "fetch.json"
    entry = jinja2_entry(file_server)
    fetch.write_text(
        json.dumps([{"url": entry.url, "filename": entry.filename, "sha256": entry.sha256}])
    )
    cells = tmp_path / "cells.json"
    cells.write_text(
        json.dumps(
            [
                {"module": "jinja2", "version": "3.1.6", "python": "3.12", "arch": "x86_64"},
                {"module": "MarkupSafe", "version": "3.0.3", "python": "3.12", "arch": "x86_64"},
            ]
        )
    )
    out = tmp_path / "out"
    argv = [
        "collect",
        "--built",
        str(artifacts(tmp_path)),
        "--fetch",
        str(fetch),
        "--cells",
        str(cells),
        "--output-dir",
        str(out),
        "--wheels",
        str(tmp_path / "none"),
    ]
    assert cli.main(argv) == 0
    assert len(read_manifest(out / "manifest.json").cells) == 2


def test_collect_verb_reports_a_bad_fetch_list_as_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch = tmp_path / "fetch.json"
    fetch.write_text('[{"url": "http://x/y.whl", "filename": "y.whl", "sha256": "00"}]')
    argv = ["collect", "--fetch", str(fetch), "--output-dir", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    assert "not a valid wheel filename" in capsys.readouterr().err


WHEEL = "y-1.0-py3-none-any.whl"


@pytest.mark.parametrize(
    ("url", "sha256", "message"),
    [
        ("http://x/y.whl", "00", f"sha256 of {WHEEL} is not 64 hex digits — write it again"),
        ("http://[::1", "0" * 64, "is not an http(s) URL with a host — write it again"),
        ("file:///etc/passwd", "0" * 64, "is not an http(s) URL with a host — write it again"),
        ("notaurl", "0" * 64, "is not an http(s) URL with a host — write it again"),
        ("http://x/a\nb.whl", "0" * 64, "is not an http(s) URL with a host — write it again"),
    ],
)
def test_a_fetch_entry_that_cannot_be_downloaded_is_located_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, sha256: str, message: str
) -> None:
    fetch = tmp_path / "fetch.json"
    fetch.write_text(json.dumps([{"url": url, "filename": WHEEL, "sha256": sha256}]))
    argv = ["collect", "--fetch", str(fetch), "--output-dir", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {fetch}: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_a_wheel_over_githubs_limit_is_refused_before_anything_is_copied(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    huge = built / "huge-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    with huge.open("wb") as stream:  # sparse: no 100 MB actually written
        stream.truncate(100 * 1024 * 1024 + 1)
    with pytest.raises(UserError, match="over GitHub's 100 MB file limit"):
        collect([built], [], tmp_path / "out")
    assert not (tmp_path / "out" / huge.name).exists()
