"""Benchmark: `python -m generator render` on a synthetic 1,000-module matrix.

Times the whole verb in-process (load + validate matrix.yml, render every file,
write them) several times and reports the median. Goal (issue 2): < 1 s.

    .venv/bin/python benchmarks/render_1000.py [--modules 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from generator.cli import main as generator_main

ARCHS = ["x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"]


def synthetic_matrix(modules: int) -> str:
    lines = [
        "defaults:",
        '  python: ["3.10", "3.11", "3.12", "3.13", "3.14"]',
        f"  arch: [{', '.join(ARCHS)}]",
        "modules:",
    ]
    for index in range(modules):
        if index % 3 == 0:
            lines.append(f'  module-{index}: ["1.{index}.0", "2.{index}.0"]')
        elif index % 3 == 1:
            lines += [
                f"  module-{index}:",
                f'    versions: "3.{index}"',
                "    apk: [libffi-dev, openssl-dev]",
                "    exclude:",
                "      - {arch: i686, reason: no 32-bit toolchain}",
            ]
        else:
            lines.append(f'  module-{index}: "0.{index}"')
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        matrix = Path(directory) / "matrix.yml"
        matrix.write_text(synthetic_matrix(args.modules))
        timings = []
        for _ in range(args.runs):
            shutil.rmtree(Path(directory) / ".github", ignore_errors=True)  # every run writes
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                assert generator_main(["render", "--matrix", str(matrix)]) == 0
            timings.append(time.perf_counter() - start)
        written = sum(1 for p in Path(directory).rglob("*") if p.is_file())
    print(
        f"render, {args.modules} modules, {args.runs} runs: "
        f"median {statistics.median(timings):.3f} s "
        f"(min {min(timings):.3f}, max {max(timings):.3f}); {written} files written"
    )


if __name__ == "__main__":
    main()
