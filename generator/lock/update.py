"""`update`'s work: resolve every module against the index into a new lock.

1. Each module (concurrently, one shared client): its files, its policy's versions, each
   version's metadata, and its cell statuses.
2. Runtime dependencies of every locked cell (generator.lock.dependencies): what nothing serves
   becomes an implied module, whose own dependencies are checked the same way.
A module that fails keeps its previous lock entry; the others are updated regardless.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

from packaging.version import Version

from generator.core.cells import Cell
from generator.core.wheels import FileRef
from generator.errors import GeneratorError
from generator.lock.build_requires import fetch_build_requires, sources
from generator.lock.dependencies import DependencyResolver, Need, PipCheck
from generator.lock.implied import implied_module
from generator.lock.model import Lock, LockedCell, LockedModule, LockedVersion
from generator.lock.statuses import release_cells
from generator.lock.versions import resolve_versions
from generator.matrix.load import LoadedMatrix
from generator.matrix.model import ResolvedModule
from generator.pypi.client import MetadataUnavailable, PyPIClient, unexpected
from generator.pypi.models import ProjectFiles, Release

MAX_IMPLIED_ROUNDS = 4  # dependencies of dependencies...; real chains end after one or two
Progress = Callable[[int, int, str], None]


@dataclass
class UpdateResult:
    lock: Lock
    failures: dict[str, str] = field(default_factory=dict)  # module → why
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Locked:
    module: LockedModule
    warnings: tuple[str, ...]


def update_lock(
    matrix: LoadedMatrix,
    client: PyPIClient,
    old: Lock | None,
    *,
    only: Sequence[str] | None = None,
    pip_check: PipCheck | None = None,
    progress: Progress | None = None,
) -> UpdateResult:
    old = old or Lock()
    targets = [m for m in matrix.modules if only is None or m.name in only]
    result = UpdateResult(Lock())
    done = _Counter(len(targets), progress)

    built_here = {m.name for m in matrix.modules}

    def lock_one(name: str) -> _Locked:
        try:
            return lock_module(client, matrix.module(name), old.module(name), built_here)
        finally:
            done.tick(name)

    fresh = client.map_concurrently(lock_one, [m.name for m in targets])
    modules: dict[str, LockedModule] = {}
    for module in matrix.modules:
        outcome = fresh.get(module.name)
        if isinstance(outcome, _Locked):
            modules[module.name] = outcome.module
            result.warnings.extend(outcome.warnings)
            continue
        if isinstance(outcome, GeneratorError):
            result.failures[module.name] = str(outcome)
        kept = old.module(module.name)
        if kept is not None and not kept.implied:
            modules[module.name] = kept
    _add_implied(matrix, client, modules, old, pip_check, result)
    result.lock = Lock(dict(sorted(modules.items())))
    return result


def lock_module(
    client: PyPIClient,
    module: ResolvedModule,
    old: LockedModule | None = None,
    built_here: Collection[str] = (),
) -> _Locked:
    files = client.project_files(module.name)
    resolved = resolve_versions(module, files)
    versions = []
    warnings = list(resolved.warnings)
    for release in resolved.releases:
        requires_dist, warning = _requires_dist(client, module.name, release, files)
        warnings.extend([warning] if warning else [])
        cells = release_cells(module, release)
        warnings.extend(cells.problems)
        locked = _locked_version(release, requires_dist, cells.cells)
        build, warning = _build_requires(client, module.name, locked, old, built_here)
        warnings.extend([warning] if warning else [])
        versions.append(replace(locked, build_requires=build))
    entry = LockedModule(module.name, _policy_text(module), tuple(versions))
    return _Locked(entry, tuple(warnings))


def _add_implied(
    matrix: LoadedMatrix,
    client: PyPIClient,
    modules: dict[str, LockedModule],
    old: Lock,
    pip_check: PipCheck | None,
    result: UpdateResult,
) -> None:
    """Check dependencies, round by round, adding implied modules until nothing new is needed."""
    wanted: dict[str, set[Cell]] = {}  # dependency → the cells of it something needs
    needed_by: dict[str, set[str]] = {}
    to_check = [name for name in modules if name not in result.failures]
    for _round in range(MAX_IMPLIED_ROUNDS):
        served = {name: [c for v in m.versions for c in v.cells] for name, m in modules.items()}
        resolver = DependencyResolver(client, served, pip_check)
        entries = [modules[name] for name in to_check]
        outcomes = {
            entry.name: outcome
            for entry, outcome in client.map_concurrently(resolver.needs_of, entries).items()
        }
        new_needs: list[Need] = []
        for name, outcome in outcomes.items():
            if isinstance(outcome, GeneratorError):
                _fail(name, f"checking its dependencies: {outcome}", modules, old, result)
                continue
            result.warnings.extend(outcome.problems)
            new_needs.extend(outcome.needs)
        changed = _merge_needs(new_needs, matrix, modules, wanted, needed_by, result)
        if not changed:
            return
        to_check = []
        for name in sorted(changed):
            try:
                modules[name] = _implied_entry(
                    matrix, client, resolver, name, wanted[name], needed_by[name], result
                )
                to_check.append(name)
            except Exception as error:  # even a bug fails this module only, not the update
                why = error if isinstance(error, GeneratorError) else unexpected(error)
                result.failures[name] = f"implied by {', '.join(sorted(needed_by[name]))}: {why}"
    result.warnings.append(
        f"implied dependencies still changing after {MAX_IMPLIED_ROUNDS} rounds; run update again"
    )


def _merge_needs(
    needs: list[Need],
    matrix: LoadedMatrix,
    modules: dict[str, LockedModule],
    wanted: dict[str, set[Cell]],
    needed_by: dict[str, set[str]],
    result: UpdateResult,
) -> set[str]:
    changed: set[str] = set()
    in_matrix = {m.name for m in matrix.modules}
    for need in needs:
        cell = need.cell
        if cell.module in in_matrix:
            result.warnings.append(
                f"{need.needed_by} needs {cell.module} for Python {cell.python} on "
                f"{cell.arch}, which matrix.yml's {cell.module} entry does not build — "
                "add that Python/arch (or a matching version) to it"
            )
            continue
        cells = wanted.setdefault(cell.module, set())
        users = needed_by.setdefault(cell.module, set())
        if cell not in cells or need.needed_by not in users:
            changed.add(cell.module)
        cells.add(cell)
        users.add(need.needed_by)
    return changed


def _implied_entry(
    matrix: LoadedMatrix,
    client: PyPIClient,
    resolver: DependencyResolver,
    name: str,
    cells_needed: set[Cell],
    needed_by: set[str],
    result: UpdateResult,
) -> LockedModule:
    files = client.project_files(name)  # already read by the dependency check: no request
    releases = resolver.releases(name)
    versions = sorted({cell.version for cell in cells_needed}, key=Version)
    module = implied_module(matrix, name, versions, cells_needed)
    locked = []
    for version in versions:
        release = releases[Version(version)]
        requires_dist, warning = _requires_dist(client, name, release, files)
        result.warnings.extend([warning] if warning else [])
        cells = release_cells(module, release, only=cells_needed)
        result.warnings.extend(cells.problems)
        locked.append(_locked_version(release, requires_dist, cells.cells))
    return LockedModule(name, "", tuple(locked), tuple(sorted(needed_by)))


def _fail(
    name: str, why: str, modules: dict[str, LockedModule], old: Lock, result: UpdateResult
) -> None:
    result.failures[name] = why
    kept = old.module(name)
    if kept is not None:
        modules[name] = kept
        for implied in old.implied_modules():  # what the old entry needed stays needed
            if name in implied.implied_by and implied.name not in modules:
                modules[implied.name] = implied
    else:
        modules.pop(name, None)


def _requires_dist(
    client: PyPIClient, name: str, release: Release, files: ProjectFiles | None
) -> tuple[tuple[str, ...], str | None]:
    try:
        return client.release_metadata(name, release.version, files).requires_dist, None
    except MetadataUnavailable as missing:
        return (), f"{name} {release.version}: dependencies not checked ({missing})"


def _build_requires(
    client: PyPIClient,
    name: str,
    entry: LockedVersion,
    old: LockedModule | None,
    built_here: Collection[str],
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The version's build requirements and their sources, for versions that build here;
    the previous lock's answer while the sdist is the same one."""
    if entry.sdist is None or not any(cell.needs_job for cell in entry.cells):
        return (), None
    before = next((v for v in old.versions if v.version == entry.version), None) if old else None
    try:
        if before is not None and before.sdist == entry.sdist and before.build_requires:
            requires = [line for line, _source in before.build_requires]
        else:
            requires = list(fetch_build_requires(client, entry.sdist))
    except GeneratorError as error:
        return (), f"{name} {entry.version}: build requirements not read ({error})"
    return tuple(sorted(sources(requires, built_here).items())), None


def _locked_version(
    release: Release, requires_dist: tuple[str, ...], cells: Sequence[LockedCell]
) -> LockedVersion:
    sdist = release.sdist
    dated = sdist or next((f for f in release.files if f.upload_time), None)
    upload_time = dated.upload_time if dated else None
    return LockedVersion(
        version=str(release.version),
        sdist=FileRef(sdist.filename, sdist.url, sdist.sha256 or "") if sdist else None,
        requires_python=release.requires_python,
        upload_time=upload_time.isoformat().replace("+00:00", "Z") if upload_time else None,
        yanked=release.yanked,
        requires_dist=requires_dist,
        cells=tuple(cells),
    )


def _policy_text(module: ResolvedModule) -> str:
    raw = module.spec.versions
    if raw is None:
        return "default"
    return raw if isinstance(raw, str) else ", ".join(raw)


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress
        self._lock = threading.Lock()

    def tick(self, name: str) -> None:
        with self._lock:
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, name)
