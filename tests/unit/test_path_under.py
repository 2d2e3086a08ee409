"""path_under: a name from outside joined to an output folder stays in that folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import UserError
from generator.fileio import path_under


@pytest.mark.parametrize(
    "name", ["x.whl", "six/index.html", "a/../b.whl", ".hidden", "..x.whl", "x..whl"]
)
def test_names_inside_are_joined(tmp_path: Path, name: str) -> None:
    assert path_under(tmp_path / "out", name) == tmp_path / "out" / name


@pytest.mark.parametrize(
    "name", ["../x.whl", "a/../../x.whl", "/etc/passwd", "..", ".", "", "six/../.."]
)
def test_names_that_climb_out_or_name_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UserError, match=r"leads outside .* — .*must stay in its folder"):
        path_under(tmp_path / "out", name)


def test_a_link_leading_out_is_refused_a_link_inside_is_not(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (out / "out.whl").symlink_to(tmp_path / "outside" / "victim.whl")  # dangling, still out
    (out / "dir").symlink_to(tmp_path / "outside")
    (out / "in.whl").symlink_to(out / "sub" / "x.whl")
    for name in ("out.whl", "dir/x.whl"):
        with pytest.raises(UserError, match="leads outside"):
            path_under(out, name)
    assert path_under(out, "in.whl") == out / "in.whl"


def test_a_linked_output_folder_is_its_own_root(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    assert path_under(tmp_path / "out", "x.whl") == tmp_path / "out" / "x.whl"
