"""Build-time dependencies between the modules of the matrix: a job whose sdist needs another
matrix module to build (scipy needs numpy) runs only once that module's wheel for the same
Python and arch is published, and its build container's pip then finds it in wheels/
(PIP_FIND_LINKS) instead of compiling it from source.

A job whose dependency is built in this very run is deferred to the next run, which its
publish job starts (the plan of that run finds the dependency in wheels/). One whose
dependency has no wheel at all (its build failed, or it is excluded) is skipped with the
reason — never a silent compile of the dependency from its sdist. Where the dependency's
own line has no such Python or arch, it is not this repository's to serve: pip takes it from
the index, as it does every requirement that is not a matrix module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from generator.core.cells import Cell
from generator.core.platforms import marker_environment
from generator.core.versions import same_version
from generator.core.wheels import PublishedWheels
from generator.lock.model import Lock
from generator.plan import cibuildwheel as cibw

if TYPE_CHECKING:  # jobs.make_plan calls this module: no import cycle at run time
    from generator.plan.jobs import Job

MAX_DEPTH = 8  # matrix modules needing matrix modules to build: real chains are short


@dataclass(frozen=True)
class Ordered:
    ready: tuple[Job, ...]  # with PIP_FIND_LINKS to their dependencies' wheels/ folders
    deferred: tuple[tuple[Job, str], ...]  # wait for a dependency built in this run
    blocked: tuple[tuple[Job, str], ...]  # a dependency has no wheel and none is built


def matrix_dependencies(lock: Lock | None, module: str, version: str) -> list[Requirement]:
    """The build requirements of a module version that this repository builds."""
    locked = lock.version(module, version) if lock else None
    found = []
    for line, source in locked.build_requires if locked else ():
        if source != "matrix":
            continue
        try:
            found.append(Requirement(line))
        except InvalidRequirement:
            continue
    return found


def with_dependencies(lock: Lock | None, names: Sequence[str]) -> list[str]:
    """`names` plus the matrix modules they need to build and the ones that need them
    (transitively), for `plan --only`: a dispatched dependency brings its waiting users."""
    chosen: list[str] = list(dict.fromkeys(canonicalize_name(n) for n in names))
    modules = lock.modules if lock is not None else {}
    edges: list[tuple[str, str]] = [
        (user, str(canonicalize_name(req.name)))
        for user, locked in modules.items()
        for version in locked.versions
        for req in matrix_dependencies(lock, user, version.version)
    ]
    for _depth in range(MAX_DEPTH):
        more = [dep for user, dep in edges if user in chosen]
        more += [user for user, dep in edges if dep in chosen]
        new = [name for name in dict.fromkeys(more) if name not in chosen]
        if not new:
            break
        chosen += new
    return chosen


def order(
    jobs: Iterable[Job], lock: Lock | None, published: PublishedWheels | None, root: Path
) -> Ordered:
    planned = [job for job in jobs]
    building = {cell for job in planned for cell in job.cells}
    ready: list[Job] = []
    deferred: list[tuple[Job, str]] = []
    blocked: list[tuple[Job, str]] = []
    for job in planned:
        needs = matrix_dependencies(lock, job.module, job.version)
        verdicts = [
            _verdict(req, cell, lock, published, building) for req in needs for cell in job.cells
        ]
        waits = [why for kind, why in verdicts if kind == "wait"]
        missing = [why for kind, why in verdicts if kind == "missing"]
        if missing:
            blocked.append((job, missing[0]))
        elif waits:
            deferred.append((job, waits[0]))
        else:
            folders = [
                f"{cibw.HOST_MOUNT}{root.resolve()}/wheels/{canonicalize_name(r.name)}"
                for r in needs
            ]
            ready.append(replace(job, env=cibw.with_find_links(job.env, folders)))
    return Ordered(tuple(ready), tuple(deferred), tuple(blocked))


def _verdict(
    requirement: Requirement,
    cell: Cell,
    lock: Lock | None,
    published: PublishedWheels | None,
    building: set[Cell],
) -> tuple[str, str]:
    """("ok", "") when a wheel of the dependency serves the cell; ("wait", why) when this
    run builds it; ("missing", why) when nothing does."""
    marker = requirement.marker
    if marker is not None and not marker.evaluate(marker_environment(cell.python, cell.arch)):
        return "ok", ""  # e.g. `cffi; python_version >= '3.15'` for a 3.12 cell
    name = canonicalize_name(requirement.name)
    if not _line_covers(lock, name, cell):
        return "ok", ""  # not this repository's to serve there: pip takes it from the index
    known = lock.versions(name) if lock else ()
    versions = [v for v in known if requirement.specifier.contains(v, prereleases=True)]
    for version in versions:
        dependency = Cell(name, version, cell.python, cell.arch)
        locked = next((c for c in (lock.cells(name) if lock else []) if c.cell == dependency), None)
        if locked is not None and locked.status.fetched:
            return "ok", ""
        if published is not None and published.serves(dependency):
            return "ok", ""
        if any(_same_cell(other, dependency) for other in building):
            return (
                "wait",
                f"waits for {name} {version} ({dependency.identifier}), built in this run",
            )
    return "missing", (
        f"needs {requirement} to build, and no wheel of it serves {cell.identifier} yet "
        "(its build failed or is excluded) — it would compile it from source"
    )


def _line_covers(lock: Lock | None, name: str, cell: Cell) -> bool:
    """The dependency's matrix line has `cell`'s Python and arch (in any state, excluded
    included): where it has not, the dependency is an index requirement like any other."""
    locked = lock.cells(name) if lock else []
    return any((c.cell.python, c.cell.arch) == (cell.python, cell.arch) for c in locked)


def _same_cell(a: Cell, b: Cell) -> bool:
    return (a.module, a.python, a.arch) == (b.module, b.python, b.arch) and same_version(
        a.version, b.version
    )
