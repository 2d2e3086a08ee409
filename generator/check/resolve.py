"""Resolve requirements as pip would on musllinux for one target, and classify the closure.

pip is the resolver (markers, extras, pins and ranges as pip honours them): `install
--dry-run --report` with the target's tags (core.tags.pip_target_args: the three musllinux
minors, binary only) and markers (pip.run_pip). Binary only, pip stops at the first
distribution without a usable wheel, naming it; a placeholder wheel of the release pip on
Alpine would build (check.builds) goes into a find-links folder and pip runs again. Each
round learns one distribution, so the rounds are bounded by MAX_ROUNDS.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, TypeAdapter

from generator.check.builds import PURE_FALLBACK, build_verdict
from generator.check.metadata import requires_dist
from generator.check.model import Source, Target, TargetReport, Verdict
from generator.check.placeholders import write_placeholder
from generator.check.requirements import RequirementLine
from generator.core.tags import is_pure, is_pure_fallback, pip_target_args
from generator.errors import Failure, UserError
from generator.fileio import read_json, validated
from generator.lock.dependencies import marker_environment
from generator.pip import offline_env, run_pip
from generator.pypi.client import ProjectNotFound, PyPIClient

MAX_ROUNDS = 64  # distributions without a wheel in one closure; more is a runaway loop
PIP_TIMEOUT = 300  # seconds per pip run
# pip 25+ adds " (from REQUIRER)" after the requirement.
_NO_MATCH = re.compile(
    r"No matching distribution found for (.+?)(?: \(from [^()]*\))?$", re.MULTILINE
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


def check_target(
    requirements: Sequence[RequirementLine], target: Target, sources: Sources, work: Path
) -> TargetReport:
    """The closure of `requirements` on `target`, each distribution classified. `work` is
    an empty scratch folder."""
    placeholders = work / "placeholders"
    links = _link_local_wheels(sources.local_wheels, work / "local")
    placeholders.mkdir()
    constraints = work / "constraints.txt"
    constraints.write_text("".join(f"{r.requirement}\n" for r in requirements if r.constraint))
    wanted = [str(r.requirement) for r in requirements if not r.constraint]
    learned: dict[str, Verdict] = {}
    warnings: list[str] = []
    for _ in range(MAX_ROUNDS):
        report = work / "report.json"
        args = _pip_args(target, sources, placeholders, links, constraints, report)
        done = run_pip(
            [*args, *wanted],
            offline_env(),
            timeout=PIP_TIMEOUT,
            markers=marker_environment(target.python, target.arch),
        )
        if done.returncode == 0:
            verdicts = [
                _asked(_classify(item, learned, sources, links), requirements)
                for item in _read_report(report)
            ]
            return TargetReport(target, tuple(sorted(verdicts, key=_order)), tuple(warnings))
        missing = _missing(done.stdout + done.stderr, target)
        verdict, warning = _learn(missing, learned, requirements, sources, target, placeholders)
        learned[verdict.name] = verdict
        warnings += [warning] if warning else []
    raise Failure(
        f"{target.label}: more than {MAX_ROUNDS} distributions have no wheel — check fewer "
        "requirements at a time"
    )


def _read_report(report: Path) -> list[_Install]:
    fix = "rerun; this is a bug if it repeats"
    data = read_json(report, "pip's report", fix)
    return validated(_REPORT, data, str(report), "pip's report", fix).install


def _learn(
    missing: Requirement,
    learned: dict[str, Verdict],
    requirements: Sequence[RequirementLine],
    sources: Sources,
    target: Target,
    placeholders: Path,
) -> tuple[Verdict, str | None]:
    """The verdict on a distribution pip found no wheel of, its placeholder written."""
    name = canonicalize_name(missing.name)
    if name in learned:
        raise Failure(
            f"{target.label}: pip still finds no {missing} after a stand-in for "
            f"{name} {learned[name].version} — the requirements ask for two versions of "
            "it; pin one"
        )
    where = _where(name, requirements)
    try:
        files = sources.pypi.project_files(name)
        verdict = build_verdict(missing, files, target)
    except ProjectNotFound:
        raise UserError(
            f"{where}{missing.name} is not on the index {sources.pypi.index_url} — check "
            "its spelling (or set PIP_INDEX_URL to the index that has it)"
        ) from None
    except UserError as error:
        raise UserError(f"{where}{error}") from None
    requires, warning = requires_dist(sources.pypi, name, verdict.version, files)
    write_placeholder(placeholders, name, verdict.version, requires)
    return verdict, warning


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
        "--ignore-installed",
        "--quiet",
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


def _missing(output: str, target: Target) -> Requirement:
    """The requirement pip found no wheel for; a clear error for any other failure."""
    match = _NO_MATCH.search(output)
    if match:
        try:
            return Requirement(match.group(1).strip())
        except InvalidRequirement:
            pass
    lines = [line for line in output.strip().splitlines() if line.strip()]
    tail = " | ".join(lines[-6:]) or "(no output)"
    if "ResolutionImpossible" in output:
        raise UserError(
            f"{target.label}: the requirements conflict: {tail} — loosen one of the pins"
        )
    raise Failure(f"{target.label}: pip failed: {tail}")


def _classify(
    item: _Install, learned: dict[str, Verdict], sources: Sources, links: Path | None
) -> Verdict:
    name = canonicalize_name(item.metadata.name)
    version = item.metadata.version
    if name in learned:
        return replace(learned[name], requested=item.requested)
    url = item.download_info.url
    filename = unquote(urlsplit(url).path.rpartition("/")[2])
    if links is not None and url.startswith("file:") and _path(url).parent == links:
        return Verdict(name, version, Source.REPOSITORY, filename, item.requested)
    if sources.repository is not None and _lists(sources.repository, name, filename):
        return Verdict(name, version, Source.REPOSITORY, filename, item.requested)
    if is_pure(filename) and _pure_fallback(sources.pypi, name, version, filename):
        return Verdict(name, version, Source.COMPILE, PURE_FALLBACK, item.requested)
    return Verdict(name, version, Source.PYPI, filename, item.requested)


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
    if release is None or release.sdist is None:
        return False
    return is_pure_fallback(filename, (f.filename for f in release.files))


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
