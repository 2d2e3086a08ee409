"""`images`: build (and push) the wheel images of every cell a publish run verified.

The batch form of `image`, for the workflow's publish job: one call for all cells.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.commands.common import add_matrix_argument
from generator.errors import UserError
from generator.fileio import write_atomically
from generator.matrix.load import load_matrix
from generator.publish.images.engines import ENGINES, choose_engine
from generator.publish.images.families import (
    families,
    newest_versions,
    publish_family,
    subject_checksums,
)
from generator.publish.images.plan import default_repository, provenance_from
from generator.publish.interchange import cells_from_json


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "images", help="build (and push) the images of every cell in a cells JSON file"
    )
    parser.add_argument("--cells", type=Path, required=True, help="cells JSON (from lock-export)")
    parser.add_argument(
        "--wheels", type=Path, required=True, help="the verified publish folder (from collect)"
    )
    parser.add_argument(
        "--all-wheels",
        type=Path,
        default=Path("wheels"),
        help="every published wheel, to decide which version is newest (default: wheels)",
    )
    add_matrix_argument(parser)
    parser.add_argument(
        "--registry",
        help="HOST/NAMESPACE (default: matrix.yml's registry, else ghcr.io/<owner>/<repo> in "
        "GitHub Actions)",
    )
    parser.add_argument("--revision", help="git commit for the OCI labels (default $GITHUB_SHA)")
    parser.add_argument("--push", action="store_true")
    parser.add_argument(
        "--subjects",
        type=Path,
        help="with --push: write the pushed lists' digests here, in the subject-checksums "
        "format of actions/attest-build-provenance",
    )
    parser.add_argument("--insecure", action="store_true", help="plain-http registry (buildah)")
    parser.add_argument("--engine", choices=ENGINES, default="auto")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    registry = args.registry or load_matrix(args.matrix).model.registry or default_repository()
    if not registry:
        raise UserError("--registry is required outside GitHub Actions, e.g. ghcr.io/owner/repo")
    if not args.wheels.is_dir():
        raise UserError(
            f"--wheels {args.wheels}: no such folder — pass the folder that `collect --out` filled"
        )
    grouped = families(cells_from_json(args.cells))
    pythons = {python for _module, _version, python in grouped}
    newest = newest_versions([args.wheels, args.all_wheels], pythons)
    engine = choose_engine(
        args.engine, push=args.push, insecure=args.insecure, storage_driver="auto"
    )
    provenance = provenance_from(None, None, args.revision, os.environ)
    made: list[str] = []
    digests: dict[str, str] = {}
    for (module, version, python), archs in grouped.items():
        latest = newest.get((canonicalize_name(module), python)) == Version(version)
        made += publish_family(
            (module, version, python),
            archs,
            args.wheels,
            registry,
            provenance,
            engine,
            latest=latest,
            log=lambda line: print(line, file=sys.stderr),
            pushed_digests=digests,
        )
    if args.subjects:
        write_atomically(args.subjects, subject_checksums(digests))
    print("\n".join(made))
    return 0
