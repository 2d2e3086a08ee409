"""`image`: build the `FROM scratch` wheel images of one module × version × python, one per
arch plus the multi-arch list, with buildah or docker buildx; optionally push them.

    python -m generator image --collected DIR --module markupsafe --version 3.0.2 \\
        --python 3.12 --arch x86_64 --arch aarch64 --registry ghcr.io/owner/repo --push --latest
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from generator.commands.common import Subparsers, path_arg
from generator.errors import UserError
from generator.publish.images.contents import default_repository, image_set, provenance_from
from generator.publish.images.engines import ENGINES, choose_engine, run_image_set
from generator.publish.images.tags import arch_named, image_family

_EPILOG = """\
tags (in REGISTRY):
  <module><version>-py<X.Y>-<arch>  one arch (amd64 arm64 armv7 386 ppc64le s390x riscv64)
  <module><version>-py<X.Y>         multi-arch list: COPY --from=... / /wheels/ picks the arch
  <module>-py<X.Y>                  newest version, with --latest (moves)
  free-threaded Python is spelled py3.14t.

wheels: every *.whl under --collected that pip could install for the python and arch goes into
that arch's image (other versions of the module itself are left out).
"""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "image",
        help="build (and push) the FROM scratch wheel images of one module version",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--collected",
        type=path_arg,
        required=True,
        metavar="DIR",
        help="a folder of wheels to choose from, any layout (e.g. `collect --output-dir`)",
    )
    parser.add_argument("--module", required=True, help="project name, as on PyPI")
    parser.add_argument("--version", required=True, help="the module's version")
    parser.add_argument("--python", required=True, help="X.Y, or X.Yt for free-threaded")
    parser.add_argument(
        "--arch",
        action="append",
        required=True,
        help="x86_64 aarch64 armv7l i686 ppc64le s390x riscv64 (or Docker's amd64 arm64 ...); "
        "repeat or separate with commas",
    )
    parser.add_argument(
        "--registry",
        default=default_repository(),
        help="HOST[:PORT]/NAMESPACE[/NAME] to tag and push into "
        "(default in GitHub Actions: ghcr.io/<owner>/<repo>)",
    )
    parser.add_argument("--latest", action="store_true", help="also move <module>-py<X.Y> here")
    parser.add_argument("--push", action="store_true", help="push the images and the list")
    parser.add_argument(
        "--insecure", action="store_true", help="plain-http registry without TLS (buildah only)"
    )
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="default: auto")
    parser.add_argument(
        "--storage-driver",
        default="auto",
        help="buildah storage driver; auto = vfs inside a container unless configured "
        "(STORAGE_DRIVER, CONTAINERS_STORAGE_CONF), else buildah's default",
    )
    parser.add_argument("--source", help="org.opencontainers.image.source (default from GitHub)")
    parser.add_argument("--revision", help="git commit (default $GITHUB_SHA)")
    parser.add_argument(
        "--created", help="epoch seconds or ISO 8601 (default $SOURCE_DATE_EPOCH, else now)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, build nothing")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON on stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.registry:
        raise UserError("--registry is required outside GitHub Actions, e.g. ghcr.io/owner/repo")
    cell = image_family(args.module, args.version, args.python)
    arches = [arch_named(name.strip()) for text in args.arch for name in text.split(",")]
    provenance = provenance_from(args.created, args.source, args.revision, os.environ)
    plan = image_set(cell, arches, args.collected, args.registry, provenance, latest=args.latest)
    made: list[str] = []
    if not args.dry_run:
        engine = choose_engine(
            args.engine, push=args.push, insecure=args.insecure, storage_driver=args.storage_driver
        )
        made = run_image_set(plan, engine, log=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps(plan.to_json() | {"made": made, "pushed": args.push and not args.dry_run}))
    else:
        _summarise(plan.to_json(), made, dry_run=args.dry_run, pushed=args.push)
    return 0


def _summarise(plan: dict[str, Any], made: list[str], *, dry_run: bool, pushed: bool) -> None:
    for image in plan["images"]:
        print(f"{image['reference']}  {image['platform']}  {len(image['wheels'])} wheels")
    print(f"{plan['list']}  multi-arch list")
    if plan["moving"]:
        print(f"{plan['moving']}  moving tag")
    if dry_run:
        print("dry run: nothing built")
    else:
        print(f"{'pushed' if pushed else 'built locally'}: {' '.join(made)}")
