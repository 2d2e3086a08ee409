"""Benchmark: `update` for 200 real module names against the real registry.

Runs the update in-process (the verb's own code: one shared client, concurrent, the CLI's
number of workers unless --workers says otherwise) three ways:
  concurrent, cold HTTP cache · concurrent, warm cache · sequential (one worker), cold cache
and reports for each: wall time (and when the module phase ended, the rest being the
dependency check), CPU time in this process and in pip, HTTP requests counted per
distinct project (a project asked for twice in one run shows as `max 2/project`),
requests that are not project listings (PEP 658 metadata, per-version JSON), bytes
received, and pip runs (the dependency check's resolver of record).

Goals (issue 3): < 10 s for 200 modules, ≤ 1 request per project, ≥ 5× faster than
sequential, a cheaper second run with a warm cache.

    .venv/bin/python benchmarks/update_200.py [--index-url URL] [--workers N]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.lock.dependencies import PipCheck
from generator.lock.model import write_lock
from generator.lock.update import update_lock
from generator.matrix.load import parse_matrix
from generator.pypi import PyPIClient, default_index_url
from generator.pypi.client import DEFAULT_WORKERS

# Popular projects on PyPI (a fixed list, so runs compare): mostly compiled ones, which is
# what this repository is for, plus the pure projects they depend on.
MODULES = """
aiohttp aiosignal annotated-types anyio argon2-cffi argon2-cffi-bindings asn1crypto
attrs babel bcrypt beautifulsoup4 bitarray black bleach blinker boto3 botocore brotli
cachetools certifi cffi chardet charset-normalizer click cloudpickle colorama coverage
cramjam cryptography cycler cython debugpy decorator defusedxml deprecated dill distlib
distro dnspython docutils et-xmlfile exceptiongroup fastapi fastjsonschema filelock
fonttools frozenlist fsspec gevent google-crc32c greenlet grpcio grpcio-tools h11 h5py
httpcore httptools httpx idna importlib-metadata iniconfig isodate itsdangerous jinja2
jiter jmespath joblib jsonpointer jsonschema jsonschema-specifications kiwisolver lxml
lz4 markdown markupsafe matplotlib mccabe more-itertools msgpack multidict mypy
mypy-extensions mysqlclient netifaces numpy oauthlib openpyxl orjson packaging pandas
paramiko pathspec pendulum pexpect pillow platformdirs pluggy ply prompt-toolkit
propcache protobuf psutil psycopg psycopg-binary psycopg2 psycopg2-binary ptyprocess
pyarrow pyasn1 pyasn1-modules pycparser pycryptodome pycryptodomex pydantic
pydantic-core pygments pyjwt pymongo pymysql pynacl pyodbc pyopenssl pyparsing pyrsistent
pytest python-dateutil python-dotenv python-ldap pytz pyyaml pyzmq rapidfuzz referencing
regex requests requests-oauthlib rich rpds-py rsa ruamel-yaml ruamel-yaml-clib s3transfer
scikit-learn scipy setproctitle setuptools simplejson six sniffio snowballstemmer
sortedcontainers soupsieve sqlalchemy starlette tabulate tenacity threadpoolctl tokenizers
toml tomli tomlkit tornado tqdm typing-extensions typing-inspection tzdata tzlocal
ujson urllib3 uvicorn uvloop virtualenv watchdog watchfiles wcwidth websockets werkzeug
wheel wrapt xmltodict xxhash yarl zipp zope-interface zstandard shapely pyproj
pycurl cmake ninja markdown-it-py mdurl jaraco-classes jaraco-functools jaraco-context
keyring secretstorage jeepney backports-tarfile nh3
""".split()  # noqa: SIM905 (a word list reads better than 200 quoted strings)


def matrix_text(index_url: str) -> str:
    lines = [
        f"index-url: {index_url}",
        "defaults:",
        '  python: ["3.12", "3.13", "3.14"]',
        "  arch: [x86_64, i686, aarch64, armv7l]",
        "modules:",
    ]
    lines += [f"  {name}: latest" for name in MODULES]
    return "\n".join(lines) + "\n"


def project_of(url: str) -> str | None:
    """The project a listing URL is for (`/pypi/<name>/json`, `/simple/<name>/`), else None."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) >= 3 and parts[-3] == "pypi" and parts[-1] == "json":
        return parts[-2]
    if len(parts) >= 2 and parts[-2] == "simple":
        return parts[-1]
    return None


