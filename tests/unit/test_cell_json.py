"""A cell read from any cross-job JSON (cells.json, catalog.json, manifest.json, plan skips,
build results) has a project name and a PEP 440 version: a module such as `-ihttp://…`
would otherwise reach pip's command line."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.core.cells import Cell, CellJson
from generator.errors import UserError
from generator.plan.results import read_result
from generator.publish.interchange import read_cells, read_manifest, read_records

GOOD: dict[str, str] = {"module": "six", "version": "1.17.0", "python": "3.12", "arch": "x86_64"}
BAD = [
    ({"module": "-ihttp://127.0.0.1:1/simple/?x"}, "is not a project name"),
    ({"module": "../six"}, "is not a project name"),
    ({"module": "six\n"}, "is not a project name"),
    ({"module": ""}, "is not a project name"),
    ({"version": "bogus"}, "is not a PEP 440 version"),
    ({"version": "1.17.0\n"}, "is not a PEP 440 version"),
    ({"version": "--pre"}, "is not a PEP 440 version"),
]


def test_a_good_cell_reads_with_its_name_normalised() -> None:
    good = CellJson(module="Six", version="1.17.0", python="3.12", arch="x86_64")
    assert Cell.from_json(good) == Cell("six", "1.17.0", "3.12", "x86_64")


@pytest.mark.parametrize(("edit", "says"), BAD)
def test_a_cell_with_a_bad_module_or_version_is_refused(edit: dict[str, str], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Cell.from_json(typing.cast(CellJson, {**GOOD, **edit}))


def _cells(cell: dict[str, str]) -> object:
    return [cell]


def _records(cell: dict[str, str]) -> object:
    return [{**cell, "status": "built"}]


def _manifest(cell: dict[str, str]) -> object:
    return {"format": 1, "files": [], "cells": [cell]}


def _result(cell: dict[str, str]) -> object:
    return {"job": "j", "cells": [cell], "outcome": "built", "exit": 0, "log": "", "reason": ""}


READERS: list[tuple[Callable[[Path], object], Callable[[dict[str, str]], object]]] = [
    (read_cells, _cells),
    (read_records, _records),
    (read_manifest, _manifest),
    (read_result, _result),
]


@pytest.mark.parametrize(("read", "document"), READERS)
@pytest.mark.parametrize(("edit", "says"), BAD[:1] + BAD[4:5])
def test_every_reader_of_a_cell_refuses_it_in_one_line(
    tmp_path: Path,
    read: Callable[[Path], object],
    document: Callable[[dict[str, str]], object],
    edit: dict[str, str],
    says: str,
) -> None:
    path = tmp_path / "file.json"
    path.write_text(json.dumps(document({**GOOD, **edit})))
    with pytest.raises(UserError) as raised:
        read(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and says in message and "\n" not in message, message
