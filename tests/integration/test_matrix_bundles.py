"""`bundles:` in matrix.yml: each form resolves to what pip installs together, for the Pythons
and archs every member builds; every mistake is located (in matrix.yml or in the bundle's
requirements file) with what is wrong and how to fix it, and the schema accepts and refuses
the same shapes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support.cli import REPO, run_generator

from generator.errors import UserError
from generator.matrix.bundles import ResolvedBundle
from generator.matrix.load import parse_matrix

BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"

MODULES = """\
defaults:
  python: ["3.12", "3.13"]
  arch: [x86_64, aarch64, armv7l]
modules:
  lxml: "6.1.3"
  psycopg2:
    versions: "2.9.10"
    arch: [aarch64, x86_64]
  markupsafe: "3.0.3"
"""


def bundles_of(tmp_path: Path, bundles: str) -> tuple[ResolvedBundle, ...]:
    return parse_matrix(MODULES + "bundles:\n" + bundles, tmp_path / "matrix.yml").bundles


def test_a_list_names_the_modules_installed_together(tmp_path: Path) -> None:
    (bundle,) = bundles_of(tmp_path, "  web: [lxml, PsycoPG2]\n")
    assert bundle == ResolvedBundle(
        name="web",
        requirements=("lxml", "psycopg2"),
        members=("lxml", "psycopg2"),
        pythons=("3.12", "3.13"),
        archs=("x86_64", "aarch64"),  # psycopg2 has no armv7l: neither has the bundle
    )


def test_a_requirements_file_keeps_its_specifiers(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "web.txt").write_text(
        "# the web app\nlxml>=6  # parser\n\nMarkupSafe==3.0.3 ; python_version >= '3.9'\n"
        "psycopg2 \\\n  <3\n"
    )
    (bundle,) = bundles_of(tmp_path, "  web:\n    requirements: apps/web.txt\n")
    assert bundle.requirements == (
        "lxml>=6",
        'markupsafe==3.0.3; python_version >= "3.9"',
        ("psycopg2<3"),
    )
    assert bundle.members == ("lxml", "markupsafe", "psycopg2")


def test_members_beyond_the_modules_come_from_the_index(tmp_path: Path) -> None:
    """Django is no module: it is taken (online, at publish time) from the index, so the
    offline check accepts it, records where it is written, and only the modules among the
    members narrow the targets."""
    (tmp_path / "app.txt").write_text("# the app\nDjango>=5.2\npsycopg2\n")
    web, app, _site = bundles_of(
        tmp_path,
        "  web: [lxml, Django]\n  app:\n    requirements: app.txt\n  site: [django]\n",
    )
    assert web.members == ("lxml", "django")
    assert web.places == (f"{tmp_path / 'matrix.yml'}:11:9", f"{tmp_path / 'matrix.yml'}:11:15")
    assert web.archs == ("x86_64", "aarch64", "armv7l")
    assert app.requirements == ("django>=5.2", "psycopg2")
    assert app.places == (f"{tmp_path / 'app.txt'}:2:1", f"{tmp_path / 'app.txt'}:3:1")
    assert app.archs == ("x86_64", "aarch64")  # psycopg2's


def test_a_bundle_of_index_projects_alone_takes_the_defaults(tmp_path: Path) -> None:
    (bundle,) = bundles_of(tmp_path, "  site: [django]\n")
    assert (bundle.pythons, bundle.archs) == (("3.12", "3.13"), ("x86_64", "aarch64", "armv7l"))


def test_a_matrix_without_bundles_has_none(tmp_path: Path) -> None:
    assert parse_matrix(MODULES, tmp_path / "matrix.yml").bundles == ()


# (name, bundles text, expected line, column, words the message must contain)
CASES = [
    ("empty list", "  web: []\n", 11, 8, ["bundle 'web' is empty", "list its distributions"]),
    ("empty modules", "  web:\n    modules: []\n", 12, 14, ["bundle 'web' is empty"]),
    ("bad member name", "  web: [lxml, '-x']\n", 11, 15, ["not a valid distribution name"]),
    ("member twice", "  web: [lxml, LXML]\n", 11, 15, ["'LXML' is listed twice"]),
    ("bad bundle name", "  Web_App: [lxml]\n", 11, 3, ["'Web_App' is not valid as a name"]),
    ("too long a name", f"  {'a' * 65}: [lxml]\n", 11, 3, ["not valid as a name"]),
    ("text, not a list", "  web: lxml\n", 11, 8, ["'web' has text", "a list of distribution"]),
    ("unknown key", "  web:\n    module: [lxml]\n", 12, 5, ["did you mean 'modules'"]),
    (
        "both forms",
        "  web:\n    modules: [lxml]\n    requirements: r.txt\n",
        12,
        5,
        ["`modules` or `requirements`, not both"],
    ),
    (
        "missing requirements file",
        "  web:\n    requirements: absent.txt\n",
        12,
        19,
        ["requirements file 'absent.txt' does not exist"],
    ),
    (
        "requirements outside the repository",
        "  web:\n    requirements: ../outside.txt\n",
        12,
        19,
        ["'../outside.txt' is outside the repository"],
    ),
    (
        "requirements by absolute path",
        "  web:\n    requirements: /etc/hostname\n",
        12,
        19,
        ["is outside the repository"],
    ),
    (
        "no common Python",
        "  web: [lxml, solo]\n",
        11,
        3,
        ["have no Python in common", "split the bundle"],
    ),
    (
        "a tag clash with a module",
        "  x: [lxml]\n",
        11,
        3,
        ["would share its tags bundle-x-py<X.Y> with module 'bundle-x'"],
    ),
]
EXTRA_MODULES = {
    "no common Python": '  solo:\n    versions: "1.0"\n    python: ["3.14"]\n',
    "a tag clash with a module": '  bundle-x: "1.0"\n',
}


@pytest.mark.parametrize(
    ("name", "bundles", "line", "column", "words"), CASES, ids=[case[0] for case in CASES]
)
def test_bad_bundles_are_located_and_explained(
    tmp_path: Path, name: str, bundles: str, line: int, column: int, words: list[str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.txt").write_text("lxml\n")
    (repo / "r.txt").write_text("lxml\n")
    # Extra modules go after the others, so the bundle lines keep their numbers.
    text = MODULES + EXTRA_MODULES.get(name, "") + "bundles:\n" + bundles
    offset = EXTRA_MODULES.get(name, "").count("\n")
    with pytest.raises(UserError) as raised:
        parse_matrix(text, repo / "matrix.yml")
    message = str(raised.value).splitlines()[0]
    assert re.match(rf"\S*matrix\.yml:{line + offset}:{column}: .+ — .+", message), message
    for word in words:
        assert word in str(raised.value)


def test_a_link_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "secret.txt").write_text("lxml\n")
    (tmp_path / "repo" / "web.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(UserError, match=r"matrix\.yml:12:19: requirements file 'web.txt' is out"):
        bundles_of(tmp_path / "repo", "  web:\n    requirements: web.txt\n")


def test_problems_in_the_requirements_file_are_located_there(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "app.txt").write_text(
        "lxml\n--index-url https://example.org/simple\ndjango>=5\nlxml<7\n"
        "x @ https://example.org/x.whl\nnot a requirement!\n"
    )
    with pytest.raises(UserError) as raised:
        bundles_of(tmp_path, "  app:\n    requirements: reqs/app.txt\n")
    lines = str(raised.value).splitlines()
    shown = str(tmp_path / "reqs" / "app.txt")
    # django>=5 (line 3) is no mistake: a name that is not a module comes from the index.
    assert [line.split(": ", 1)[0] for line in lines] == [f"{shown}:{n}:1" for n in (2, 4, 5, 6)]
    assert "pip options are not taken" in lines[0]
    assert "'lxml' is listed twice in this file" in lines[1]
    assert "names a URL" in lines[2]
    assert "is not a requirement" in lines[3]


def test_a_requirements_file_is_read_as_check_reads_one(tmp_path: Path) -> None:
    # The same reader as `check`: `#` after any whitespace (a no-break space too) starts a
    # comment, and `\\` joins lines end to end.
    (tmp_path / "app.txt").write_text("lxml\u00a0# parser\npsycopg2\\\n==2.9.10\n")
    (bundle,) = bundles_of(tmp_path, "  app:\n    requirements: app.txt\n")
    assert bundle.requirements == ("lxml", "psycopg2==2.9.10")
    assert bundle.places == (f"{tmp_path / 'app.txt'}:1:1", f"{tmp_path / 'app.txt'}:2:1")


def test_a_requirements_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "app.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(UserError, match=r"app\.txt: cannot be read \(.*utf-8.*\) — check the"):
        bundles_of(tmp_path, "  app:\n    requirements: app.txt\n")


def test_a_requirements_file_naming_nothing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("# nothing yet\n\n")
    with pytest.raises(UserError, match=r"matrix\.yml:12:19: .*'empty.txt' names no requirement"):
        bundles_of(tmp_path, "  web:\n    requirements: empty.txt\n")


def test_the_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(MODULES + "bundles:\n  web: [lxml, lxml]\n")
    done = run_generator("render", "--matrix", str(tmp_path / "matrix.yml"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert re.match(r"error: \S*matrix\.yml:11:15: 'lxml' is listed twice", done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.yml"]


@pytest.mark.parametrize(
    ("bundles", "valid"),
    [
        ("  web: [lxml, psycopg2]\n", True),
        ("  web:\n    requirements: apps/web.txt\n", True),
        ("  web: []\n", False),
        ("  Web: [lxml]\n", False),
        ("  web:\n    modules: [lxml]\n    requirements: r.txt\n", False),
        ("  web:\n    requirement: r.txt\n", False),
    ],
)
def test_the_schema_accepts_what_the_model_accepts(
    tmp_path: Path, bundles: str, valid: bool
) -> None:
    (tmp_path / "matrix.yml").write_text(MODULES + "bundles:\n" + bundles)
    check = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--schemafile",
            str(REPO / "matrix.schema.json"),
            str(tmp_path / "matrix.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (check.returncode == 0) == valid, check.stdout
