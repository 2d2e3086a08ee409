"""Resolve requirements as pip would on musllinux for one target, and classify the closure.

pip is the resolver (markers, extras, pins and ranges as pip honours them): `install
--dry-run --report` with the target's tags (core.tags.pip_target_args: the three musllinux
minors, binary only) and markers (pip.run_pip). Binary only, pip stops at the first
distribution without a usable wheel, naming it; a placeholder wheel of the release pip on
Alpine would build (check.builds) goes into a find-links folder and pip runs again. Binary
only, pip also passes a newer release that has only an sdist for the target by for an
older wheel, where pip on Alpine would build the newer one: after each resolution, such a
release of each distribution gets a placeholder too, and pip runs again (it takes the
placeholder unless another requirement forbids that version). Each round learns at least
one release, so the rounds are bounded by MAX_ROUNDS.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, TypeAdapter

from generator.check.builds import (
    PURE_FALLBACK,
    build_verdict,
    candidates,
    has_wheel,
    newer_build,
)
from generator.check.metadata import requires_dist
from generator.check.model import Source, Target, TargetReport, Verdict
from generator.check.placeholders import write_placeholder
from generator.check.requirements import RequirementLine
from generator.core.platforms import marker_environment
from generator.core.tags import is_pure, pip_target_args
from generator.errors import Failure, UserError
from generator.fileio import read_json, validated
from generator.lock.statuses import pure_wheels_are_built
from generator.pip import PIP_TIMEOUT, missing_requirement, offline_env, run_pip
from generator.pypi.client import ProjectNotFound, PyPIClient
from generator.pypi.models import ProjectFiles

MAX_ROUNDS = 64  # distributions without a wheel in one closure; more is a runaway loop
# "The user requested (constraint) x<2", "app 1.0 depends on x==1.0"
_CAUSE = re.compile(r"^(?:The user requested(?: \(constraint\))?|.+? depends on) (.+)$")
_UNAVAILABLE = (
    "Additionally, some packages in these conflicts have no matching distributions "
    "available for your environment:"
)


@dataclass(frozen=True)
class Sources:
    """Where wheels come from: the index pip resolves from (PyPI), and this repository."""

    pypi: PyPIClient
    repository: PyPIClient | None = None  # the published index (--index-url)
    local_wheels: tuple[Path, ...] = ()  # wheels/ of a checkout


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    version: str


class _DownloadInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: str


class _Install(BaseModel):
    model_config = ConfigDict(extra="ignore")
    metadata: _Metadata
    download_info: _DownloadInfo
    requested: bool = False


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")
    install: list[_Install]


_REPORT = TypeAdapter(_Report)


@dataclass
class _Rounds:
    """One target's resolution so far: the releases given placeholders, and why."""

    requirements: Sequence[RequirementLine]
    target: Target
    sources: Sources
    placeholders: Path  # the find-links folder of the placeholder wheels
    learned: dict[tuple[str, str], Verdict] = field(default_factory=dict)  # (name, version)
    looked_newer: set[str] = field(default_factory=set)  # names newer_build was asked about
    warnings: list[str] = field(default_factory=list)


def check_target(
    requirements: Sequence[RequirementLine], target: Target, sources: Sources, work: Path
) -> TargetReport:
    """The closure of `requirements` on `target`, each distribution classified. `work` is
    an empty scratch folder."""
    rounds = _Rounds(requirements, target, sources, work / "placeholders")
    links = _link_local_wheels(sources.local_wheels, work / "local")
    rounds.placeholders.mkdir()
    constraints = work / "constraints.txt"
    constraints.write_text("".join(f"{r.requirement}\n" for r in requirements if r.constraint))
    wanted = [str(r.requirement) for r in requirements if not r.constraint]
    for _ in range(MAX_ROUNDS):
        report = work / "report.json"
        args = _pip_args(target, sources, rounds.placeholders, links, constraints, report)
        done = run_pip(
            [*args, *wanted],
            offline_env(),
            timeout=PIP_TIMEOUT,
            markers=marker_environment(target.python, target.arch),
        )
        if done.returncode != 0:
            for missing in _missing(done.stdout + done.stderr, rounds):
                _learn(missing, rounds)
            continue
        installs = _read_report(report)
        if not _learn_newer(installs, rounds):
            verdicts = [_asked(_classify(item, rounds, links), requirements) for item in installs]
            return TargetReport(target, tuple(sorted(verdicts, key=_order)), tuple(rounds.warnings))
    raise Failure(
        f"{target.label}: more than {MAX_ROUNDS} distributions have no wheel — check fewer "
        "requirements at a time"
    )


def _read_report(report: Path) -> list[_Install]:
    fix = "rerun; this is a bug if it repeats"
    data = read_json(report, "pip's report", fix)
    return validated(_REPORT, data, str(report), "pip's report", fix).install


