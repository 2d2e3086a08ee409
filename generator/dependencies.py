"""Runtime dependencies of locked cells: is each one served, or must this repo build it too?

For each cell, the release's Requires-Dist is evaluated with the markers of that Python and
arch on Linux. A dependency is served by (1) a cell of a module this lock builds or fetches,
or (2) a compatible wheel of a matching release on the index (packaging.tags, the same rule
as cell statuses). What neither serves is put to pip, the resolver of record: only when pip
also finds no wheel does the dependency become an *implied* build. Asking pip for every
cell would cost a process and an index round trip per cell (minutes for a big matrix); the
tag check answers the common case in memory and pip decides the rest.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.errors import Failure
from generator.lock import LockedCell, LockedModule
from generator.publish.closure import offline_env
from generator.pypi.client import PyPIClient
from generator.pypi.models import Release
from generator.wheeltags import best_wheel, musllinux_platforms

PIP_TIMEOUT = 120  # seconds per pip run: a run of `update` must end in bounded time
_NO_MATCH = re.compile(r"No matching distribution found for")


@dataclass(frozen=True, order=True)
class Need:
    """A dependency no wheel serves for one cell: an implied build of `dependency` `version`."""

    dependency: str  # canonical name
    version: str
    python: str
    arch: str
    needed_by: str  # the module whose cell needs it


@dataclass(frozen=True)
class Needs:
    needs: tuple[Need, ...]
    problems: tuple[str, ...]  # dependencies nothing can serve (no wheel, no sdist)


def marker_environment(python: str, arch: str) -> dict[str, str]:
    """PEP 508 marker values of CPython `python` on musllinux `arch`."""
    version = python.rstrip("t")
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "posix",
        "platform_machine": arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": "linux",
        "extra": "",
    }


def cell_requirements(requires_dist: Sequence[str], python: str, arch: str) -> list[Requirement]:
    """The requirements that apply to this cell (extras are not installed, so `extra ==`
    markers are false); unparsable lines are left out, as pip would warn and skip them."""
    environment = marker_environment(python, arch)
    found = []
    for line in requires_dist:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate(environment):
            found.append(requirement)
    return found


class DependencyResolver:
    """Finds the needs of locked modules; shares one client (and its cache) across threads."""

    def __init__(
        self,
        client: PyPIClient,
        served: Mapping[str, Sequence[LockedCell]],
        pip_check: PipCheck | None,
    ) -> None:
        self.client = client
        self.served = served
        self.pip_check = pip_check
        self._releases: dict[str, dict[Version, Release]] = {}
        self._lock = threading.Lock()

    def needs_of(self, module: LockedModule) -> Needs:
        needs: set[Need] = set()
        problems: list[str] = []
        for locked in module.versions:
            for cell in locked.cells:
                if cell.status == "skip":
                    continue
                for requirement in cell_requirements(locked.requires_dist, cell.python, cell.arch):
                    if canonicalize_name(requirement.name) == module.name:
                        continue
                    need, problem = self._check(requirement, cell)
                    needs.update([need] if need else [])
                    problems.extend([problem] if problem else [])
        return Needs(tuple(sorted(needs)), tuple(dict.fromkeys(problems)))

    def _check(self, requirement: Requirement, cell: LockedCell) -> tuple[Need | None, str | None]:
        name = canonicalize_name(requirement.name)
        if self._served_here(name, requirement.specifier, cell):
            return None, None
        releases = self.releases(name)
        candidates = [
            r for r in releases.values()
            if not r.yanked and requirement.specifier.contains(r.version)
            and _allows(r.requires_python, cell.python)
        ]  # fmt: skip
        for release in candidates:
            wheels = [f.filename for f in release.wheels if not f.yanked]
            if best_wheel(wheels, cell.python, cell.arch):
                return None, None
        if self.pip_check and self.pip_check.finds_wheel(requirement, cell.python, cell.arch):
            return None, None
        buildable = [r for r in candidates if r.sdist is not None]
        if not buildable:
            return None, (
                f"{cell.module} {cell.version} ({cell.identifier}) needs {requirement}, which "
                "has no compatible wheel and no sdist to build — exclude that cell in matrix.yml"
            )
        newest = str(buildable[-1].version)
        return Need(name, newest, cell.python, cell.arch, cell.module), None

    def _served_here(self, name: str, specifier: SpecifierSet, cell: LockedCell) -> bool:
        """A cell of this lock (built here, or fetched by the publish job) serves it."""
        return any(
            other.python == cell.python and other.arch == cell.arch and other.status != "skip"
            and specifier.contains(Version(other.version), prereleases=True)
            for other in self.served.get(name, ())
        )  # fmt: skip

    def releases(self, name: str) -> dict[Version, Release]:
        with self._lock:
            known = self._releases.get(name)
        if known is None:
            known = self.client.project_files(name).releases()
            with self._lock:
                self._releases[name] = known
        return known


class PipCheck:
    """Ask pip whether a requirement has a wheel for a cell: the resolver of record."""

    def __init__(self, index_url: str) -> None:
        self.index_url = index_url
        self._answers: dict[tuple[str, str, str], bool] = {}
        self._lock = threading.Lock()

    def finds_wheel(self, requirement: Requirement, python: str, arch: str) -> bool:
        key = (f"{requirement.name}{requirement.specifier}", python, arch)
        with self._lock:
            if key in self._answers:
                return self._answers[key]
        answer = self._ask_pip(key[0], python, arch)
        with self._lock:
            self._answers[key] = answer
        return answer

    def _ask_pip(self, requirement: str, python: str, arch: str) -> bool:
        version = python.rstrip("t")
        abi = f"cp{version.replace('.', '')}{'t' if python.endswith('t') else ''}"
        platforms = [arg for p in musllinux_platforms(arch) for arg in ("--platform", p)]
        with tempfile.TemporaryDirectory(prefix="pip-check-") as target:
            command = [
                sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps",
                "--ignore-installed", "--target", target, "--index-url", self.index_url,
                "--only-binary=:all:", "--implementation", "cp", "--python-version", version,
                "--abi", abi, "--abi", "abi3", "--abi", "none", *platforms, requirement,
            ]  # fmt: skip
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, env=offline_env(),
                    timeout=PIP_TIMEOUT, check=False,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                raise Failure(
                    f"pip did not answer within {PIP_TIMEOUT} s whether {requirement} has a "
                    f"wheel for Python {python} on {arch} — the index may be slow; retry"
                ) from None
        if done.returncode == 0:
            return True
        if _NO_MATCH.search(done.stderr + done.stdout):
            return False
        tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or "(no output)"
        raise Failure(f"pip could not check {requirement} for Python {python} on {arch}: {tail}")


def _allows(requires_python: str | None, python: str) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(Version(python.rstrip("t")), prereleases=True)
    except InvalidSpecifier:
        return True
