"""Every option that names a file or folder goes through `path_arg`: an empty value is an
error, never the current folder (`--matrix ""` read `.`) or a temporary file's name."""

from __future__ import annotations

import argparse

from generator import cli
from generator.commands.common import path_arg

PATH_METAVARS = {"PATH", "FILE", "DIR", "JSON"}
# Paths inside the repository's tree, as git spells them: checked by
# generator.publish.git.repository_path, not files on this machine.
REPOSITORY_PATHS = {("commit-lock", "path"), ("commit-wheels", "prefix")}


def options() -> list[tuple[str, argparse.Action]]:
    parser = cli.build_parser()
    verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [(verb, action) for verb, sub in verbs.choices.items() for action in sub._actions]


def test_every_file_or_folder_option_uses_path_arg() -> None:
    found = [
        f"{verb} {action.option_strings or action.dest}"
        for verb, action in options()
        if (action.metavar in PATH_METAVARS or action.dest in {"matrix", "output"})
        and action.type is not path_arg
        and (verb, action.dest) not in REPOSITORY_PATHS
    ]
    assert found == []


def test_the_checks_see_the_matrix_and_schema_options() -> None:
    seen = {(verb, action.dest) for verb, action in options() if action.type is path_arg}
    assert {("plan", "matrix"), ("schema", "output"), ("validate", "matrix")} <= seen
