"""File names from outside become paths only when they are bare names; a release keeps
only its own project's wheels."""

from __future__ import annotations

import pytest
from packaging.version import Version

from generator.core.wheels import FileRef, is_bare_filename
from generator.pypi.models import Release
from unit.builders import dist


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("pkg-1.0-py3-none-any.whl", True),
        ("pkg-1.0-1..2-py3-none-any.whl", True),
        ("pkg-1.0-1/../../evil-py3-none-any.whl", False),
        ("..", False),
        ("", False),
        ("a\\b.whl", False),
        ("a\x00b.whl", False),
        ("a\nb.whl", False),
    ],
)
def test_is_bare_filename(name: str, bare: bool) -> None:
    assert is_bare_filename(name) is bare
    if not bare:
        with pytest.raises(ValueError, match="not a bare file name"):
            FileRef(name, "https://files.example/x", "0" * 64)


def test_a_release_keeps_only_its_own_wheels() -> None:
    files = [
        dist("pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),
        dist("other-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),  # another project's
        dist("pkg-2.0-cp312-cp312-musllinux_1_2_x86_64.whl"),  # another version
        dist("pkg-1.0-1/../../x-py3-none-any.whl"),  # climbs out of any folder
        dist("pkg-1.0.tar.gz"),
    ]
    release = Release(Version("1.0"), files, "PKG")
    assert [f.filename for f in release.files] == [
        "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        "pkg-1.0.tar.gz",
    ]
    assert release.ignored == (
        "'other-1.0-cp312-cp312-musllinux_1_2_x86_64.whl' (a file of other, listed under pkg)",
        "'pkg-2.0-cp312-cp312-musllinux_1_2_x86_64.whl' (version 2.0, listed under 1.0)",
        "'pkg-1.0-1/../../x-py3-none-any.whl' (not a bare file name)",
    )