def request_figures(by_url: dict[str, int]) -> dict[str, Any]:
    per_project: dict[str, int] = {}
    other = 0
    for url, count in by_url.items():
        project = project_of(url)
        if project is None:
            other += count
        else:
            per_project[project] = per_project.get(project, 0) + count
    return {
        "projects": len(per_project),
        "max_per_project": max(per_project.values(), default=0),
        "twice": sorted(name for name, count in per_project.items() if count > 1),
        "other_requests": other,
    }


class CountedPip(PipCheck):
    """The dependency check as `update` runs it, counting the pip runs it really makes."""

    def __init__(self, index_url: str) -> None:
        super().__init__(index_url)
        self.runs = 0

    def _ask_pip(self, requirement: str, python: str, arch: str) -> bool:
        self.runs += 1
        return super()._ask_pip(requirement, python, arch)


def run_once(index_url: str, cache: Path, workers: int, root: Path) -> dict[str, Any]:
    matrix = parse_matrix(matrix_text(index_url), root / "matrix.yml")
    pip = CountedPip(index_url)
    modules_done = 0.0

    def progress(done: int, total: int, name: str) -> None:
        nonlocal modules_done
        modules_done = time.perf_counter()

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = time.process_time()
    started = time.perf_counter()
    with PyPIClient(index_url, cache_dir=cache, max_workers=workers, listing="json-api") as client:
        result = update_lock(matrix, client, None, pip_check=pip, progress=progress)
        stats = client.stats.snapshot()
        by_url = dict(client.stats.by_url)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pip_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    write_lock(root / "matrix.lock.json", result.lock)
    return {
        "seconds": seconds,
        "module_phase": modules_done - started,
        "cpu": cpu,
        "pip_runs": pip.runs,
        "pip_cpu": pip_cpu,
        "failures": result.failures,
        "implied": [m.name for m in result.lock.implied_modules()],
        **request_figures(by_url),
        **stats,
    }


def report(label: str, figures: dict[str, Any]) -> None:
    print(
        f"{label:<26} {figures['seconds']:6.2f} s (modules {figures['module_phase']:.2f} s, "
        f"then dependencies)  cpu {figures['cpu']:.1f} s here + {figures['pip_cpu']:.1f} s "
        f"in {figures['pip_runs']} pip runs"
    )
    print(
        f"{'':<26} {figures['requests']:4d} requests for {figures['projects']} projects "
        f"(max {figures['max_per_project']}/project, {figures['other_requests']} other; "
        f"{figures['requests'] / len(MODULES):.2f}/module), {figures['not_modified']} × 304, "
        f"{figures['cache_hits']} cache hits, {figures['bytes_received'] / 1e6:.1f} MB, "
        f"{len(figures['failures'])} failed"
    )
    if figures["twice"]:
        print(f"{'':<26} asked more than once: {', '.join(figures['twice'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-url", default=default_index_url())
    # The CLI's own number, so the benchmark measures what `update` does.
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    assert len(MODULES) == len(set(MODULES)) == 200, len(set(MODULES))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        concurrent = run_once(args.index_url, root / "cache-a", args.workers, root)
        report(f"concurrent ({args.workers} workers)", concurrent)
        warm = run_once(args.index_url, root / "cache-a", args.workers, root)
        report("concurrent, warm cache", warm)
        if warm["cache_hits"] + warm["not_modified"] == 0:
            print(
                f"{'':<26} (nothing was cacheable: the index sent no ETag, Cache-Control "
                "or Expires, so a warm cache cannot save a request)"
            )
        if not args.skip_sequential:
            sequential = run_once(args.index_url, root / "cache-b", 1, root)
            report("sequential, cold cache", sequential)
            print(f"speed-up: {sequential['seconds'] / concurrent['seconds']:.1f}×")
        for name, why in sorted(concurrent["failures"].items()):
            print(f"failed: {name}: {why[:200]}")
        print(f"implied modules: {', '.join(concurrent['implied']) or 'none'}")


if __name__ == "__main__":
    main()
