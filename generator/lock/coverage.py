"""Dead matrix lines: module versions (or whole modules) that this repository builds nothing for.

A line that builds nothing costs nothing, but its owner should know it can go. A version is
*dead* when at least one of its cells is fetched from the index (`upstream` or `pure`) and
none is made here (`build` or `abi3`: an abi3 cell is served by a build of this repository,
so it keeps the line alive). `skip` cells — matrix exclusions, requires-python, no sdist —
neither keep a line alive nor cover it: a version whose every cell is skipped serves nobody
and is not reported as covered. A module is dead when every version it locks is dead; it is
then reported once, without a version, instead of once per version.

Implied modules are not matrix lines (matrix.yml does not list them): they are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.lock.model import Lock, LockedVersion


@dataclass(frozen=True, order=True)
class DeadLine:
    """A module version (or, with `version` None, every locked version) served upstream."""

    module: str
    version: str | None

    @property
    def message(self) -> str:
        what = self.module if self.version is None else f"{self.module} {self.version}"
        return f"upstream covers every cell of {what} — the line can go"


def dead_lines(lock: Lock) -> tuple[DeadLine, ...]:
    """The dead lines of the lock's matrix modules, by module name, versions oldest first."""
    lines: list[DeadLine] = []
    for name in sorted(lock.modules):
        module = lock.modules[name]
        if module.implied or not module.versions:
            continue
        dead = [v.version for v in module.versions if is_covered(v)]
        if len(dead) == len(module.versions):
            lines.append(DeadLine(name, None))
        else:
            lines.extend(DeadLine(name, version) for version in dead)
    return tuple(lines)


def is_covered(version: LockedVersion) -> bool:
    """Every served cell of the version is fetched, and there is at least one."""
    statuses = [cell.status for cell in version.cells]
    return any(s.fetched for s in statuses) and not any(s.made_here for s in statuses)
