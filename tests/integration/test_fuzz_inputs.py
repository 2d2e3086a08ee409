"""Many malformed matrix.yml and lock files, made from good ones by seeded random edits:
each gives exit 0 (still valid) or 2 with a `PATH…: what — fix` line, never an exception,
and nothing is written. Bounded in count and time."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from generator import cli

GOOD_MATRIX = """\
defaults:
  python: ["3.12", "3.13"]
  arch: [x86_64, aarch64]
modules:
  six: "1.17.0"
  cffi:
    versions: ["2.1.1"]
    apk: [libffi-dev]
    exclude:
      - {arch: aarch64, reason: "no reason at all"}
"""
GOOD_LOCK = {
    "format": 1,
    "modules": {
        "six": {
            "policy": "1.17.0",
            "versions": {
                "1.17.0": {
                    "sdist": {
                        "filename": "six-1.17.0.tar.gz",
                        "url": "https://x/s",
                        "sha256": "0" * 64,
                    },
                    "requires-python": None,
                    "upload-time": None,
                    "yanked": False,
                    "requires-dist": [],
                    "cells": {"cp312-musllinux_x86_64": {"status": "build"}},
                }
            },
        }
    },
}
PIECES = [
    '"',
    "'",
    ":",
    "-",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!!str",
    "\t",
    "\n",
    "  ",
    "#",
    "3.1",
    "<<",
]
CASES = 250
BUDGET = 40.0  # seconds for each kind, on a busy machine


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.4:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif choice < 0.8:
            text = text[:at] + text[at + rng.randint(1, 6) :]
        else:
            text = text[:at]
    return text


def mutate_json(data: object, rng: random.Random) -> object:
    """Replace one value anywhere in the document by a value of another type."""
    if isinstance(data, dict) and data and rng.random() < 0.8:
        key = rng.choice(sorted(data))
        return {**data, key: mutate_json(data[key], rng)}
    if isinstance(data, list) and data and rng.random() < 0.8:
        return [mutate_json(item, rng) for item in data]
    return rng.choice([None, 7, "x", [], {}, True, "../../x", {"format": 2}, 1e308])


def outcome(argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The error output of a run that must exit 0 or 2 and write nothing."""
    before = sorted(p.name for p in folder.iterdir())
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert " — " in err and err.startswith("error: "), err
    assert sorted(p.name for p in folder.iterdir()) == before
    return err


def test_malformed_matrices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(20261201)
    matrix = tmp_path / "matrix.yml"
    started = time.monotonic()
    for _ in range(CASES):
        matrix.write_text(mutate(GOOD_MATRIX, rng))
        outcome(["validate", "--matrix", str(matrix)], tmp_path, capsys)
        if time.monotonic() - started > BUDGET:
            break


def test_malformed_locks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(20261202)
    (tmp_path / "matrix.yml").write_text('modules:\n  six: "1.17.0"\n')
    lock = tmp_path / "matrix.lock.json"
    started = time.monotonic()
    for index in range(CASES):
        text = json.dumps(mutate_json(GOOD_LOCK, rng))
        lock.write_text(text if index % 5 else mutate(text, rng))
        err = outcome(["plan", "--matrix", str(tmp_path / "matrix.yml")], tmp_path, capsys)
        if err and index % 5:
            # A value of another type is named by its place, not by an exception's name.
            assert err.startswith(f"error: {lock}: "), err
            assert "Error" not in err, err
        if time.monotonic() - started > BUDGET:
            break
