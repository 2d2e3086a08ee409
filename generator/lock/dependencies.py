"""Runtime dependencies of locked cells: is each one served, or must this repo build it too?

For each cell, the release's Requires-Dist is evaluated with the markers of that Python and
arch on Linux. A dependency is served by (1) a cell of a module this lock builds or fetches,
or (2) a compatible wheel of a matching release on the index (packaging.tags, the same rule
as cell statuses). What neither serves is put to pip, the resolver of record: only when pip
also finds no wheel does the dependency become an *implied* build. Asking pip for every
cell would cost a process and an index round trip per cell (minutes for a big matrix); the
tag check answers the common case in memory and pip decides the rest.

pip is not asked when the index lists no wheel at all that it could take for the cell's
arch (of any release the specifier admits, yanked and pre-releases included): pip only
chooses among those files, so its answer is known to be no. A pip run costs about a
second of CPU, and those were most of an update's time (12 runs for 200 modules).
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.core.cells import Cell
from generator.core.platforms import marker_environment
from generator.core.tags import best_wheel, is_pure, pip_target_args, wheels_for_arch
from generator.core.versions import python_allowed
from generator.errors import Failure
from generator.lock.model import LockedCell, LockedModule
from generator.lock.statuses import pure_wheels_are_built
from generator.pip import missing_distribution, offline_env, run_pip
from generator.pypi.client import PyPIClient
from generator.pypi.models import Release

PIP_TIMEOUT = 120  # seconds per pip run: a run of `update` must end in bounded time
# pip runs at a time: each is about a second of CPU, partly waiting on the index
PIP_PROCESSES = max(4, 2 * (os.cpu_count() or 2))


@dataclass(frozen=True, order=True)
class Need:
    """A dependency no wheel serves for one cell: an implied build of `cell`."""

    cell: Cell  # of the dependency (canonical name, the version to build)
    needed_by: str  # the module whose cell needs it


@dataclass(frozen=True)
class Needs:
    needs: tuple[Need, ...]
    problems: tuple[str, ...]  # dependencies nothing can serve (no wheel, no sdist)


def cell_requirements(requires_dist: Sequence[str], python: str, arch: str) -> list[Requirement]:
    """The requirements that apply to this cell (extras are not installed, so `extra ==`
    markers are false); unparsable lines are left out, as pip would warn and skip them."""
    found = []
    for line in requires_dist:
        requirement = _requirement(line)
        if requirement is not None and _applies(line, python, arch):
            found.append(requirement)
    return found


# Cached: every cell of a release, and many releases, repeat the same lines; parsing them
# was a fifth of the dependency check. Requirements are never mutated here.
@functools.lru_cache(maxsize=16384)
def _requirement(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


@functools.lru_cache(maxsize=65536)
def _applies(line: str, python: str, arch: str) -> bool:
    requirement = _requirement(line)
    assert requirement is not None
    marker = requirement.marker
    return marker is None or marker.evaluate(marker_environment(python, arch))


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
        # (dependency, specifier, python, arch) → verdict of the tag check: many cells of
        # many modules ask the same
        self._verdicts: dict[tuple[str, str, str, str], _Verdict] = {}
        self._matches: dict[tuple[str, str], list[Release]] = {}
        self._lock = threading.Lock()

    def needs_of(self, module: LockedModule) -> Needs:
        checks = [
            (requirement, entry.cell)
            for locked in module.versions
            for entry in locked.cells
            if entry.status.served
            for requirement in cell_requirements(
                locked.requires_dist, entry.cell.python, entry.cell.arch
            )
            if canonicalize_name(requirement.name) != module.name
        ]
        if self.pip_check:
            # All of this module's questions to pip at once, not one process after another.
            self.pip_check.ask_all(self._pip_questions(checks))
        needs: set[Need] = set()
        problems: list[str] = []
        for requirement, cell in checks:
            need, problem = self._check(requirement, cell)
            needs.update([need] if need else [])
            problems.extend([problem] if problem else [])
        return Needs(tuple(sorted(needs)), tuple(dict.fromkeys(problems)))

    def _pip_questions(
        self, checks: Sequence[tuple[Requirement, Cell]]
    ) -> list[tuple[Requirement, str, str]]:
        """The (requirement, python, arch) that _check will put to pip."""
        questions = []
        for requirement, cell in checks:
            name = canonicalize_name(requirement.name)
            if self._served_here(name, requirement.specifier, cell):
                continue
            by_tags = self._by_tags(name, requirement.specifier, cell.python, cell.arch)
            if by_tags.served or by_tags.fallback:
                continue
            if self._pip_could_find(name, requirement.specifier, cell.arch):
                questions.append((requirement, cell.python, cell.arch))
        return questions

    def _check(self, requirement: Requirement, cell: Cell) -> tuple[Need | None, str | None]:
        name = canonicalize_name(requirement.name)
        if self._served_here(name, requirement.specifier, cell):
            return None, None
        verdict = self._verdict(name, requirement, cell.python, cell.arch)
        if verdict.served:
            return None, None
        if verdict.newest_buildable is None:
            return None, (
                f"{cell.module} {cell.version} ({cell.identifier}) needs {requirement}, which "
                "has no compatible wheel and no sdist to build — exclude that cell in matrix.yml"
            )
        return Need(Cell(name, verdict.newest_buildable, cell.python, cell.arch), cell.module), None

    def _verdict(self, name: str, requirement: Requirement, python: str, arch: str) -> _Verdict:
        """Served by a wheel of a matching release, else by pip; else the newest sdist."""
        by_tags = self._by_tags(name, requirement.specifier, python, arch)
        if by_tags.served or by_tags.fallback:  # pip would take the fallback
            return by_tags
        if (
            self.pip_check
            and self._pip_could_find(name, requirement.specifier, arch)
            and self.pip_check.finds_wheel(requirement, python, arch)
        ):
            return _Verdict(served=True)
        return by_tags

    def _by_tags(self, name: str, specifier: SpecifierSet, python: str, arch: str) -> _Verdict:
        key = (name, str(specifier), python, arch)
        with self._lock:
            known = self._verdicts.get(key)
        if known is None:
            known = self._judge_by_tags(name, specifier, python, arch)
            with self._lock:
                self._verdicts[key] = known
        return known

    def _judge_by_tags(
        self, name: str, specifier: SpecifierSet, python: str, arch: str
    ) -> _Verdict:
        """A wheel of a matching release (checked oldest first, stopping at the first:
        each release checked parses its files), or else the newest with an sdist. A pure
        fallback serves nothing: the dependency is built, as a lock cell of it would be."""
        candidates = []
        fallback = False
        for release in self._matching(name, specifier):
            if not python_allowed(release.requires_python, python):
                continue
            candidates.append(release)
            live = (f.filename for f in release.wheels if not f.yanked)
            best = best_wheel(wheels_for_arch(live, arch), python, arch)
            if best is not None and is_pure(best) and pure_wheels_are_built(release):
                fallback = True  # generator.lock.statuses would build this cell
            elif best is not None:
                return _Verdict(served=True)
        buildable = [r for r in candidates if r.sdist is not None]
        return _Verdict(False, str(buildable[-1].version) if buildable else None, fallback)

    def _pip_could_find(self, name: str, specifier: SpecifierSet, arch: str) -> bool:
        """Whether the index lists a wheel pip might take on `arch`: a superset of pip's
        candidates (any file named .whl whose platform a cell on `arch` accepts, of every
        release the specifier admits, yanked or pre-release, or of no valid version)."""
        files = self.client.project_files(name)
        admitted = [
            r for r in files.by_version.values() if specifier.contains(r.version, prereleases=True)
        ]
        listed = [*(f for r in admitted for f in r.files), *files.unversioned]
        wheels = [f.filename for f in listed if f.filename.lower().endswith(".whl")]
        return bool(wheels_for_arch(wheels, arch))

    def _matching(self, name: str, specifier: SpecifierSet) -> list[Release]:
        """Releases that are not yanked and match, oldest first (the same for every cell)."""
        key = (name, str(specifier))
        with self._lock:
            known = self._matches.get(key)
        if known is None:
            known = [
                r
                for r in self.releases(name).values()
                if not r.yanked and specifier.contains(r.version)
            ]
            with self._lock:
                self._matches[key] = known
        return known

    def _served_here(self, name: str, specifier: SpecifierSet, cell: Cell) -> bool:
        """A cell of this lock (built here, or fetched by the publish job) serves it."""
        return any(
            other.cell.python == cell.python
            and other.cell.arch == cell.arch
            and other.status.served
            and specifier.contains(_version(other.cell.version), prereleases=True)
            for other in self.served.get(name, ())
        )

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
        self._asking: dict[tuple[str, str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        # A pip run is about a second of CPU: more at once than cores only adds memory.
        self._runs = threading.BoundedSemaphore(PIP_PROCESSES)

    def finds_wheel(self, requirement: Requirement, python: str, arch: str) -> bool:
        key = (f"{requirement.name}{requirement.specifier}", python, arch)
        with self._lock:
            if key in self._answers:
                return self._answers[key]
            asking = self._asking.setdefault(key, threading.Lock())
        with asking:  # the same question from another thread waits for this answer
            with self._lock:
                known = self._answers.get(key)
            if known is None:
                with self._runs:
                    known = self._ask_pip(key[0], python, arch)
                with self._lock:
                    self._answers[key] = known
        return known

    def ask_all(self, questions: Sequence[tuple[Requirement, str, str]]) -> None:
        """Put several questions to pip side by side; finds_wheel then has the answers."""
        unique = list(dict.fromkeys((str(r), r, python, arch) for r, python, arch in questions))
        if len(unique) < 2:
            return  # finds_wheel asks it when needed
        with ThreadPoolExecutor(max_workers=min(len(unique), PIP_PROCESSES)) as pool:
            list(pool.map(lambda q: self.finds_wheel(q[1], q[2], q[3]), unique))

    def _ask_pip(self, requirement: str, python: str, arch: str) -> bool:
        with tempfile.TemporaryDirectory(prefix="pip-check-") as target:
            done = run_pip(
                [
                    "install",
                    "--dry-run",
                    "--quiet",
                    "--no-deps",
                    "--ignore-installed",
                    "--target",
                    target,
                    "--index-url",
                    self.index_url,
                    *pip_target_args(python, arch),
                    requirement,
                ],
                offline_env(),
                timeout=PIP_TIMEOUT,
                # No marker applies today (one marker-free line, --no-deps); passed so this
                # run is the cell's like every other pip run for a target.
                markers=marker_environment(python, arch),
            )
        if done.returncode == 0:
            return True
        if missing_distribution(done.stderr + done.stdout):
            return False
        tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or "(no output)"
        raise Failure(f"pip could not check {requirement} for Python {python} on {arch}: {tail}")


@dataclass(frozen=True)
class _Verdict:
    served: bool  # a wheel (of a matching release on the index) installs in the cell
    newest_buildable: str | None = None  # else the release to build, if one has an sdist
    fallback: bool = False  # only a pure fallback fits: built, and pip need not be asked


@functools.lru_cache(maxsize=4096)
def _version(text: str) -> Version:
    return Version(text)