def _learn(missing: Requirement, rounds: _Rounds) -> None:
    """A placeholder for the release pip on Alpine would build of a distribution pip found
    no wheel of."""
    name = canonicalize_name(missing.name)
    where = _where(name, rounds.requirements)
    files = _project_files(name, rounds.sources, where)
    specifier = _specifier(name, missing.specifier, rounds)
    try:
        verdict = build_verdict(name, specifier, files, rounds.target)
    except UserError as error:
        raise UserError(f"{where}{error}") from None
    if (name, verdict.version) in rounds.learned:
        raise Failure(
            f"{rounds.target.label}: pip still finds no {missing} after a stand-in for "
            f"{name} {verdict.version} — the requirements ask for two versions of it; pin one"
        )
    _place(verdict, files, rounds)


def _learn_newer(installs: Sequence[_Install], rounds: _Rounds) -> bool:
    """Placeholders for the newer releases pip on Alpine would build instead of the wheels
    a binary-only resolution chose; False when there are none to try."""
    placed = False
    for item in installs:
        name = canonicalize_name(item.metadata.name)
        if name in rounds.looked_newer or _is_placeholder(item, rounds):
            continue
        rounds.looked_newer.add(name)
        try:
            files = rounds.sources.pypi.project_files(name)
            chosen = Version(item.metadata.version)
        except (ProjectNotFound, InvalidVersion):
            continue  # only this repository has it, or pip read a version packaging cannot
        specifier = _specifier(name, SpecifierSet(), rounds)
        verdict = newer_build(name, specifier, files, rounds.target, than=chosen)
        if verdict is not None and (name, verdict.version) not in rounds.learned:
            _place(verdict, files, rounds)
            placed = True
    return placed


def _project_files(name: str, sources: Sources, where: str) -> ProjectFiles:
    try:
        return sources.pypi.project_files(name)
    except ProjectNotFound:
        raise UserError(
            f"{where}{name} is not on the index {sources.pypi.index_url} — check "
            "its spelling (or set PIP_INDEX_URL to the index that has it)"
        ) from None


def _specifier(name: str, printed: SpecifierSet, rounds: _Rounds) -> SpecifierSet:
    """What pip allows of `name`: the requirement it printed and every requirement and
    constraint line that names it (and whose marker holds on the target)."""
    environment = marker_environment(rounds.target.python, rounds.target.arch)
    specifier = SpecifierSet(str(printed))
    for line in rounds.requirements:
        requirement = line.requirement
        marker = requirement.marker
        if canonicalize_name(requirement.name) == name and (
            marker is None or marker.evaluate(environment)
        ):
            specifier &= requirement.specifier
    return specifier


def _place(verdict: Verdict, files: ProjectFiles, rounds: _Rounds) -> None:
    """Write the placeholder of `verdict`'s release, with that release's dependencies."""
    requires, warning = requires_dist(rounds.sources.pypi, verdict.name, verdict.version, files)
    write_placeholder(rounds.placeholders, verdict.name, verdict.version, requires)
    rounds.learned[(verdict.name, verdict.version)] = verdict
    rounds.warnings += [warning] if warning else []


def _pip_args(
    target: Target,
    sources: Sources,
    placeholders: Path,
    links: Path | None,
    constraints: Path,
    report: Path,
) -> list[str]:
    args = [
        "install",
        "--dry-run",
        "--ignore-installed",  # not --quiet: pip explains a conflict only without it
        "--report",
        str(report),
        "--target",
        str(placeholders.parent / "target"),
        "--index-url",
        sources.pypi.index_url,
        "--find-links",
        str(placeholders),
        "-c",
        str(constraints),
        *pip_target_args(target.python, target.arch),
    ]
    if sources.repository is not None:
        args += ["--extra-index-url", sources.repository.index_url]
    if links is not None:
        args += ["--find-links", str(links)]
    return args


def _missing(output: str, rounds: _Rounds) -> list[Requirement]:
    """The requirements pip found no wheel for; a clear error for any other failure."""
    requirement = missing_requirement(output)
    if requirement is not None:
        try:
            return [Requirement(requirement)]
        except InvalidRequirement:
            pass
    # A constraint on a project without wheels makes pip report a conflict, naming the
    # project as one with no matching distributions.
    causes = _indented_after(output, "The conflict is caused by:")
    unavailable = [n for n in _indented_after(output, _UNAVAILABLE) if _is_name(n)]
    # pip names these for a genuine conflict too: only a release that every cause allows
    # and that has no wheel for the target makes it a missing wheel.
    missing = [_cause_requirement(name, causes, rounds) for name in unavailable]
    if unavailable and all(missing):
        return [requirement for requirement in missing if requirement is not None]
    if "ResolutionImpossible" in output:
        raise UserError(
            f"{_conflict_where(causes, rounds.requirements)}{rounds.target.label}: the "
            f"requirements conflict ({'; '.join(causes) or 'pip says ResolutionImpossible'})"
            " — loosen one of the pins"
        )
    lines = [line for line in output.strip().splitlines() if line.strip()]
    tail = " | ".join(lines[-6:]) or "(no output)"
    raise Failure(f"{rounds.target.label}: pip failed: {tail}")


