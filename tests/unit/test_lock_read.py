"""The lock is read against its wire model: a field of the wrong JSON type is an error that
names the file and the field, never a traceback or a generic 'not a lock'."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any

import pytest

from generator.core.cells import Status
from generator.errors import UserError
from generator.lock import model
from generator.lock.model import LOCK_NAME, read_lock

CELL = "cp312-musllinux_x86_64"
GOOD: dict[str, Any] = {
    "format": 1,
    "modules": {
        "cffi": {
            "policy": "2.0.0",
            "versions": {
                "2.0.0": {
                    "sdist": {
                        "filename": "cffi-2.0.0.tar.gz",
                        "url": "https://x/cffi-2.0.0.tar.gz",
                        "sha256": "0" * 64,
                    },
                    "requires-python": ">=3.9",
                    "upload-time": None,
                    "yanked": False,
                    "requires-dist": ["pycparser"],
                    "cells": {CELL: {"status": "build"}},
                }
            },
        }
    },
}
VERSION = "modules.cffi.versions.2.0.0"


def read_edited(tmp_path: Path, place: list[str], value: object) -> Path:
    data = copy.deepcopy(GOOD)
    target = data
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    path = tmp_path / LOCK_NAME
    path.write_text(json.dumps(data))
    return path


def test_the_good_lock_reads(tmp_path: Path) -> None:
    path = read_edited(tmp_path, ["format"], 1)
    lock = read_lock(path)
    assert lock is not None
    assert [c.status for c in lock.cells("cffi")] == [Status.BUILD]


_V = ["modules", "cffi", "versions", "2.0.0"]


@pytest.mark.parametrize(
    ("place", "value", "located"),
    [
        ([*_V, "cells", CELL, "status"], 7, f"{VERSION}.cells.{CELL}.status: Input should be"),
        ([*_V, "cells", CELL, "status"], "built", f"{VERSION}.cells.{CELL}.status: Input should"),
        ([*_V, "cells", CELL], [], f"{VERSION}.cells.{CELL}: Input should be a valid dict"),
        ([*_V, "cells"], None, f"{VERSION}.cells: Input should be a valid dict"),
        ([*_V, "requires-dist"], "pycparser", f"{VERSION}.requires-dist: Input should be a"),
        ([*_V, "yanked"], "no", f"{VERSION}.yanked: Input should be a valid boolean"),
        ([*_V, "sdist"], {"filename": 1}, f"{VERSION}.sdist.filename: Input should"),
        (["modules", "cffi", "policy"], 2, "modules.cffi.policy: Input should be a valid string"),
        (["modules", "cffi", "implied-by"], "x", "modules.cffi.implied-by: Input should be"),
        (["modules"], [], "modules: Input should be a valid dict"),
        (["format"], 2, "format: Input should be 1"),
    ],
)
def test_a_field_of_the_wrong_type_is_located(
    tmp_path: Path, place: list[str], value: object, located: str
) -> None:
    path = read_edited(tmp_path, place, value)
    with pytest.raises(UserError) as raised:
        read_lock(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {located}"), message
    assert message.endswith("run `python -m generator update` to write it again"), message


@pytest.mark.parametrize(
    ("place", "value", "says"),
    [
        ([*_V, "cells"], {"cp312-windows": {"status": "build"}}, "cp312-windows"),
        ([*_V, "sdist", "filename"], "../evil.tar.gz", "not a bare file name"),
    ],
)
def test_a_wrong_value_of_the_right_type_is_named(
    tmp_path: Path, place: list[str], value: object, says: str
) -> None:
    path = read_edited(tmp_path, place, value)
    with pytest.raises(UserError, match=f"^{path}: .*{says}.* — run `python -m generator"):
        read_lock(path)


def test_the_wire_statuses_are_the_statuses() -> None:
    cell_wire = typing.get_type_hints(model._CellWire, include_extras=True)["status"]
    assert set(typing.get_args(cell_wire)) == {str(status) for status in Status}


def read_with_version_key(tmp_path: Path, key: str) -> Path:
    data = copy.deepcopy(GOOD)
    versions = data["modules"]["cffi"]["versions"]
    versions[key] = versions.pop("2.0.0")
    path = tmp_path / LOCK_NAME
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("key", ["bogus", "1\n --x", " 2.0.0", "2.0.0\n"])
def test_a_version_key_that_is_not_a_version_is_located(tmp_path: Path, key: str) -> None:
    path = read_with_version_key(tmp_path, key)
    with pytest.raises(UserError) as raised:
        read_lock(path)
    message = str(raised.value)
    assert message == f"{path}: modules.cffi.versions.{key!r}: not a version — " + (
        "run `python -m generator update` to write it again"
    )
    assert "\n" not in message


@pytest.mark.parametrize("name", ["-ihttp://127.0.0.1:1/simple/?x", "Cffi", "cf fi"])
def test_a_module_key_that_is_not_a_normalised_name_is_located(tmp_path: Path, name: str) -> None:
    data = copy.deepcopy(GOOD)
    data["modules"][name] = data["modules"].pop("cffi")
    path = tmp_path / LOCK_NAME
    path.write_text(json.dumps(data))
    with pytest.raises(UserError, match=r"modules\.'.*': not a normalised project name — run"):
        read_lock(path)


@pytest.mark.parametrize(
    ("place", "value", "located"),
    [
        (
            [*_V, "cells", CELL, "built-by"],
            "nonsense-id",
            f"{VERSION}.cells.{CELL}.built-by: not a musllinux build identifier: 'nonsense-id'",
        ),
        ([*_V, "sdist", "filename"], "../evil.tar.gz", f"{VERSION}.sdist.filename: file name"),
        (
            [*_V, "cells", CELL, "wheel"],
            {"filename": "a/b.whl", "url": "https://x/b.whl", "sha256": "0" * 64},
            f"{VERSION}.cells.{CELL}.wheel.filename: file name 'a/b.whl' is not a bare",
        ),
    ],
)
def test_a_wrong_value_is_located_at_its_field(
    tmp_path: Path, place: list[str], value: object, located: str
) -> None:
    path = read_edited(tmp_path, place, value)
    with pytest.raises(UserError) as raised:
        read_lock(path)
    assert str(raised.value).startswith(f"{path}: {located}"), raised.value
