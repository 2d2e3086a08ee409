"""`catalog`: the catalog page people use (GitHub Pages) and the job-summary table."""

from __future__ import annotations

import argparse
import os
from pathlib import Path, PurePosixPath

from generator.commands.common import (
    Subparsers,
    add_matrix_argument,
    add_summary_argument,
    path_arg,
)
from generator.core.cells import Cell
from generator.core.wheels import FileRef
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.github import append_summary
from generator.lock.coverage import DeadLine, dead_lines
from generator.lock.model import Lock, read_lock
from generator.matrix.bundles import ResolvedBundle
from generator.matrix.load import DEFAULT_MATRIX, load_matrix
from generator.publish.images.contents import default_repository
from generator.publish.images.tags import repository_name
from generator.publish.interchange import read_records
from generator.publish.repository import WHEELS_DIR, read_sha256sums
from generator.publish.site.catalog import render_markdown, summary_line
from generator.publish.site.catalog_entries import build_catalog
from generator.publish.site.catalog_page import render_page


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "catalog", help="render the catalog (HTML page for people, Markdown job summary)"
    )
    parser.add_argument(
        "--records",
        type=path_arg,
        required=True,
        metavar="JSON",
        help="`lock-export`'s catalog.json: every cell with status built, upstream, pure, "
        "failed or missing",
    )
    parser.add_argument(
        "--lock",
        type=path_arg,
        metavar="FILE",
        help="matrix.lock.json: its dead-line notices and the PyPI links of upstream/pure wheels "
        "(default: none shown)",
    )
    parser.add_argument(
        "--wheels",
        type=path_arg,
        default=Path(WHEELS_DIR),
        metavar="DIR",
        help="the published wheels; their SHA256SUMS gives the wheel links (default: wheels)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="where --wheels is served, as for `index` (default: links relative to the page)",
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--registry",
        help="HOST/NAMESPACE of the images (default: matrix.yml's registry, else "
        "ghcr.io/<owner>/<repo> in GitHub Actions)",
    )
    parser.add_argument("--output", type=path_arg, metavar="FILE", help="write the HTML page here")
    add_summary_argument(parser, "the table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    records = read_records(args.records)
    lock = _lock(args.lock)
    notices: tuple[DeadLine, ...] = dead_lines(lock) if lock else ()
    markdown = render_markdown(records, notices=[notice.message for notice in notices])
    if args.output:
        catalog = build_catalog(
            records,
            _published(args.wheels, args.base_url, args.output),
            _registry(args),
            locked_wheels=_locked_wheels(lock),
            notices=notices,
            bundles=_bundles(args.matrix),
        )
        write_atomically(args.output, render_page(catalog, summary_line(records)))
    append_summary(args.summary, markdown + "\n")
    if not (args.output or args.summary):
        print(markdown)
    return 0


def _lock(path: Path | None) -> Lock | None:
    if path is None:
        return None
    lock = read_lock(path)
    if lock is None:
        raise UserError(f"--lock {path}: no such file — pass matrix.lock.json (`update` writes it)")
    return lock


def _bundles(path: Path) -> tuple[ResolvedBundle, ...]:
    """matrix.yml's bundles; none when the default ./matrix.yml is absent (the page then
    shows the records alone)."""
    if path == Path(DEFAULT_MATRIX) and not path.is_file():
        return ()
    return load_matrix(path).bundles


def _registry(args: argparse.Namespace) -> str:
    registry = args.registry or load_matrix(args.matrix).model.registry or default_repository()
    if not registry:
        raise UserError(
            "--registry is required outside GitHub Actions (the page shows image tags), "
            "e.g. ghcr.io/owner/repo"
        )
    return repository_name(str(registry))


def _published(wheels: Path, base_url: str | None, page: Path) -> list[FileRef]:
    """The published wheels with their links: `base_url/<project>/<file>`, or relative to the
    page's folder."""
    prefix = base_url.rstrip("/") if base_url else _relative(wheels, page.parent)
    sums: dict[PurePosixPath, str] = read_sha256sums(wheels)
    return [FileRef(p.name, f"{prefix}/{p}", digest) for p, digest in sorted(sums.items())]


def _relative(folder: Path, start: Path) -> str:
    return Path(os.path.relpath(folder.resolve(), start.resolve())).as_posix()


def _locked_wheels(lock: Lock | None) -> dict[Cell, FileRef]:
    if lock is None:
        return {}
    return {locked.cell: locked.wheel for locked in lock.cells() if locked.wheel is not None}
