"""`images`: build (and push) the wheel images of every cell a publish run verified, and
of every bundle of matrix.yml of those cells' Pythons and archs or named by --bundle.

The batch form of `image`, for the workflow's publish job: one call for all cells.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.commands.common import (
    Subparsers,
    add_github_output_argument,
    add_matrix_argument,
    path_arg,
)
from generator.core.cells import Cell
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.github import write_outputs
from generator.matrix.bundles import ResolvedBundle, named_bundles, unknown_name_hint
from generator.matrix.load import DEFAULT_MATRIX, LoadedMatrix, load_matrix
from generator.publish.images.bundles import BundleSources, publish_bundle, touched_bundles
from generator.publish.images.contents import (
    Provenance,
    default_repository,
    provenance_from,
)
from generator.publish.images.engines import ENGINES, Engine, choose_engine
from generator.publish.images.families import (
    archs_with_wheels,
    families,
    newest_versions,
    publish_family,
    subject_checksums,
)
from generator.publish.interchange import read_cells
from generator.publish.repository import WHEELS_DIR
from generator.pypi import ProjectNotFound, PyPIClient
from generator.pypi.transport import default_index_url


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "images", help="build (and push) the images of every cell in a cells JSON file"
    )
    parser.add_argument("--cells", type=path_arg, required=True, help="`lock-export`'s cells.json")
    parser.add_argument(
        "--collected",
        type=path_arg,
        required=True,
        metavar="DIR",
        help="the verified publish folder (`collect --output-dir`)",
    )
    parser.add_argument(
        "--wheels",
        type=path_arg,
        default=Path(WHEELS_DIR),
        metavar="DIR",
        help="the published wheels, to decide which version is newest (default: wheels)",
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--bundle",
        action="append",
        default=[],
        metavar="NAMES",
        help="also image these bundles of matrix.yml, rebuilt or not (repeatable, or space/comma "
        "separated; 'all' = every one; `plan`'s bundles output)",
    )
    parser.add_argument(
        "--registry",
        help="HOST/NAMESPACE (default: matrix.yml's registry, else ghcr.io/<owner>/<repo> in "
        "GitHub Actions)",
    )
    parser.add_argument("--revision", help="git commit for the OCI labels (default $GITHUB_SHA)")
    parser.add_argument("--push", action="store_true")
    parser.add_argument(
        "--output",
        type=path_arg,
        metavar="FILE",
        help="with --push: write the pushed lists' digests here, in the subject-checksums "
        "format of actions/attest-build-provenance",
    )
    add_github_output_argument(parser, "pushed=N (multi-arch lists pushed, to attest)")
    parser.add_argument(
        "--index-url",
        help="simple index for the bundles' members that are not modules, and their "
        "dependencies (default: matrix.yml's index-url, PIP_INDEX_URL or PyPI)",
    )
    parser.add_argument("--insecure", action="store_true", help="plain-http registry (buildah)")
    parser.add_argument("--engine", choices=ENGINES, default="auto")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    matrix = _matrix(args.matrix, needed=not args.registry or bool(args.bundle))
    registry = args.registry or (matrix and matrix.model.registry) or default_repository()
    if not registry:
        raise UserError("--registry is required outside GitHub Actions, e.g. ghcr.io/owner/repo")
    if not args.collected.is_dir():
        raise UserError(
            f"--collected {args.collected}: no such folder — pass the folder that "
            "`collect --output-dir` filled"
        )
    cells = read_cells(args.cells)
    bundles = _bundles(matrix, cells, args.bundle)
    index_url = args.index_url or (matrix and matrix.model.index_url) or default_index_url()
    modules = frozenset(module.name for module in matrix.modules) if matrix else frozenset()
    _check_names_on_index(bundles, modules, index_url)  # a typo fails before anything is pushed
    grouped = families(cells)
    pythons = {family.python for family in grouped}
    newest = newest_versions([args.collected, args.wheels], pythons)
    engine = choose_engine(
        args.engine, push=args.push, insecure=args.insecure, storage_driver="auto"
    )
    provenance = provenance_from(None, None, args.revision, os.environ)
    made: list[str] = []
    digests: dict[str, str] = {}
    for family, archs in grouped.items():
        latest = newest.get((canonicalize_name(family.module), family.python)) == Version(
            family.version
        )
        made += publish_family(
            family,
            archs_with_wheels(family, archs, [args.collected, args.wheels]),
            [args.collected, args.wheels],
            registry,
            provenance,
            engine,
            latest=latest,
            log=lambda line: print(line, file=sys.stderr),
            pushed_digests=digests,
        )
    sources = BundleSources((args.collected, args.wheels), index_url, modules)
    made += _publish_bundles(bundles, sources, registry, provenance, engine, digests)
    if args.output:
        write_atomically(args.output, subject_checksums(digests))
    write_outputs(args.github_output, {"pushed": len(digests)})
    print("\n".join(made))
    return 0


def _matrix(path: Path, *, needed: bool) -> LoadedMatrix | None:
    """The matrix, for its registry and bundles. With --registry given, a missing default
    ./matrix.yml means no bundles: `images` then works on a cells file alone."""
    if not needed and path == Path(DEFAULT_MATRIX) and not path.is_file():
        return None
    return load_matrix(path)


def _bundles(
    matrix: LoadedMatrix | None, cells: list[Cell], named: list[str]
) -> list[ResolvedBundle]:
    """The bundles of the cells' Pythons and archs, and those named (changed or asked for)."""
    known = matrix.bundles if matrix else ()
    if named and matrix is None:
        raise UserError("--bundle needs matrix.yml (give --matrix): it defines the bundles")
    wanted = {b.name for b in touched_bundles(known, cells)}
    wanted.update(b.name for b in named_bundles(known, named))
    return [bundle for bundle in known if bundle.name in wanted]


def _check_names_on_index(
    bundles: list[ResolvedBundle], modules: frozenset[str], index_url: str
) -> None:
    """Every member that is not a module is a project of the index (one request each):
    else the bundle's line is wrong, and `validate` cannot tell offline."""
    others = sorted(
        (place, bundle.name, member)
        for bundle in bundles
        for member, place in zip(bundle.members, bundle.places, strict=True)
        if member not in modules
    )
    if not others:
        return
    with PyPIClient(index_url, json_api_url="") as client:  # one request per project
        for place, bundle, member in others:
            try:
                client.project_files(member)
            except ProjectNotFound:
                raise UserError(
                    f"{place}: bundle '{bundle}': '{member}' is neither a module of this matrix "
                    f"nor a project on {index_url} — {unknown_name_hint(member, sorted(modules))}"
                    "fix the name, or add it under `modules:`"
                ) from None


def _publish_bundles(
    bundles: list[ResolvedBundle],
    sources: BundleSources,
    registry: str,
    provenance: Provenance,
    engine: Engine,
    digests: dict[str, str],
) -> list[str]:
    made: list[str] = []
    for bundle in bundles:
        references, left_out = publish_bundle(
            bundle,
            sources,
            registry,
            provenance,
            engine,
            log=lambda line: print(line, file=sys.stderr),
            pushed_digests=digests,
        )
        made += references
        for gap in left_out:
            print(gap, file=sys.stderr)
    return made
