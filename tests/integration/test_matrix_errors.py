"""Every kind of bad matrix gives `file:LINE:COL: what — fix`, exit 2, no traceback,
and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.bombs import alias_bomb
from support.cli import run_generator

# (name, matrix text, expected line, expected column, words the message must contain)
CASES = [
    (
        "optional key written with no value",
        'modules:\n  six:\n    versions: "1.17.0"\n    prefer:\n',
        4,
        12,
        ["'prefer' has no value", "write build or wheel, or remove the line"],
    ),
    (
        "top-level key written with no value",
        'registry:\nmodules:\n  six: "1.17.0"\n',
        1,
        10,
        ["'registry' has no value", "give HOST/NAMESPACE", "or remove the line"],
    ),
    (
        "blank exclusion reason",
        'modules:\n  six:\n    versions: "1.17.0"\n    exclude:\n      - arch: i686\n'
        '        reason: "  "\n',
        6,
        17,
        ["the reason is blank", "write a sentence saying why"],
    ),
    (
        "test-requires that is not a requirement",
        'modules:\n  six:\n    versions: "1.17.0"\n    test-requires: ["ruamel yaml"]\n',
        4,
        21,
        ["'ruamel yaml' is not a requirement", "write e.g. ruamel.yaml>=0.18"],
    ),
    (
        "test-requires with a marker",
        'modules:\n  six:\n    versions: "1.17.0"\n    test-requires: ["a; os_name==\'x\'"]\n',
        4,
        21,
        ["has a URL or a marker", "name and version specifiers only"],
    ),
    (
        "prefer that is neither build nor wheel",
        'modules:\n  six:\n    versions: "1.17.0"\n    prefer: source\n',
        4,
        13,
        ["prefer 'source' is not one of build, wheel", "use build"],
    ),
    (
        "prefer that is not a word",
        'modules:\n  six:\n    versions: "1.17.0"\n    prefer: [build]\n',
        4,
        13,
        ["'prefer' has a list", "write build or wheel"],
    ),
    (
        "index-url that is not a URL",
        'index-url: "http://[::1"\nmodules:\n  six: "1.17.0"\n',
        1,
        12,
        ["'http://[::1' is not a URL"],
    ),
    (
        "index-url with a space in its host",
        'index-url: "http://a b/simple/"\nmodules:\n  six: "1.17.0"\n',
        1,
        12,
        ["'http://a b/simple/' has a space or control character — remove it"],
    ),
    (
        "index-url with a character no host has",
        'index-url: "http://a%20b/simple/"\nmodules:\n  six: "1.17.0"\n',
        1,
        12,
        ["has a host 'a%20b' no URL can have"],
    ),
    (
        "repeated python",
        'defaults:\n  python: ["3.12", "3.13", "3.12"]\nmodules:\n  six: "1.17.0"\n',
        2,
        11,
        ["python 3.12 is listed twice", "keep one"],
    ),
    (
        "repeated arch",
        'modules:\n  six:\n    versions: "1.17.0"\n    arch: [x86_64, aarch64, x86_64]\n',
        4,
        11,
        ["arch x86_64 is listed twice"],
    ),
    (
        "pin with a trailing space",
        'modules:\n  six: ["1.17.0 "]\n',
        2,
        8,
        ["'1.17.0 ' is not spelled as PyPI spells it", "write 1.17.0"],
    ),
    (
        "string pin with a trailing space",
        'modules:\n  six: "1.17.0 "\n',
        2,
        8,
        ["'1.17.0 ' is not spelled as PyPI spells it", "write 1.17.0"],
    ),
    (
        "string pin with a newline",
        'modules:\n  six: "0.1.0\\n"\n',
        2,
        8,
        ["'0.1.0\\n' is not spelled as PyPI spells it", "write 0.1.0"],
    ),
    (
        "pin in another spelling",
        'modules:\n  six: ["1.0RC1", "v2"]\n',
        2,
        8,
        ["'1.0RC1' is not spelled as PyPI spells it — write 1.0rc1"],
    ),
    (
        "unknown key",
        'modules:\n  pyyaml:\n    versions: "6.0.2"\n    arhc: [x86_64]\n',
        4,
        5,
        ["unknown key 'arhc'", "did you mean 'arch'"],
    ),
    (
        "unknown key with a newline in it",
        'modules:\n  six: "1.17.0"\n"1\\n --x": 1\n',
        3,
        1,
        ["unknown key '1\\n --x'"],
    ),
    ("unknown top-level key", 'modulez:\n  pyyaml: "6.0.2"\n', 1, 1, ["unknown key 'modulez'"]),
    (
        "unknown arch",
        'modules:\n  pyyaml:\n    versions: "6.0.2"\n    arch: [x86_64, sparc]\n',
        4,
        20,
        ["unknown arch 'sparc'", "aarch64"],
    ),
    (
        "unknown python",
        'modules:\n  pyyaml:\n    versions: "6.0.2"\n    python: ["2.7"]\n',
        4,
        14,
        ["Python '2.7'", "3.12"],
    ),
    (
        "unquoted python 3.10",
        'defaults:\n  python: [3.10]\nmodules:\n  pyyaml: "6.0.2"\n',
        2,
        12,
        ["read as a number", '"3.10"'],
    ),
    ("invalid version", 'modules:\n  pyyaml: "six"\n', 2, 11, ["'six' is not a valid version"]),
    (
        "invalid specifier",
        'modules:\n  pyyaml: ">=43,<<47"\n',
        2,
        11,
        ["not a valid version specifier"],
    ),
    ("bad latest count", 'modules:\n  pyyaml: "latest:zero"\n', 2, 11, ["latest:"]),
    ("invalid name", 'modules:\n  "-bad-": "1.0"\n', 2, 3, ["not a valid distribution name"]),
    (
        "duplicate key",
        'modules:\n  cffi: "1.17.1"\n  lxml: "6.0.0"\n  cffi: "2.0.0"\n',
        4,
        3,
        ["'cffi' appears twice", "line 2"],
    ),
    (
        "same module, other spelling",
        'modules:\n  PyYAML: "6.0.2"\n  pyyaml: "6.0.1"\n',
        3,
        3,
        ["same module as 'PyYAML'"],
    ),
    (
        "hook missing",
        'modules:\n  lxml:\n    versions: "6.0.0"\n    before-all: hooks/nope.sh\n',
        4,
        17,
        ["hooks/nope.sh", "does not exist"],
    ),
    (
        "hook outside hooks/",
        'modules:\n  lxml:\n    versions: "6.0.0"\n    before-all: /etc/x.sh\n',
        4,
        17,
        ["before-all", "hooks/"],
    ),
    ("empty modules", "modules: {}\n", 1, 10, ["no modules"]),
    ("empty file", "", 1, 1, ["empty"]),
    ("comments only", "# nothing here\n", 1, 1, ["empty"]),
    ("not yaml", "modules: [unclosed\n", 2, 1, ["not valid YAML"]),
    ("not a mapping", "just some text\n", 1, 1, ["not a matrix"]),
    ("modules not a mapping", "modules: [cffi]\n", 1, 10, ["'modules' has a list"]),
    (
        "exclusion without reason",
        'modules:\n  x:\n    versions: "1.0"\n    exclude:\n      - arch: i686\n',
        5,
        9,
        ["'reason' is missing"],
    ),
    (
        "exclusion matching all",
        'modules:\n  x:\n    versions: "1.0"\n    exclude:\n      - reason: why\n',
        5,
        9,
        ["matches every cell"],
    ),
    (
        "bad apk name",
        'modules:\n  x:\n    versions: "1.0"\n    apk: ["rm -rf /"]\n',
        4,
        11,
        ["not valid for 'apk'"],
    ),
    (
        "hook climbing out with ..",
        'modules:\n  x:\n    versions: "1.0"\n    before-all: hooks/../../etc/passwd\n',
        4,
        17,
        ["not valid for 'before-all'", ".."],
    ),
    (
        "bad environment name",
        'modules:\n  x:\n    versions: "1.0"\n    environment: {1BAD: y}\n',
        4,
        19,
        ["'1BAD' is not valid as a name in 'environment'"],
    ),
    ("YAML merge key", 'modules:\n  x:\n    <<: {versions: "1.0"}\n', 3, 5, ["merge keys"]),
    (
        "YAML tag",
        'modules:\n  x: !!python/object:os.system "ls"\n',
        2,
        6,
        ["YAML tag", "not supported"],
    ),
    ("key that is not text", 'modules:\n  123: "1.0"\n', 2, 3, ["'123' is not text", "quote"]),
    ("module entry true", "modules:\n  x: true\n", 2, 6, ["'x' has true/false", "a version"]),
    (
        "retention of zero",
        'keep-versions: 0\nmodules:\n  x: "1.0"\n',
        1,
        16,
        ["'keep-versions' has the number 0", "at least 1"],
    ),
    (
        "unquoted version in a list",
        'modules:\n  x: [1.0, "2.0"]\n',
        2,
        7,
        ["version 1.0 was read as a number"],
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_matrix_is_located_and_explained(
    tmp_path: Path, text: str, line: int, column: int, words: list[str]
) -> None:
    (tmp_path / "matrix.yml").write_text(text)
    done = run_generator("render", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert re.match(rf"error: \S*matrix\.yml:{line}:{column}: .+ — .+", first), done.stderr
    for word in words:
        assert word in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.yml"], "nothing is written"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(
        'modules:\n  a:\n    versions: "1.0"\n    arch: [sparc]\n  b:\n    python: ["2.7"]\n'
    )
    done = run_generator("validate", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2
    assert ":4:12:" in done.stderr and ":6:14:" in done.stderr


def test_missing_matrix_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_generator("plan", "--matrix", str(tmp_path / "absent.yml"))
    assert done.returncode == 2
    assert "absent.yml: no such file" in done.stderr and "Traceback" not in done.stderr


def test_policy_without_lock_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text("modules:\n  cffi: latest\n")
    done = run_generator("plan", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2
    assert "generator update" in done.stderr


def test_hook_linking_outside_hooks_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "evil.sh").symlink_to("/etc/passwd")
    (tmp_path / "matrix.yml").write_text(
        'modules:\n  x:\n    versions: "1.0"\n    before-all: hooks/evil.sh\n'
    )
    done = run_generator("plan", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2, done.stderr
    assert "matrix.yml:4:17: hook 'hooks/evil.sh' links outside hooks/" in done.stderr


def test_unwritable_output_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text('modules:\n  x: "1.0"\n')
    (tmp_path / "file").write_text("")
    done = run_generator(
        "plan",
        "--matrix",
        str(tmp_path / "matrix.yml"),
        "--output",
        str(tmp_path / "file" / "plan.json"),
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {tmp_path / 'file'}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(alias_bomb(), "expands to more than 100000 values", id="alias bomb"),
        pytest.param("modules: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply", id="deep"),
        pytest.param("modules:\n" + "  " * 40 + "x: 1\n", "", id="indented, still plain"),
    ],
)
def test_bombs_are_refused_quickly_and_located(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "matrix.yml").write_text(text)
    done = run_generator("plan", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert re.match(r"error: \S*matrix\.yml:\d+:\d+: .+ — .+", done.stderr), done.stderr
    assert message in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.yml"]


@pytest.mark.parametrize(
    "argv",
    [
        ["index", "--output-dir", ""],
        ["collect", "--output-dir", " "],
        ["plan", "--output", ""],
        ["lock-export", "--output-dir", ""],
        ["schema", "--output", ""],
        ["plan", "--matrix", ""],
        ["validate", "--matrix", " "],
    ],
)
def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path: Path, argv: list[str]) -> None:
    done = run_generator(*argv, cwd=tmp_path)
    assert done.returncode == 2 and "an empty path" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
