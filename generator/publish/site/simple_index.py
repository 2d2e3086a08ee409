"""A static PEP 503 simple index (plus PEP 691 JSON) generated from `wheels/`.

    OUT/index.html, OUT/index.json                   the project list
    OUT/<project>/index.html, OUT/<project>/index.json   the files of one project

GitHub Pages cannot negotiate content types, so the PEP 691 form is served at the explicit
`.../simple/<project>/index.json` URL; pip uses the HTML pages. File links carry `#sha256=`
and `data-requires-python` (read from each wheel's METADATA). They point at the files in the
repository (`--base-url`, e.g. raw.githubusercontent.com at a commit) or, by default, are
relative paths to `wheels/` — right for a `file://` index and for a site that ships the files.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.utils import NormalizedName
from packaging.version import Version

from generator.core.wheels import parse_wheel_name, requires_python_of, sha256_of_file
from generator.fileio import path_under
from generator.publish.repository import wheel_paths

_API_VERSION = "1.1"


@dataclass(frozen=True)
class IndexedFile:
    relpath: PurePosixPath  # relative to wheels/
    project: NormalizedName
    version: Version
    sha256: str
    size: int
    requires_python: str | None

    @property
    def filename(self) -> str:
        return self.relpath.name


def scan_wheels(wheels_dir: Path) -> list[IndexedFile]:
    """Every wheel under `wheels_dir`, checked against the documented layout."""
    found = []
    for path in wheel_paths(wheels_dir):
        name = parse_wheel_name(path.name)
        found.append(
            IndexedFile(
                PurePosixPath(path.relative_to(wheels_dir).as_posix()),
                name.project,
                name.version,
                sha256_of_file(path),
                path.stat().st_size,
                requires_python_of(path),
            )
        )
    return found


def relative_urls(wheels_dir: Path, out: Path) -> Callable[[IndexedFile], str]:
    """Links from OUT/<project>/ to the files in `wheels_dir`, as relative URLs."""

    def url(file: IndexedFile) -> str:
        page_dir = (out / file.project).resolve()
        return Path(os.path.relpath(wheels_dir.resolve() / file.relpath, page_dir)).as_posix()

    return url


def base_urls(base_url: str) -> Callable[[IndexedFile], str]:
    """Links to `<base_url>/<project>/<filename>` (base_url is where wheels/ is served)."""
    return lambda file: f"{base_url.rstrip('/')}/{file.relpath}"


def write_simple_index(
    files: Sequence[IndexedFile], out: Path, url_of: Callable[[IndexedFile], str]
) -> None:
    """Write the whole index to a fresh directory, then swap it in: never half-written."""
    by_project: dict[NormalizedName, list[IndexedFile]] = {}
    for file in sorted(files, key=lambda f: f.filename):
        by_project.setdefault(file.project, []).append(file)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write(staging / "index.html", _root_html(sorted(by_project)))
        _write(staging / "index.json", _root_json(sorted(by_project)))
        for project, project_files in by_project.items():
            links = [(file, url_of(file)) for file in project_files]
            folder = path_under(staging, project)
            _write(folder / "index.html", _project_html(project, links))
            _write(folder / "index.json", _project_json(project, links))
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _page(title: str, body: list[str]) -> str:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{_API_VERSION}">',
        f"    <title>{html.escape(title)}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>{html.escape(title)}</h1>",
        *(f"    {line}" for line in body),
        "  </body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def _root_html(projects: list[NormalizedName]) -> str:
    body = [f'<a href="{html.escape(p)}/">{html.escape(p)}</a><br>' for p in projects]
    return _page("Simple index", body)


def _project_html(project: str, links: list[tuple[IndexedFile, str]]) -> str:
    body = []
    for file, url in links:
        href = html.escape(f"{url}#sha256={file.sha256}")
        requires = ""
        if file.requires_python:
            requires = f' data-requires-python="{html.escape(file.requires_python)}"'
        body.append(f'<a href="{href}"{requires}>{html.escape(file.filename)}</a><br>')
    return _page(f"Links for {project}", body)


def _root_json(projects: list[NormalizedName]) -> str:
    document = {"meta": {"api-version": _API_VERSION}, "projects": [{"name": p} for p in projects]}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _project_json(project: str, links: list[tuple[IndexedFile, str]]) -> str:
    files = [
        {
            "filename": file.filename,
            "url": url,
            "hashes": {"sha256": file.sha256},
            "requires-python": file.requires_python,
            "size": file.size,
        }
        for file, url in links
    ]
    versions = sorted({file.version for file, _ in links})
    document = {
        "meta": {"api-version": _API_VERSION},
        "name": project,
        "files": files,
        "versions": [str(version) for version in versions],
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"
