"""check's inputs: requirements files as people write them, and the placeholder wheels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import requests

from generator.check.metadata import wheel_requires_dist
from generator.check.placeholders import placeholder_filename, write_placeholder
from generator.check.requirements import read_requirements
from generator.errors import UserError
from generator.pypi.transport import InvalidResponse


def test_requirement_lines_comments_continuations_hashes_and_includes(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("six==1.17.0 --hash=sha256:abc  # pinned\n")
    (tmp_path / "limits.txt").write_text("frozenlist<2\n")
    (tmp_path / "requirements.txt").write_text(
        "# app\n\n-r base.txt\n-c limits.txt\n"
        "psycopg[binary] \\\n  ==3.2.10 ; python_version >= '3.9'\n"
    )
    lines = read_requirements(tmp_path / "requirements.txt")
    assert [(str(r.requirement), r.where.rpartition("/")[2], r.constraint) for r in lines] == [
        ("six==1.17.0", "base.txt:1", False),
        ("frozenlist<2", "limits.txt:1", True),
        ('psycopg[binary]==3.2.10; python_version >= "3.9"', "requirements.txt:5", False),
    ]


def test_an_include_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\n")
    (tmp_path / "b.txt").write_text("-r a.txt\n")
    with pytest.raises(UserError, match=r"a.txt: included again by .*b.txt — remove the loop"):
        read_requirements(tmp_path / "a.txt")


def test_a_placeholder_carries_the_release_requires_dist_and_its_extras(tmp_path: Path) -> None:
    requires = ["typing-extensions>=4.6", 'PySocks!=1.5.7 ; extra == "socks"']
    path = write_placeholder(tmp_path, "Foo.Bar", "1.0", requires)
    assert path.name == placeholder_filename("foo-bar", "1.0") == "foo_bar-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path) as wheel:
        metadata = wheel.read("foo_bar-1.0.dist-info/METADATA").decode()
    assert "Provides-Extra: socks\n" in metadata  # pip honours foo-bar[socks] only then
    response = requests.Response()
    response._content = path.read_bytes()
    assert wheel_requires_dist(response) == requires


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(b"not a zip", "is not a zip archive", id="garbage"),
        pytest.param(None, "has no .dist-info/METADATA", id="no metadata"),
    ],
)
def test_a_wheel_that_gives_no_metadata_is_an_invalid_answer(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    if content is None:
        with zipfile.ZipFile(tmp_path / "x.whl", "w") as wheel:
            wheel.writestr("x/__init__.py", "")
        content = (tmp_path / "x.whl").read_bytes()
    response = requests.Response()
    response._content = content
    response.url = "http://127.0.0.1/x-1.0-py3-none-any.whl"
    with pytest.raises(InvalidResponse, match=f"x-1.0-py3-none-any.whl: a wheel {problem}"):
        wheel_requires_dist(response)
