"""Add modules to matrix.yml's text, leaving every other line byte for byte as it was.

The file is read with ruamel.yaml's round-trip loader for where things are (the `modules:`
mapping, its indentation; from the composed nodes, where its last entry's value ends), and
the new entries are spliced in as text on the line after that. Dumping the round-trip
document instead would re-indent lines nobody touched (it rewrites this repository's own
`exclude:` lists), and a person's file must come back as they wrote it, comments, line
endings and all. The result is parsed again and every old value compared, so a splice at
the wrong place is an error, never a written file.
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
from ruamel.yaml.nodes import MappingNode, SequenceNode

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
    _, modules_column = root.lc.key("modules")
    _, indent = entries.lc.key(next(iter(entries)))
    newline = "\r\n" if text.partition("\n")[0].endswith("\r") else "\n"  # as the file has
    at = _after_last_entry(text, _composed_modules(text, file))
    head = text[:at] if text[:at].endswith("\n") else text[:at] + newline
    added = "".join(
        _entry(module, " " * indent, " " * (indent - modules_column), newline) for module in modules
    )
    result = head + added + text[at:]
    _check_landed(result, file, root, [m.name for m in modules])
    return result


def _composed_modules(text: str, file: Path) -> MappingNode:
    """The node of the `modules:` mapping (add_modules has checked that there is one)."""
    root = YAML(typ="rt").compose(text)
    for key, value in root.value if isinstance(root, MappingNode) else []:
        if key.value == "modules" and isinstance(value, MappingNode):
            return value
    raise UserError(f"{file}: no `modules:` mapping — start from the README's example")


def _after_last_entry(text: str, modules: MappingNode) -> int:
    """Where the line after the last entry of `modules` starts: after its value's last
    character, comments on that line included. A block mapping or list ends where the next
    token starts (after comments below it), so the end is that of its last scalar; a block
    scalar ends after the blank lines it swallowed, so the end steps back over them."""
    key, node = modules.value[-1]
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    end = max(node.end_mark.index, key.end_mark.index)  # an alias: marks of its anchor
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    line_end = text.find("\n", end)
    return len(text) if line_end < 0 else line_end + 1


def _entry(module: NewModule, indent: str, step: str, newline: str) -> str:
    key = _key(module.name)
    versions = _versions(module.versions)
    if not module.python and not module.arch:
        return f"{indent}{key}: {versions}{newline}"
    lines = [f"{indent}{key}:", f"{indent}{step}versions: {versions}"]
    if module.python:
        lines.append(f"{indent}{step}python: {json.dumps(list(module.python))}")
    if module.arch:
        lines.append(f"{indent}{step}arch: [{', '.join(module.arch)}]")
    return "".join(line + newline for line in lines)


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


def _check_landed(text: str, file: Path, before: CommentedMap, names: list[str]) -> None:
    """The new entries are the last of `modules:`, after the old ones, in order, and every
    old value (of the modules and of the other keys) reads as it did: a splice at the wrong
    place would be caught here, not written."""
    after = _load(text, file)
    old, new = before["modules"], after.get("modules")
    landed = (
        isinstance(new, CommentedMap)
        and list(new) == [*old, *names]
        and all(new[name] == old[name] for name in old)
        and list(after) == list(before)
        and all(after[key] == before[key] for key in before if key != "modules")
    )
    if not landed:
        raise UserError(
            f"{file}: the new entries would change what is already in it — add them by "
            "hand (the layout of this file is one `add` does not handle)"
        )
