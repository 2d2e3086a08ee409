from pathlib import PurePosixPath

import pytest

from generator.errors import UserError
from generator.publish.repository import (
    HARD_LIMIT,
    WARN_LIMIT,
    check_size,
    files_beyond_retention,
    render_sha256sums,
    wheel_relpath,
)


def test_layout_uses_the_normalized_project_and_keeps_the_filename() -> None:
    name = "Markup_Safe-3.0.3-cp312-cp312-musllinux_1_2_x86_64.whl"
    assert wheel_relpath(name) == PurePosixPath("markup-safe", name)


def test_a_renamed_file_is_refused_with_the_reason() -> None:
    with pytest.raises(UserError, match="not a valid wheel filename"):
        wheel_relpath("markupsafe-latest.whl")


def test_size_rules() -> None:
    assert check_size("small.whl", WARN_LIMIT) is None
    assert "50 MB" in (check_size("big.whl", WARN_LIMIT + 1) or "")
    with pytest.raises(UserError, match="100 MB"):
        check_size("huge.whl", HARD_LIMIT + 1)


def test_retention_orders_versions_by_pep440_not_as_strings() -> None:
    names = [
        f"demo-{version}-cp312-cp312-musllinux_1_2_x86_64.whl"
        for version in ("1.9", "1.10", "1.2", "1.10.post1")
    ] + ["other-0.1-py3-none-any.whl"]
    old = files_beyond_retention(names, keep=2)
    assert old == {
        "demo-1.9-cp312-cp312-musllinux_1_2_x86_64.whl",
        "demo-1.2-cp312-cp312-musllinux_1_2_x86_64.whl",
    }


def test_retention_keeps_every_wheel_of_a_kept_version() -> None:
    names = [
        "demo-2-cp312-cp312-musllinux_1_2_x86_64.whl",
        "demo-2-cp313-cp313-musllinux_1_2_aarch64.whl",
        "demo-1-cp312-cp312-musllinux_1_2_x86_64.whl",
    ]
    assert files_beyond_retention(names, keep=1) == {names[2]}
    with pytest.raises(UserError):
        files_beyond_retention(names, keep=0)


def test_sha256sums_is_sorted_sha256sum_format() -> None:
    pairs = [(PurePosixPath("b/b.whl"), "2" * 64), (PurePosixPath("a/a.whl"), "1" * 64)]
    text = render_sha256sums(pairs)
    assert text == f"{'1' * 64}  a/a.whl\n{'2' * 64}  b/b.whl\n"
