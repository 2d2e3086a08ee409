"""Command-line entry: one sub-command per verb, each in generator/commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from generator.commands.common import add_matrix_argument
from generator.errors import GeneratorError

# Each module exposes `register(subparsers)`; the parser it adds sets `func`.
VERB_MODULES = (
    "generator.commands.validate",
    "generator.commands.schema",
    "generator.commands.plan",
    "generator.commands.render",
    "generator.commands.sdist",
    "generator.commands.build",
    "generator.commands.image",
    "generator.commands.images",
    "generator.commands.collect",
    "generator.commands.commit_wheels",
    "generator.commands.index",
    "generator.commands.catalog",
    "generator.commands.update",
    "generator.commands.lock_export",
    "generator.commands.commit_lock",
    "generator.commands.dispatch_build",
    "generator.commands.check",
    "generator.commands.add",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Turn matrix.yml into build plans, workflows and published wheels.",
        allow_abbrev=False,
    )
    subparsers = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for name in VERB_MODULES:
        importlib.import_module(name).register(subparsers)
    for verb in subparsers.choices.values():
        verb.allow_abbrev = False  # a flag is spelled one way: `--out` is not `--output-dir`
        if verb.get_default("matrix") is None:  # a verb that does not read the matrix
            add_matrix_argument(verb, used=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `plan --json | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 0
    except OSError as error:
        # A path given on the command line that cannot be written or read (a file where a
        # folder is needed, no permission, a full disk): name it instead of a traceback.
        print(f"error: {_describe(error)}", file=sys.stderr)
        return 2
    return result


def _describe(error: OSError) -> str:
    what = error.strerror or str(error)
    paths = [str(p) for p in (error.filename, error.filename2) if p is not None]
    where = " → ".join(paths)
    return f"{where}: {what} — check the path and its permissions" if where else what
