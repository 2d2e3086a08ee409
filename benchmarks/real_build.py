"""Benchmark: one real local build, and the waves a matrix with build-time dependencies needs.

1. Wall time of `generator build` for a small C-extension sdist (cp311, x86_64) in podman on
   the stand-in musllinux image (scripts/musllinux-image): with the image built already
   (warm), and with `--cold` first assembling the image from an empty step cache (about
   10 minutes on a 2-core machine; the image is then kept for the tests).
2. For a synthetic matrix of chains of modules that need the previous one to build: runs
   and jobs of the ordered plan (each dependency built and published before its user) against
   the naive plan (everything in one run, each user compiling its matrix dependencies from
   their sdists in its container — the case this ordering avoids).

    .venv/bin/python benchmarks/real_build.py [--cold] [--chains 20] [--depth 4]

Needs root and podman for part 1 (`--skip-build` runs part 2 only).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the tests' sdist writer

from support.c_sdist import c_extension_sdist  # noqa: E402

from generator.cli import main as generator_main  # noqa: E402
from generator.core.cells import Cell, Status  # noqa: E402
from generator.core.wheels import PublishedWheels, parse_wheel_name  # noqa: E402
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion  # noqa: E402
from generator.matrix.load import parse_matrix  # noqa: E402
from generator.plan.jobs import make_plan  # noqa: E402

CONTAINERS = {
    "CONTAINERS_CONF": str(REPO / "scripts" / "containers.conf"),
    "CONTAINERS_STORAGE_CONF": str(REPO / "scripts" / "storage.conf"),
}


def standin(cold: bool) -> tuple[str, float]:
    env = os.environ | CONTAINERS
    if cold:
        env["MUSLLINUX_STANDIN_CACHE"] = tempfile.mkdtemp(prefix="standin-cold-")
        for ref in _references(env):
            subprocess.run(["podman", "rmi", "-f", ref], env=env, capture_output=True, timeout=300)
    started = time.perf_counter()
    done = subprocess.run(
        [str(REPO / "scripts" / "musllinux-image")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return done.stdout.strip(), time.perf_counter() - started


def _references(env: dict[str, str]) -> list[str]:
    """The image tags the script would print now (asks it without building: they exist)."""
    done = subprocess.run(
        [str(REPO / "scripts" / "musllinux-image"), "--all"],
        env=env | {"MUSLLINUX_STANDIN_CACHE": os.environ.get("MUSLLINUX_STANDIN_CACHE", "")},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return done.stdout.split()


def one_build(image: str) -> float:
    for name, value in CONTAINERS.items():
        os.environ[name] = value
    with tempfile.TemporaryDirectory(prefix="real-build-") as scratch:
        root = Path(scratch)
        (root / "matrix.yml").write_text(
            'defaults: {python: ["3.11"], arch: [x86_64]}\nmodules:\n  benchext: "0.1.0"\n'
        )
        c_extension_sdist(root / "sdist", "benchext", "0.1.0")
        argv = ["build", "--matrix", str(root / "matrix.yml"), "--module", "benchext"]
        argv += ["--version", "0.1.0", "--image", image, "--container-engine", "podman"]
        argv += ["--sdist-dir", str(root / "sdist"), "--output-dir", str(root / "out")]
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = generator_main(argv)
        elapsed = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"the build failed (exit {code})")
    return elapsed


def chained_matrix(chains: int, depth: int) -> tuple[str, Lock]:
    """`chains` × `depth` modules; m<c>-<d> needs m<c>-<d-1> to build."""
    names = [f"m{c}-{d}" for c in range(chains) for d in range(depth)]
    text = 'defaults: {python: ["3.12", "3.13"], arch: [x86_64, aarch64]}\nmodules:\n'
    text += "".join(f'  {name}: "1.0"\n' for name in names)
    modules = {}
    for name in names:
        chain, level = name[1:].split("-")
        cells = tuple(
            LockedCell(Cell(name, "1.0", python, arch), Status.BUILD)
            for python in ("3.12", "3.13")
            for arch in ("x86_64", "aarch64")
        )
        needs = ((f"m{chain}-{int(level) - 1}", "matrix"),) if int(level) else ()
        version = LockedVersion("1.0", None, None, None, False, (), cells, needs)
        modules[name] = LockedModule(name, "1.0", (version,))
    return text, Lock(modules)


def waves(chains: int, depth: int) -> list[int]:
    """Jobs per run of the ordered plan, each run publishing what it built."""
    text, lock = chained_matrix(chains, depth)
    matrix = parse_matrix(text, Path("/nonexistent/matrix.yml"))
    published: list[str] = []
    runs: list[int] = []
    for _run in range(depth + 2):
        plan = make_plan(matrix, lock, PublishedWheels.of(map(parse_wheel_name, published)))
        if not plan.jobs:
            break
        runs.append(len(plan.jobs))
        for job in plan.jobs:
            tags = [identifier.split("-")[0] for identifier in job.identifiers]
            published += [
                f"{job.module.replace('-', '_')}-1.0-{t}-{t}-musllinux_1_2_{job.arch}.whl"
                for t in tags
            ]
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="assemble the image from scratch")
    parser.add_argument("--skip-build", action="store_true", help="only the plan comparison")
    parser.add_argument("--chains", type=int, default=20)
    parser.add_argument("--depth", type=int, default=4)
    args = parser.parse_args()
    if not args.skip_build:
        image, assembled = standin(args.cold)
        built = one_build(image)
        label = "cold (image assembled first)" if args.cold else "warm (image cached)"
        print(f"image {image}: {assembled:.1f} s to {'assemble' if args.cold else 'find'}")
        print(f"one real build, {label}: {built:.1f} s (total {assembled + built:.1f} s)")
    runs = waves(args.chains, args.depth)
    modules = args.chains * args.depth
    naive_compiles = args.chains * sum(range(args.depth)) * 4  # per cell, every ancestor
    print(
        f"{modules} modules in {args.chains} chains of {args.depth}: ordered plan "
        f"{len(runs)} runs, jobs per run {runs} ({sum(runs)} jobs, 0 dependency compiles); "
        f"naive plan 1 run, {modules * 2} jobs, {naive_compiles} dependency compiles "
        "from sdists inside the containers"
    )


if __name__ == "__main__":
    main()
