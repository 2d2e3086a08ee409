"""check: a requirements file's closure on musllinux, resolved by real pip against recorded
PyPI answers served on 127.0.0.1 (tests/fixtures/check-pypi/, recorded by
tests/fixtures/record_check.py).

The recorded closure: psycopg2 2.9.10 (Windows/macOS wheels and an sdist), frozenlist
1.8.0 (musllinux aarch64 and armv7l wheels; for i686 only its py3-none-any fallback), six
(pure), psycopg[binary] 3.2.10 (the extra pulls psycopg-binary: wheels only, none for
musllinux armv7l or i686) and psycopg's typing-extensions (python_version < "3.13").
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.pypi_server import PEP691, FixtureIndex, running_index
from support.synthetic_index import Dist, write_index

from generator import cli
from generator.check import resolve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check-pypi"
# The markers differ between the target (3.12) and the Python running pip here (3.11):
# pip evaluated them against the latter until check gave it the target's.
APP = """\
# a small application
psycopg2==2.9.10
frozenlist>=1.4  # the speed-ups are compiled
six ; python_version >= "3.12"
psycopg[binary]==3.2.10
tomli ; python_version < "3.12"
"""
TARGETS = ["--python", "3.12", "--arch", "aarch64", "--arch", "armv7l", "--arch", "i686"]


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FixtureIndex]:
    """The recorded closure as PyPI (PIP_INDEX_URL), run from a folder without matrix.yml."""
    monkeypatch.chdir(tmp_path)
    with running_index(fixtures=FIXTURES) as served:
        monkeypatch.setenv("PIP_INDEX_URL", served.index_url)
        yield served


def requirements(tmp_path: Path, text: str = APP) -> str:
    (tmp_path / "requirements.txt").write_text(text)
    return str(tmp_path / "requirements.txt")


AARCH64_312 = ("--python", "3.12", "--arch", "aarch64")


def check_json(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = cli.main(["check", *args, "--json"])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    return code, json.loads(captured.out)


def sources(answer: dict[str, object], arch: str) -> dict[str, tuple[str, str]]:
    """name → (source, detail) for the target on `arch`."""
    targets = answer["targets"]
    assert isinstance(targets, list)
    (target,) = [t for t in targets if t["arch"] == arch]
    return {d["name"]: (d["source"], d["detail"]) for d in target["distributions"]}


def versions(answer: dict[str, object]) -> dict[str, str]:
    """name → version, of the one target checked."""
    targets = answer["targets"]
    assert isinstance(targets, list)
    (target,) = targets
    return {d["name"]: d["version"] for d in target["distributions"]}


def test_check_classifies_the_closure_per_target(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, answer = check_json("-r", requirements(tmp_path), *TARGETS, capsys=capsys)
    assert code == 3  # something would compile
    assert answer["installs_without_compiler"] is False
    assert answer["not_served"] == ["frozenlist", "psycopg-binary", "psycopg2"]
    arm64, arm32, x86 = (sources(answer, arch) for arch in ("aarch64", "armv7l", "i686"))
    closure = {"psycopg2", "frozenlist", "six", "psycopg", "psycopg-binary", "typing-extensions"}
    assert set(arm64) == set(arm32) == set(x86) == closure  # tomli's marker is false for 3.12
    assert arm64["psycopg2"] == (
        "compile",
        "no wheel for cp312 musllinux aarch64 (wheels for other platforms only)",
    )
    assert arm64["frozenlist"] == (
        "pypi",
        "frozenlist-1.8.0-cp312-cp312-musllinux_1_2_aarch64.whl",
    )
    assert arm32["frozenlist"][0] == "pypi"
    assert x86["frozenlist"] == (
        "compile",
        "only a pure fallback (py3-none-any) of a compiled project",
    )
    assert arm64["psycopg-binary"][0] == "pypi"  # the extra is honoured
    assert arm32["psycopg-binary"] == (
        "unavailable",
        "no wheel for this target and no .tar.gz sdist: it cannot be built",
    )
    assert arm64["six"] == ("pypi", "six-1.17.0-py2.py3-none-any.whl")


def test_check_json_says_what_was_asked(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, answer = check_json(
        "-r", requirements(tmp_path), "--python", "3.12", "--arch", "aarch64", capsys=capsys
    )
    assert code == 3
    targets = answer["targets"]
    assert isinstance(targets, list)
    (target,) = targets
    assert (target["python"], target["arch"], target["installs_without_compiler"]) == (
        "3.12",
        "aarch64",
        False,
    )
    by_name = {d["name"]: d for d in target["distributions"]}
    assert by_name["psycopg2"] == {
        "name": "psycopg2",
        "version": "2.9.10",
        "source": "compile",
        "detail": "no wheel for cp312 musllinux aarch64 (wheels for other platforms only)",
        "requested": True,
        "specifier": "==2.9.10",
    }
    assert by_name["frozenlist"]["specifier"] == ">=1.4"
    assert by_name["typing-extensions"]["requested"] is False  # psycopg's, not the app's
    assert target["warnings"] == []


def test_check_table_and_exit_0_when_all_is_served(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = requirements(tmp_path, "six\nfrozenlist==1.8.0\npsycopg==3.2.10\n")
    assert cli.main(["check", "-r", path, "--python", "3.12", "--arch", "aarch64"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Python 3.12 on aarch64: 4 distributions — 4 from PyPI, 0 from this repository, "
        "0 would compile, 0 cannot install"
    )
    assert "psycopg-binary" not in out  # no [binary] extra asked
    assert "  typing-extensions *  4.16.0   PyPI" in out
    assert "  (* needed by another distribution, not named in the requirements)" in out
    assert out.rstrip().endswith("check: all 1 target(s) install without a compiler")


def test_the_table_counts_in_the_singular_and_explains_only_what_it_shows(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = requirements(tmp_path, "psycopg2==2.9.10\n")
    assert cli.main(["check", "-r", path, "--python", "3.12", "--arch", "aarch64"]) == 3
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Python 3.12 on aarch64: 1 distribution — 0 from PyPI, 0 from this repository, "
        "1 would compile, 0 cannot install"
    )
    assert "needed by another" not in out  # no row has a *
    # No matrix.yml here: the hint says where `add` works.
    assert out.rstrip().endswith(
        f"psycopg2 — to get them built, run `python -m generator add -r {path}` from a "
        "checkout of this repository (or pass --matrix PATH to its matrix.yml)"
    )


def test_check_table_names_what_would_compile(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = requirements(tmp_path)
    assert cli.main(["check", "-r", path, "--python", "3.12", "--arch", "i686"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert "  frozenlist           1.8.0    WOULD COMPILE   only a pure fallback" in "\n".join(
        lines
    )
    assert lines[-1].startswith(
        "check: 1 of 1 target(s) need a compiler or cannot install: frozenlist, "
        "psycopg-binary, psycopg2"
    )


def test_a_wheel_in_wheels_is_served_by_this_repository(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = "psycopg2-2.9.10-cp312-cp312-musllinux_1_2_armv7l.whl"
    (tmp_path / "wheels" / "psycopg2").mkdir(parents=True)
    tiny_wheel(tmp_path / "wheels" / "psycopg2" / built, "psycopg2", "2.9.10")
    path = requirements(tmp_path, "psycopg2==2.9.10\n")
    code, answer = check_json("-r", path, "--python", "3.12", "--arch", "armv7l", capsys=capsys)
    assert code == 0
    assert sources(answer, "armv7l") == {"psycopg2": ("repository", built)}


def test_a_wheel_on_the_published_index_is_served_by_this_repository(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = "psycopg2-2.9.10-cp312-cp312-musllinux_1_2_armv7l.whl"
    tiny_wheel(tmp_path / built, "psycopg2", "2.9.10")
    metadata = b"Metadata-Version: 2.1\nName: psycopg2\nVersion: 2.9.10\n"
    with running_index(fixtures=tmp_path / "nothing-else") as published:
        page = {
            "meta": {"api-version": "1.1"},
            "name": "psycopg2",
            "files": [
                {
                    "filename": built,
                    "url": f"{published.url}/wheels/{built}",
                    "hashes": {
                        "sha256": hashlib.sha256((tmp_path / built).read_bytes()).hexdigest()
                    },
                    "core-metadata": {"sha256": hashlib.sha256(metadata).hexdigest()},
                }
            ],
        }
        published.routes["/simple/psycopg2/"] = (200, PEP691, json.dumps(page).encode())
        published.routes[f"/wheels/{built}.metadata"] = (200, "text/plain", metadata)
        path = requirements(tmp_path, "psycopg2==2.9.10\nsix\n")
        code, answer = check_json(
            "-r",
            path,
            "--python",
            "3.12",
            "--arch",
            "armv7l",
            "--index-url",
            published.index_url,
            capsys=capsys,
        )
    assert code == 0
    assert sources(answer, "armv7l") == {
        "psycopg2": ("repository", built),
        "six": ("pypi", "six-1.17.0-py2.py3-none-any.whl"),
    }


def test_targets_default_to_the_matrix_defaults(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "matrix.yml").write_text(
        'defaults:\n  python: ["3.12"]\n  arch: [i686, armv7l]\nmodules:\n  six: latest\n'
    )
    code, answer = check_json("-r", requirements(tmp_path, "six\n"), capsys=capsys)
    assert code == 0
    targets = answer["targets"]
    assert isinstance(targets, list)
    assert [(t["python"], t["arch"]) for t in targets] == [("3.12", "i686"), ("3.12", "armv7l")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "six\n\npsycopg2==\n",
            "requirements.txt:3: 'psycopg2==' is not a requirement (",
            id="bad line",
        ),
        pytest.param(
            "six \\\n  >=1.0\n--index-url https://example.org/simple\n",
            "requirements.txt:3: the pip option --index-url is not read by check — remove it",
            id="an option",
        ),
        pytest.param(
            "six @ https://example.org/six.whl\n",
            "requirements.txt:1: 'six @ https://example.org/six.whl' is a direct URL",
            id="a URL",
        ),
        pytest.param("-r other.txt\n", "other.txt: no such file", id="missing include"),
    ],
)
def test_bad_requirements_are_located_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text(text)
    assert cli.main(["check", "-r", "requirements.txt", "--arch", "aarch64"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {message}") and " — " in error, error
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "six\npsycopg2==9.9\n",
            "requirements.txt:2: Python 3.12 on aarch64: no release of psycopg2 matches '==9.9'",
            id="no such release",
        ),
        pytest.param(
            "six\nno-such-thing\n",
            "requirements.txt:2: no-such-thing is not on the index http://127.0.0.1:",
            id="no such project",
        ),
        pytest.param(
            "six==1.17.0\nsix==1.16.0\n",
            "requirements.txt: Python 3.12 on aarch64: the requirements conflict (The "
            "user requested six==1.17.0; The user requested six==1.16.0) — loosen",
            id="two pins",
        ),
    ],
)
def test_what_the_index_cannot_satisfy_is_a_clear_error(
    index: FixtureIndex,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    requirements(tmp_path, text)  # the index fixture runs check in tmp_path
    assert (
        cli.main(["check", "-r", "requirements.txt", "--python", "3.12", "--arch", "aarch64"]) == 2
    )
    error = capsys.readouterr().err
    assert error.startswith(f"error: {message}"), error
    assert " — " in error and len(error.strip().splitlines()) == 1


def test_an_index_url_that_is_not_a_url_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = requirements(tmp_path, "six\n")
    assert cli.main(["check", "-r", path, "--arch", "aarch64", "--index-url", "notaurl"]) == 2
    assert capsys.readouterr().err == (
        "error: --index-url: 'notaurl' is not an http(s) URL — give this repository's "
        "published index, e.g. https://OWNER.github.io/REPO/simple/\n"
    )


def test_an_index_url_with_a_space_is_refused_before_any_request(
    index: FixtureIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same URL check as `index-url:` in matrix.yml (urlsplit alone lets a space by)."""
    path = requirements(tmp_path, "six\n")
    args = ["check", "-r", path, *AARCH64_312, "--index-url", "http://a b/simple/"]
    assert cli.main(args) == 2
    assert capsys.readouterr().err == (
        "error: --index-url: 'http://a b/simple/' is not an http(s) URL — give this "
        "repository's published index, e.g. https://OWNER.github.io/REPO/simple/\n"
    )
    assert index.seen == []  # not even PyPI was asked


