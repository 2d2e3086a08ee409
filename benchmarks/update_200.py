"""Benchmark: `update` for 200 real module names against the real registry.

Runs the update in-process (the verb's own code: one shared client, concurrent) three ways:
  concurrent, cold HTTP cache · sequential (one worker), cold cache · concurrent, warm cache
and reports wall time, HTTP requests, bytes received, and pip runs (the dependency
check's resolver of record). Goals (issue 3): < 10 s for 200 modules, ≤ 1 request per
module, ≥ 5× faster than sequential.

    .venv/bin/python benchmarks/update_200.py [--index-url URL] [--workers 32]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from generator.dependencies import PipCheck
from generator.lock import write_lock
from generator.matrix import parse_matrix
from generator.pypi import PyPIClient, default_index_url
from generator.update import update_lock

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


def run_once(index_url: str, cache: Path, workers: int, root: Path) -> dict[str, Any]:
    matrix = parse_matrix(matrix_text(index_url), root / "matrix.yml")
    pip = PipCheck(index_url)
    pip_runs = 0
    asked = pip._ask_pip

    def counted(*args: str) -> bool:
        nonlocal pip_runs
        pip_runs += 1
        return asked(*args)

    pip._ask_pip = counted  # type: ignore[method-assign]
    started = time.perf_counter()
    with PyPIClient(index_url, cache_dir=cache, max_workers=workers, listing="json-api") as client:
        result = update_lock(matrix, client, None, pip_check=pip)
        stats = client.stats.snapshot()
    seconds = time.perf_counter() - started
    write_lock(root / "matrix.lock.json", result.lock)
    return {"seconds": seconds, "pip_runs": pip_runs, "failures": result.failures,
            "implied": [m.name for m in result.lock.implied_modules()], **stats}  # fmt: skip


def report(label: str, figures: dict[str, Any]) -> None:
    modules = len(MODULES)
    print(f"{label:<28} {figures['seconds']:7.2f} s  {figures['requests']:5d} requests "
          f"({figures['requests'] / modules:.2f}/module, {figures['not_modified']} × 304, "
          f"{figures['cache_hits']} cache hits)  {figures['bytes_received'] / 1e6:7.1f} MB  "
          f"{figures['pip_runs']} pip runs  {len(figures['failures'])} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-url", default=default_index_url())
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    assert len(MODULES) == len(set(MODULES)) == 200, len(set(MODULES))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        concurrent = run_once(args.index_url, root / "cache-a", args.workers, root)
        report(f"concurrent ({args.workers} workers)", concurrent)
        warm = run_once(args.index_url, root / "cache-a", args.workers, root)
        report("concurrent, warm cache", warm)
        if not args.skip_sequential:
            sequential = run_once(args.index_url, root / "cache-b", 1, root)
            report("sequential, cold cache", sequential)
            print(f"speed-up: {sequential['seconds'] / concurrent['seconds']:.1f}×")
        for name, why in sorted(concurrent["failures"].items()):
            print(f"failed: {name}: {why[:200]}")
        print(f"implied modules: {', '.join(concurrent['implied']) or 'none'}")


if __name__ == "__main__":
    main()
