"""Many malformed matrix.yml and lock files, made from good ones by seeded random edits of
their text, their values and their keys (renamed, deleted, repeated, a version key turned to
junk): each gives exit 0 (still valid) or 2 with one `PATH…: what — fix` line, never an
exception, and nothing is written. A lock goes through `plan` and `lock-export`. Bounded in
count and time, and every case must run: a slow machine fails the test, it does not shrink it."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

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
                    "cells": {
                        "cp312-musllinux_x86_64": {"status": "build"},
                        "cp313-musllinux_x86_64": {
                            "status": "upstream",
                            "wheel": {
                                "filename": "six-1.17.0-py2.py3-none-any.whl",
                                "url": "https://x/w",
                                "sha256": "1" * 64,
                            },
                        },
                        "cp312-musllinux_aarch64": {
                            "status": "abi3",
                            "built-by": "cp312-musllinux_aarch64",
                        },
                        "cp313-musllinux_aarch64": {"status": "skip", "reason": "no"},
                    },
                    "build-requires": {"setuptools": "index"},
                }
            },
        },
        "cffi": {
            "policy": "",
            "implied-by": ["six"],
            "versions": {
                "2.0.0": {
                    "sdist": None,
                    "cells": {"cp312-musllinux_x86_64": {"status": "skip", "reason": "no sdist"}},
                }
            },
        },
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
# Junk for keys and values: each once broke a reader (a traceback, or text reaching pip).
JUNK = [
    "bogus",
    "1\n --x",
    " 1.17.0",
    "",
    "../x",
    "-ihttp://127.0.0.1:1/simple/?x",
    "cp312-windows",
    "nonsense-id",
    "Six",
    "a\x00b",
]
CASES = 250  # of each kind; all of them must run
BUDGET = 30.0  # seconds for each kind: far above the ~2 s it takes, so only a hang fails


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
    return rng.choice([None, 7, "x", [], {}, True, "../../x", {"format": 2}, 1e308, *JUNK])


@dataclass
class Repeated:
    """A JSON object written with one key twice (a dict can't hold that)."""

    pairs: list[tuple[str, object]]


def mutate_keys(data: object, rng: random.Random) -> object:
    """Rename, delete or repeat one key anywhere in the document."""
    if isinstance(data, list) and data and rng.random() < 0.8:
        at = rng.randrange(len(data))
        return [*data[:at], mutate_keys(data[at], rng), *data[at + 1 :]]
    if not isinstance(data, dict) or not data:
        return data
    key = rng.choice(sorted(data))
    if rng.random() < 0.6 and isinstance(data[key], dict | list):
        return {**data, key: mutate_keys(data[key], rng)}
    action = rng.choice(["rename", "delete", "repeat"])
    others = {k: v for k, v in data.items() if k != key}
    if action == "delete":
        return others
    if action == "rename":
        return {**others, rng.choice(JUNK): data[key]}
    return Repeated([*data.items(), (key, rng.choice([None, 7, "x", {}, rng.choice(JUNK)]))])


def encode(data: object) -> str:
    if isinstance(data, Repeated):
        return "{" + ", ".join(f"{json.dumps(k)}: {encode(v)}" for k, v in data.pairs) + "}"
    if isinstance(data, dict):
        return encode(Repeated(list(data.items())))
    if isinstance(data, list):
        return "[" + ", ".join(encode(item) for item in data) + "]"
    return json.dumps(data)


def outcome(argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The error output of a run that must exit 0 or 2 and write nothing."""
    before = sorted(p.name for p in folder.iterdir())
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert " — " in err and err.startswith("error: "), err
        # one line per problem (a matrix reports them all), whatever the junk held
        assert all(" — " in line for line in err.splitlines()), err
    assert sorted(p.name for p in folder.iterdir()) == before
    return err


def test_malformed_matrices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(20261201)
    matrix = tmp_path / "matrix.yml"
    good = yaml.safe_load(GOOD_MATRIX)
    started = time.monotonic()
    for index in range(CASES):
        if index % 2:
            matrix.write_text(mutate(GOOD_MATRIX, rng))
        else:  # keys too: JSON is YAML, so a repeated key reaches the duplicate-key check
            matrix.write_text(encode(mutate_keys(good, rng)))
        outcome(["validate", "--matrix", str(matrix)], tmp_path, capsys)
        assert time.monotonic() - started < BUDGET, f"only {index + 1} of {CASES} cases in time"


VERBS = ("plan", "lock-export")  # every lock read by both


def mutated_lock(index: int, rng: random.Random) -> str:
    """Every third case edits keys, the others values; one in five also garbles the text."""
    data = mutate_keys(GOOD_LOCK, rng) if index % 3 == 0 else mutate_json(GOOD_LOCK, rng)
    text = encode(data)
    return mutate(text, rng) if index % 5 == 0 else text


def test_malformed_locks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(20261202)
    (tmp_path / "matrix.yml").write_text('modules:\n  six: "1.17.0"\n')
    lock = tmp_path / "matrix.lock.json"
    matrix = str(tmp_path / "matrix.yml")
    started = time.monotonic()
    refused = 0
    for index in range(CASES):
        lock.write_text(mutated_lock(index, rng))
        errors = [outcome([verb, "--matrix", matrix], tmp_path, capsys) for verb in VERBS]
        refused += sum(map(bool, errors))
        for err in errors:
            if err and index % 5:
                # A wrong value or key is named by its place, not by an exception's name.
                assert err.startswith(f"error: {lock}: "), err
                assert "Error" not in err and err.count("\n") == 1, err
        if errors[0]:  # refused: `sdist` reads it first too, before any download
            argv = ["sdist", "--matrix", matrix, "--module", "six", "--version", "1.17.0"]
            argv += ["--index-url", "http://127.0.0.1:9/simple/"]
            assert outcome([*argv, "--output-dir", str(tmp_path / "sdist")], tmp_path, capsys)
        assert time.monotonic() - started < BUDGET, f"only {index + 1} of {CASES} cases in time"
    assert refused > CASES  # most edits break the lock: the fuzz reaches the checks