def _cause_requirement(name: str, causes: Sequence[str], rounds: _Rounds) -> Requirement | None:
    """`name` with what every cause of the conflict asks of it, when some release allows
    all of that but has no wheel for the target; None for a genuine conflict."""
    specifier = _specifier(canonicalize_name(name), SpecifierSet(), rounds)
    for cause in causes:
        match = _CAUSE.match(cause)
        try:
            requirement = Requirement(match.group(1)) if match else None
        except InvalidRequirement:
            continue
        if requirement and canonicalize_name(requirement.name) == canonicalize_name(name):
            specifier &= requirement.specifier
    try:
        files = rounds.sources.pypi.project_files(name)
    except ProjectNotFound:
        return None
    releases = candidates(specifier, files, rounds.target)
    if not releases or any(has_wheel(release, rounds.target) for release in releases):
        return None
    return Requirement(f"{name}{specifier}")


def _indented_after(output: str, heading: str) -> list[str]:
    """The indented lines that follow `heading` in pip's output, stripped."""
    lines = output.splitlines()
    if heading not in lines:
        return []
    found = []
    for line in lines[lines.index(heading) + 1 :]:
        if not line.startswith(" ") or not line.strip():
            break
        found.append(line.strip())
    return found


def _is_name(text: str) -> bool:
    try:
        return Requirement(text).name == text
    except InvalidRequirement:
        return False


def _conflict_where(causes: Sequence[str], requirements: Sequence[RequirementLine]) -> str:
    """`requirements.txt: `: the files of the lines that name a project of the conflict
    (of all lines when pip names none of them)."""
    named = {
        canonicalize_name(word)
        for cause in causes
        for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", cause)
    }
    lines = [r for r in requirements if canonicalize_name(r.requirement.name) in named]
    files = dict.fromkeys(_file_of(r.where) for r in lines or requirements)
    return f"{', '.join(files)}: " if files else ""


def _file_of(where: str) -> str:
    """`requirements.txt` of `requirements.txt:3` (`argument 1` stays as it is)."""
    file, colon, number = where.rpartition(":")
    return file if colon and number.isdigit() else where


def _classify(item: _Install, rounds: _Rounds, links: Path | None) -> Verdict:
    name = canonicalize_name(item.metadata.name)
    version = item.metadata.version
    if _is_placeholder(item, rounds):
        return replace(rounds.learned[(name, version)], requested=item.requested)
    sources = rounds.sources
    url = item.download_info.url
    filename = unquote(urlsplit(url).path.rpartition("/")[2])
    if links is not None and url.startswith("file:") and _path(url).parent == links:
        return Verdict(name, version, Source.REPOSITORY, filename, item.requested)
    if sources.repository is not None and _lists(sources.repository, name, filename):
        return Verdict(name, version, Source.REPOSITORY, filename, item.requested)
    if is_pure(filename) and _pure_fallback(sources.pypi, name, version, filename):
        return Verdict(name, version, Source.COMPILE, PURE_FALLBACK, item.requested)
    return Verdict(name, version, Source.PYPI, filename, item.requested)


def _is_placeholder(item: _Install, rounds: _Rounds) -> bool:
    url = item.download_info.url
    return url.startswith("file:") and _path(url).parent == rounds.placeholders


def _where(name: str, requirements: Sequence[RequirementLine]) -> str:
    """`requirements.txt:3: ` for a distribution the requirements name; "" for the others."""
    for line in requirements:
        if canonicalize_name(line.requirement.name) == name:
            return f"{line.where}: "
    return ""


def _asked(verdict: Verdict, requirements: Sequence[RequirementLine]) -> Verdict:
    """The verdict with the specifier the requirements give it (pins stay pins in `add`)."""
    for line in requirements:
        if not line.constraint and canonicalize_name(line.requirement.name) == verdict.name:
            return replace(verdict, specifier=str(line.requirement.specifier))
    return verdict


def _path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def _lists(index: PyPIClient, name: str, filename: str) -> bool:
    try:
        return any(f.filename == filename for f in index.project_files(name).files)
    except UserError:  # not on that index at all
        return False


def _pure_fallback(pypi: PyPIClient, name: str, version: str, filename: str) -> bool:
    """A pure wheel pip took from a release that ships platform wheels too, and an sdist
    to build the real one from (without one, the fallback is all there is)."""
    try:
        release = pypi.project_files(name).releases().get(Version(version))
    except InvalidVersion:
        return False
    return release is not None and pure_wheels_are_built(release)


def _link_local_wheels(wheels: Sequence[Path], folder: Path) -> Path | None:
    """One find-links folder for wheels/<project>/<file> (pip does not look into subfolders)."""
    if not wheels:
        return None
    folder.mkdir()
    for wheel in wheels:
        link = folder / wheel.name
        if not link.exists():
            link.symlink_to(wheel.resolve())
    return folder


def _order(verdict: Verdict) -> tuple[bool, str]:
    return (verdict.source.served, verdict.name)


def check_targets(
    requirements: Sequence[RequirementLine], targets: Sequence[Target], sources: Sources
) -> list[TargetReport]:
    """check_target for each target, each in a scratch folder of its own."""
    reports = []
    for target in targets:
        with tempfile.TemporaryDirectory(prefix="check-") as work:
            reports.append(check_target(requirements, target, sources, Path(work)))
    return reports