def test_a_missing_requirements_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "-r", "nothing.txt"]) == 2
    assert capsys.readouterr().err == (
        "error: nothing.txt: no such file — give the path of a requirements file\n"
    )


def test_rounds_are_bounded(
    index: FixtureIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(resolve, "MAX_ROUNDS", 2)  # psycopg2 and psycopg-binary need 3
    path = requirements(tmp_path)
    assert cli.main(["check", "-r", path, "--python", "3.12", "--arch", "armv7l"]) == 1
    assert "more than 2 distributions have no wheel" in capsys.readouterr().err


@pytest.mark.live
def test_live_check_against_the_real_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Smoke test: the real PyPI (or PIP_INDEX_URL's mirror) still lacks musllinux wheels of
    psycopg2 and has a pure six."""
    monkeypatch.chdir(tmp_path)
    path = requirements(tmp_path, "psycopg2==2.9.10\nsix\n")
    code, answer = check_json("-r", path, "--python", "3.12", "--arch", "aarch64", capsys=capsys)
    assert code == 3
    found = sources(answer, "aarch64")
    assert found["psycopg2"][0] == "compile" and found["six"][0] == "pypi"


def tiny_wheel(path: Path, name: str, version: str) -> None:
    """A wheel pip reads as `name` `version` (metadata only: a dry run installs nothing)."""
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n")
        archive.writestr(f"{info}/RECORD", "")


# Release histories no recorded project shows, served on 127.0.0.1 like the recordings.
MUSL = "cp312-cp312-musllinux_1_2_aarch64.whl"
MANY = "cp312-cp312-manylinux_2_17_aarch64.whl"
WIN = "cp312-cp312-win_amd64.whl"


@contextmanager
def made_up(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    projects: Mapping[str, Mapping[str, Sequence[Dist]]],
) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    with running_index(fixtures=write_index(tmp_path / "index", projects)) as served:
        monkeypatch.setenv("PIP_INDEX_URL", served.index_url)
        yield


DEMO = {
    "demo": {
        "1.0": [Dist(f"demo-1.0-{MUSL}"), Dist("demo-1.0.tar.gz")],
        "2.0": [Dist("demo-2.0.tar.gz"), Dist(f"demo-2.0-{MANY}")],
    },
    "app": {"1.0": [Dist("app-1.0-py3-none-any.whl", requires_dist=("demo<2",))]},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("demo\n", ("2.0", "compile"), id="the newest has only an sdist"),
        pytest.param("demo<2\n", ("1.0", "pypi"), id="the requirement forbids it"),
        pytest.param("demo\n-c c.txt\n", ("1.0", "pypi"), id="a constraint forbids it"),
        pytest.param("demo\napp\n", ("1.0", "pypi"), id="a dependency forbids it"),
    ],
)
def test_a_newer_release_pip_on_alpine_would_build_beats_an_older_wheel(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    expected: tuple[str, str],
) -> None:
    """demo 1.0 has a musllinux wheel, demo 2.0 an sdist and manylinux wheels: pip on
    Alpine (no --prefer-binary) builds 2.0 unless something rules it out."""
    (tmp_path / "c.txt").write_text("demo<2\n")
    with made_up(tmp_path, monkeypatch, DEMO):
        code, answer = check_json(
            "-r",
            requirements(tmp_path, text),
            *AARCH64_312,
            capsys=capsys,
        )
    version, source = expected
    assert (versions(answer)["demo"], sources(answer, "aarch64")["demo"][0]) == (version, source)
    assert code == (3 if source == "compile" else 0)


PSY = {
    "psy": {
        "1.0": [Dist("psy-1.0.tar.gz"), Dist(f"psy-1.0-{WIN}")],
        "1.5": [Dist("psy-1.5.tar.gz", yanked=True)],
        "2.0": [Dist("psy-2.0.tar.gz"), Dist(f"psy-2.0-{WIN}")],
    },
}


@pytest.mark.parametrize(
    ("text", "version"),
    [
        pytest.param("psy\n", "2.0", id="the newest"),
        pytest.param("psy\n-c c.txt\n", "1.0", id="constrained, the yanked release passed by"),
        pytest.param("psy==1.5\n", "1.5", id="a yanked release pinned"),
    ],
)
def test_the_release_to_build_honours_constraints_and_yanks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    version: str,
) -> None:
    (tmp_path / "c.txt").write_text("psy<2\n")
    with made_up(tmp_path, monkeypatch, PSY):
        code, answer = check_json(
            "-r",
            requirements(tmp_path, text),
            *AARCH64_312,
            capsys=capsys,
        )
    assert code == 3
    assert sources(answer, "aarch64")["psy"][0] == "compile"
    assert versions(answer) == {"psy": version}


def test_a_version_conflict_is_one_located_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = {
        "dep": {v: [Dist(f"dep-{v}-py3-none-any.whl")] for v in ("1.0", "2.0")},
        "app": {"1.0": [Dist("app-1.0-py3-none-any.whl", requires_dist=("dep==1.0",))]},
    }
    with made_up(tmp_path, monkeypatch, projects):
        path = requirements(tmp_path, "app\ndep==2.0\n")
        assert cli.main(["check", "-r", path, "--python", "3.12", "--arch", "aarch64"]) == 2
    error = capsys.readouterr().err
    assert error == (
        f"error: {path}: Python 3.12 on aarch64: the requirements conflict (The user "
        "requested dep==2.0; app 1.0 depends on dep==1.0) — loosen one of the pins\n"
    )
