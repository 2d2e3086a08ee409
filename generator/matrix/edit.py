"""Add modules to matrix.yml's text, leaving every other line byte for byte as it was.

The file is read with ruamel.yaml's round-trip loader for where things are (the `modules:`
mapping, its indentation, what follows it), and the new entries are spliced in as text
after its last entry. Dumping the round-trip document instead would re-indent lines
nobody touched (it rewrites this repository's own `exclude:` lists), and a person's file
must come back as they wrote it, comments and all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from generator.errors import UserError

_PLAIN_KEY = re.compile(r"[a-z][a-z0-9._-]*")
# Words YAML reads as something other than a string when plain.
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


@dataclass(frozen=True)
class NewModule:
    name: str
    versions: tuple[str, ...]  # one pin, several pins, a specifier, or "latest"
    python: tuple[str, ...] = ()  # empty: the matrix's defaults
    arch: tuple[str, ...] = ()


def add_modules(text: str, file: Path, modules: Sequence[NewModule]) -> str:
    """`text` with `modules` appended at the end of its `modules:` mapping."""
    root = _load(text, file)
    entries = root.get("modules")
    if not isinstance(entries, CommentedMap) or not entries or entries.fa.flow_style():
        raise UserError(
            f"{file}: `modules:` is not a block mapping with entries — write it one module "
            "per line (`  name: version`) so entries can be added"
        )
    lines = text.splitlines(keepends=True)
    _, modules_column = root.lc.key("modules")
    first_line, indent = entries.lc.key(next(iter(entries)))
    step = indent - modules_column
    keys = list(root)
    after = keys[keys.index("modules") + 1 :]
    end = root.lc.key(after[0])[0] if after else len(lines)
    last = max(
        number
        for number in range(first_line, end)
        if lines[number].strip() and not lines[number].lstrip().startswith("#")
    )
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    added = "".join(_entry(module, " " * indent, " " * step) for module in modules)
    result = "".join([*lines[: last + 1], added, *lines[last + 1 :]])
    _check_landed(result, file, [*entries], [m.name for m in modules])
    return result


def _entry(module: NewModule, indent: str, step: str) -> str:
    key = _key(module.name)
    versions = _versions(module.versions)
    if not module.python and not module.arch:
        return f"{indent}{key}: {versions}\n"
    lines = [f"{indent}{key}:\n", f"{indent}{step}versions: {versions}\n"]
    if module.python:
        lines.append(f"{indent}{step}python: {json.dumps(list(module.python))}\n")
    if module.arch:
        lines.append(f"{indent}{step}arch: [{', '.join(module.arch)}]\n")
    return "".join(lines)


def _versions(versions: tuple[str, ...]) -> str:
    if versions == ("latest",):
        return "latest"
    if len(versions) == 1:
        return json.dumps(versions[0])  # quoted: YAML reads 3.10 as the number 3.1
    return json.dumps(list(versions))


def _key(name: str) -> str:
    plain = _PLAIN_KEY.fullmatch(name) and name not in _YAML_WORDS
    return name if plain else json.dumps(name)


def _load(text: str, file: Path) -> CommentedMap:
    try:
        root = YAML(typ="rt").load(text)
    except YAMLError as error:
        raise UserError(f"{file}: not valid YAML ({error}) — fix it, then add again") from None
    if not isinstance(root, CommentedMap):
        raise UserError(f"{file}: not a mapping — start from the README's matrix.yml example")
    return root


def _check_landed(text: str, file: Path, before: list[object], names: list[str]) -> None:
    """The new entries are the last of `modules:`, after the old ones, in order: a splice
    at the wrong place would be caught here, not written."""
    entries = _load(text, file).get("modules")
    found = list(entries) if isinstance(entries, CommentedMap) else []
    if found != [*before, *names]:
        raise UserError(
            f"{file}: the new entries did not land at the end of `modules:` — add them by "
            "hand (the layout of this file is one `add` does not handle)"
        )
