"""Hostile input costs bounded memory and time, by the generator process's own figures: each
run is a child of its own, and its peak RSS and CPU time come from the kernel (os.wait4),
not from this test process. The bounds are generous (a busy machine, two cores) and still
far below what the bombs cost unbounded (gigabytes, minutes, hours)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.bombs import alias_bomb
from support.cli import Measured, run_generator_measured
from support.pypi_server import Fault, FixtureIndex, running_index

MAX_RSS_MB = 300.0
MAX_CPU_S = 10.0
MAX_WALL_S = 30.0
TIMEOUT_S = 60.0  # the runner kills a child still running then


def assert_bounded(run: Measured, *, cpu: float = MAX_CPU_S, wall: float = MAX_WALL_S) -> None:
    figures = f"{run.peak_rss_mb:.0f} MB, {run.cpu_seconds:.1f} s CPU, {run.wall_seconds:.1f} s"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.peak_rss_mb <= MAX_RSS_MB, figures
    assert run.cpu_seconds <= cpu, figures
    assert run.wall_seconds <= wall, figures


def test_an_alias_bomb_matrix_is_refused_in_bounded_memory_and_time(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(alias_bomb())
    run = run_generator_measured(
        "plan", "--matrix", str(tmp_path / "matrix.yml"), timeout=TIMEOUT_S
    )
    assert run.returncode == 2 and "expands to more than 100000 values" in run.stderr, run
    assert_bounded(run, cpu=3.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.yml"]


def test_a_lock_nested_100000_deep_is_refused_in_bounded_memory_and_time(
    tmp_path: Path,
) -> None:
    (tmp_path / "matrix.yml").write_text('modules:\n  six: "1.17.0"\n')
    deep = '{"format": 1, "modules": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "matrix.lock.json").write_text(deep)
    run = run_generator_measured(
        "plan", "--matrix", str(tmp_path / "matrix.yml"), timeout=TIMEOUT_S
    )
    assert run.returncode == 2 and "nested too deeply" in run.stderr, run
    assert_bounded(run, cpu=3.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.lock.json", "matrix.yml"]


@pytest.fixture
def hostile() -> Iterator[FixtureIndex]:
    with running_index() as served:
        yield served


def hostile_update(index: FixtureIndex, tmp_path: Path, fault: Fault, **limits: float) -> Measured:
    """`update` of six against `index`, every answer about six given `fault` (each retry too)."""
    for path in ("/simple/six/", "/pypi/six/json"):
        index.inject(path, *[fault] * 8)
    matrix = tmp_path / "matrix.yml"
    matrix.write_text(f"index-url: {index.index_url}\nmodules:\n  six: latest\n")
    overrides = {f"generator.pypi.transport.{name}": value for name, value in limits.items()}
    return run_generator_measured(
        "update", "--matrix", str(matrix), overrides=overrides, timeout=TIMEOUT_S
    )


def assert_six_not_locked(tmp_path: Path) -> None:
    """A module that could not be updated keeps its previous entry: here, none."""
    assert json.loads((tmp_path / "matrix.lock.json").read_text())["modules"] == {}


def test_a_gzip_bomb_answer_costs_the_cap_not_the_bomb(
    hostile: FixtureIndex, tmp_path: Path
) -> None:
    """512 MB of zeros in 0.5 MB of gzip; with the cap lowered to 16 MB the child never
    holds more than that (unbounded, it holds the 512 MB, then parses it)."""
    run = hostile_update(
        hostile, tmp_path, Fault("gzip-bomb", size=512 << 20), **{"MAX_ANSWER_BYTES": 16 << 20}
    )
    assert run.returncode == 1 and "larger than 16 MB decoded" in run.stderr, run
    assert_bounded(run)
    assert_six_not_locked(tmp_path)


def test_a_dripping_answer_ends_at_the_deadline(hostile: FixtureIndex, tmp_path: Path) -> None:
    """A byte every 50 ms: with a 1 s deadline per answer the child gives up after its
    retries, in seconds, spending almost no CPU (unbounded: an hour per answer)."""
    run = hostile_update(hostile, tmp_path, Fault("drip"), ANSWER_DEADLINE=1.0)
    assert run.returncode == 1 and "did not arrive within 1 s" in run.stderr, run
    assert_bounded(run, cpu=5.0)
    assert_six_not_locked(tmp_path)


def test_dripped_headers_end_at_the_deadline(hostile: FixtureIndex, tmp_path: Path) -> None:
    """A status line, then a header a byte every 2 s, never ending: no read waits 30 s and
    no body ever starts, yet the child gives up after its retries, in seconds, because the
    1 s deadline runs from the request (unbounded: forever)."""
    run = hostile_update(hostile, tmp_path, Fault("header-drip"), ANSWER_DEADLINE=1.0)
    assert run.returncode == 1 and "did not arrive within 1 s" in run.stderr, run
    assert_bounded(run, cpu=5.0)
    assert_six_not_locked(tmp_path)


def test_a_gzip_bomb_download_stops_at_the_cap_and_leaves_nothing(
    hostile: FixtureIndex, tmp_path: Path
) -> None:
    """A wheel download that inflates to 512 MB; `collect` with the cap lowered to 16 MB
    stops there, in bounded memory and time, and its output folder stays empty."""
    name = "demo-1.0-py3-none-any.whl"
    hostile.routes[f"/files/{name}"] = (200, "application/zip", b"never sent")
    hostile.inject(f"/files/{name}", Fault("gzip-bomb", size=512 << 20))
    fetch = tmp_path / "fetch.json"
    url = f"{hostile.url}/files/{name}"
    fetch.write_text(json.dumps([{"filename": name, "url": url, "sha256": "0" * 64}]))
    (tmp_path / "cells.json").write_text("[]")
    out = tmp_path / "out"
    run = run_generator_measured(
        "collect", "--fetch", str(fetch), "--cells", str(tmp_path / "cells.json"),
        "--wheels", str(tmp_path / "none"), "--no-dependencies", "--output-dir", str(out),
        overrides={"generator.publish.fetch.MAX_WHEEL_BYTES": 16 << 20}, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert run.returncode == 1 and "larger than 16 MB decoded" in run.stderr, run
    assert_bounded(run)
    assert list(out.iterdir()) == []
