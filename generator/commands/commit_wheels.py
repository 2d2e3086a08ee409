"""`commit-wheels`: publish the collected wheels into wheels/ with one race-safe commit."""

from __future__ import annotations

import argparse

from generator.commands.common import (
    Subparsers,
    add_git_target_arguments,
    git_target,
    path_arg,
    positive_int,
)
from generator.core.wheels import sha256_of_file
from generator.errors import Failure
from generator.github import write_outputs
from generator.publish.git import checkout_published, publish_wheels, repository_path
from generator.publish.interchange import MANIFEST_NAME, read_manifest
from generator.publish.repository import WHEELS_DIR


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "commit-wheels",
        help="commit the collected wheels to wheels/ and push (retries lost races)",
    )
    parser.add_argument(
        "--collected",
        type=path_arg,
        required=True,
        metavar="DIR",
        help=f"the folder `collect --output-dir` filled (with {MANIFEST_NAME})",
    )
    parser.add_argument("--prefix", default=WHEELS_DIR, help="directory in the repository")
    parser.add_argument(
        "--keep-versions",
        type=positive_int,
        metavar="N",
        help="retention: keep only the newest N versions per project in git",
    )
    parser.add_argument(
        "--update-worktree",
        action="store_true",
        help="then make the checkout's wheels/ the published commit's (for the steps after)",
    )
    add_git_target_arguments(parser, message="Publish wheels")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    prefix = repository_path(args.prefix, "--prefix", kind="folder", example=WHEELS_DIR)
    collected = args.collected.absolute()  # git runs in --repo: relative paths would move
    manifest = read_manifest(collected / MANIFEST_NAME)
    wheels = []
    for entry in manifest.files:
        path = collected / entry.filename
        if not path.is_file() or sha256_of_file(path) != entry.sha256:
            raise Failure(f"{path} is missing or differs from {MANIFEST_NAME} — re-run collect")
        wheels.append(path)
    target, policy = git_target(args, prefix=prefix)
    result = publish_wheels(
        target,
        wheels,
        args.message,
        keep_versions=args.keep_versions,
        author=args.author,
        policy=policy,
    )
    print(
        f"commit-wheels: {result.commit} (+{len(result.added)} -{len(result.removed)} files, "
        f"{result.attempts} attempt(s))"
    )
    for path in result.removed:
        print(f"  retention removed {path}")
    if args.update_worktree:
        checkout_published(args.repo, result.commit, prefix)
    write_outputs(args.github_output, {"commit": result.commit})
    return 0
