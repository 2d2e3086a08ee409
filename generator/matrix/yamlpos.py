"""YAML → plain data plus the line/column of every key and value.

PyYAML silently keeps the last of two equal keys; a matrix that lists a module
twice must instead be an error pointing at the second one, so mappings are built
from the composed node tree here rather than by yaml.safe_load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import MatrixError

Path = tuple[str | int, ...]
# A real matrix has a few thousand values at most, nested a few levels: these bounds stop a
# 450-byte file of nested aliases (billions of values) or thousands of nested brackets.
MAX_VALUES = 100_000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based

    @classmethod
    def of(cls, node: Node) -> Mark:
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class LocatedDocument:
    """Parsed data and where each part of it was written."""

    source: str
    data: object
    values: int = 0  # converted so far, aliases counted each time they are used
    value_marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)

    def mark_of_value(self, path: Path) -> Mark:
        """The value at `path`, or the nearest enclosing value that was written."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.value_marks:
                return self.value_marks[path[:end]]
        return Mark(1, 1)

    def mark_of_key(self, path: Path) -> Mark:
        return self.key_marks.get(path) or self.mark_of_value(path)

    def error(self, path: Path, what: str, fix: str, *, at_key: bool = False) -> MatrixError:
        mark = self.mark_of_key(path) if at_key else self.mark_of_value(path)
        return MatrixError(self.source, mark.line, mark.column, what, fix)


def load_located(text: str, source: str) -> LocatedDocument:
    """Parse one YAML document; raise MatrixError for syntax errors and repeated keys."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise MatrixError(
            source, line, column, f"not valid YAML: {error.problem}", "fix the YAML syntax"
        ) from None
    except yaml.YAMLError as error:
        raise MatrixError(source, 1, 1, f"not valid YAML: {error}", "fix the YAML syntax") from None
    except RecursionError:
        raise MatrixError(
            source, 1, 1, "nested too deeply to be a matrix", "write at most a few levels"
        ) from None
    document = LocatedDocument(source, None)
    if root is not None:
        document.data = _convert(root, (), document, SafeConstructor())
    return document


# Plain YAML only: a tag or merge key makes the file mean something else than it shows
# (and SafeConstructor refuses most tags with a traceback-shaped error).
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


def _convert(node: Node, path: Path, doc: LocatedDocument, constructor: SafeConstructor) -> object:
    doc.values += 1
    if doc.values > MAX_VALUES:
        raise doc_error(
            doc,
            node,
            f"the matrix expands to more than {MAX_VALUES} values (through YAML aliases?)",
            "write the values out instead of repeating aliases",
        )
    if len(path) > MAX_DEPTH:
        raise doc_error(doc, node, "nested too deeply to be a matrix", "write at most a few levels")
    doc.value_marks[path] = Mark.of(node)
    if node.tag not in _PLAIN_TAGS:
        raise doc_error(
            doc,
            node,
            f"the YAML tag '{node.tag}' is not supported",
            "write the value as plain text, a list or a mapping",
        )
    if isinstance(node, MappingNode):
        return _convert_mapping(node, path, doc, constructor)
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*path, index), doc, constructor)
            for index, item in enumerate(node.value)
        ]
    assert isinstance(node, ScalarNode)
    return constructor.construct_object(node, deep=True)


def _convert_mapping(
    node: MappingNode, path: Path, doc: LocatedDocument, constructor: SafeConstructor
) -> dict[str, object]:
    result: dict[str, object] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise doc_error(
                doc,
                key_node,
                "YAML merge keys (<<) are not supported",
                "write the keys out; `defaults:` shares values between modules",
            )
        if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            raise doc_error(
                doc,
                key_node,
                f"the key '{_shown(key_node)}' is not text",
                f'quote it: "{_shown(key_node)}"',
            )
        key = str(constructor.construct_object(key_node, deep=True))
        child = (*path, key)
        if key in result:
            first = doc.key_marks[child]
            raise doc_error(
                doc,
                key_node,
                f"'{key}' appears twice in the same mapping (first at line {first.line})",
                "keep one entry; YAML would silently drop the first",
            )
        doc.key_marks[child] = Mark.of(key_node)
        result[key] = _convert(value_node, child, doc, constructor)
    return result


def _shown(node: Node) -> str:
    return node.value if isinstance(node, ScalarNode) else "…"


def doc_error(doc: LocatedDocument, node: Node, what: str, fix: str) -> MatrixError:
    mark = Mark.of(node)
    return MatrixError(doc.source, mark.line, mark.column, what, fix)
