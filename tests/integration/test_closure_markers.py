"""Image closures resolve with the target's environment markers, by real pip.

pip evaluates the markers of a dependency against the interpreter it runs in, whatever
--python-version and --platform say: without the target's marker environment a py3.13
image would miss a dependency marked `python_version >= "3.13"` (and an aarch64 one a
`platform_machine == "aarch64"` one, as sqlalchemy's greenlet), and the offline check
would pass all the same. The wheels here are built: `app` requires `newdep` on 3.13+ and
`armdep` on aarch64; the tests expect each exactly where its marker holds, whatever
Python and machine run pip. A module image holds its arch's `download_closure` folder
(collect gathers dependencies the same way); a bundle image holds `gather_arch`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support.wheel_index import WheelIndex, serve_wheels

from generator.check.placeholders import write_placeholder
from generator.core.cells import Cell
from generator.errors import Failure
from generator.matrix.bundles import ResolvedBundle
from generator.publish import closure
from generator.publish.closure import Target, download_closure, verify_cell, verify_target
from generator.publish.images import bundles
from generator.publish.images.bundles import BundleSources, gather_arch
from generator.publish.images.contents import Provenance
from generator.publish.images.families import family_images

APP = "app-1.0-py3-none-any.whl"
NEWDEP = "newdep-1.0-py3-none-any.whl"
ARMDEP = "armdep-1.0-py3-none-any.whl"
# (python, arch) → the closure pip must take there: one case each way for both markers.
EXPECTED = {
    ("3.12", "x86_64"): [APP],
    ("3.13", "x86_64"): [APP, NEWDEP],
    ("3.12", "aarch64"): [APP, ARMDEP],
    ("3.13", "aarch64"): [APP, ARMDEP, NEWDEP],
}
TARGETS = sorted(EXPECTED)


def write_app(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    requires = ['newdep>=1; python_version >= "3.13"', 'armdep; platform_machine == "aarch64"']
    write_placeholder(folder, "app", "1.0", requires)


def write_dependencies(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_placeholder(folder, "newdep", "1.0", [])
    write_placeholder(folder, "armdep", "1.0", [])


def names(wheels: Sequence[Path]) -> list[str]:
    return sorted(wheel.name for wheel in wheels)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[WheelIndex]:
    """The dependencies on an index on 127.0.0.1 (app itself is in a find-links folder)."""
    write_dependencies(tmp_path / "index")
    with serve_wheels(tmp_path / "index") as served:
        yield served


# ---------------------------------------------------------------- module images, collect


@pytest.mark.parametrize(("python", "arch"), TARGETS)
def test_a_cells_closure_has_a_marked_dependency_exactly_where_the_marker_holds(
    tmp_path: Path, python: str, arch: str
) -> None:
    links = tmp_path / "links"
    write_app(links)
    write_dependencies(links)
    into = tmp_path / "into"
    into.mkdir()
    wheels = download_closure(Cell("app", "1.0", python, arch), into, [links], offline=True)
    assert names(wheels) == EXPECTED[python, arch]


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_each_module_image_holds_its_own_archs_closure(tmp_path: Path, python: str) -> None:
    """A family's archs are downloaded side by side: a pure dependency only aarch64 needs
    must not reach the x86_64 image."""
    links = tmp_path / "links"
    write_app(links)
    write_dependencies(links)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    family = Cell("app", "1.0", python, "x86_64").family
    plan = family_images(
        family, ["x86_64", "aarch64"], [links], scratch, "r.io/o/r", Provenance(0), latest=False
    )
    assert {image.arch.name: names(image.wheels) for image in plan.images} == {
        arch: EXPECTED[python, arch] for arch in ("x86_64", "aarch64")
    }


@pytest.mark.parametrize(("python", "arch"), TARGETS)
def test_an_online_closure_uses_the_targets_markers_too(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    index: WheelIndex,
    python: str,
    arch: str,
) -> None:
    """collect's fallback when what is here does not suffice: the caller's index."""
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    write_app(tmp_path / "links")
    into = tmp_path / "into"
    into.mkdir()
    cell = Cell("app", "1.0", python, arch)
    wheels = download_closure(cell, into, [tmp_path / "links"], offline=False)
    assert names(wheels) == EXPECTED[python, arch]


@pytest.mark.parametrize(("python", "arch"), [t for t in TARGETS if len(EXPECTED[t]) > 1])
def test_the_offline_check_needs_the_dependency_the_targets_markers_ask_for(
    tmp_path: Path, python: str, arch: str
) -> None:
    alone = tmp_path / "alone"
    write_app(alone)
    missing = "newdep" if python == "3.13" else "armdep"
    with pytest.raises(Failure, match=rf"does not install offline .* wheel for '{missing}'"):
        verify_cell(Cell("app", "1.0", python, arch), alone)
    write_dependencies(alone)
    verify_cell(Cell("app", "1.0", python, arch), alone)


def test_the_offline_check_passes_where_no_marker_holds(tmp_path: Path) -> None:
    write_app(tmp_path / "alone")
    verify_cell(Cell("app", "1.0", "3.12", "x86_64"), tmp_path / "alone")


# ---------------------------------------------------------------- bundle images


def app_bundle(python: str, arch: str) -> ResolvedBundle:
    return ResolvedBundle("web", ("app",), ("app",), (python,), (arch,))


def app_sources(tmp_path: Path, index: WheelIndex) -> BundleSources:
    write_app(tmp_path / "wheels" / "app")
    return BundleSources((tmp_path / "wheels",), index.url, frozenset({"app"}))


@pytest.mark.parametrize(("python", "arch"), TARGETS)
def test_a_bundle_image_has_a_marked_dependency_exactly_where_the_marker_holds(
    tmp_path: Path, index: WheelIndex, python: str, arch: str
) -> None:
    sources = app_sources(tmp_path, index)
    wheels = gather_arch(app_bundle(python, arch), python, arch, sources, tmp_path / "into")
    assert names(wheels) == EXPECTED[python, arch]
    assert names(list((tmp_path / "into").iterdir())) == EXPECTED[python, arch]


def test_a_bundle_arch_whose_folder_does_not_install_alone_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: WheelIndex
) -> None:
    """What the offline check guards: the folder that becomes the image installs with no
    index at all — not merely that pip's download said it succeeded. Here a download
    "succeeds" yet the folder lacks a dependency (one wheel never reached it)."""
    real_download = closure.download_from_index

    def download_losing_a_wheel(
        target: Target, into: Path, links: Sequence[Path], index_url: str, constraints: Path
    ) -> list[Path]:
        wheels = real_download(target, into, links, index_url, constraints)
        (into / NEWDEP).unlink()
        return [wheel for wheel in wheels if wheel.name != NEWDEP]

    monkeypatch.setattr(bundles, "download_from_index", download_losing_a_wheel)
    sources = app_sources(tmp_path, index)
    with pytest.raises(Failure, match=r"bundle web .* offline .* wheel for 'newdep'"):
        gather_arch(app_bundle("3.13", "x86_64"), "3.13", "x86_64", sources, tmp_path / "into")


def test_the_bundle_check_resolves_with_the_targets_markers(tmp_path: Path) -> None:
    folder = tmp_path / "arm"
    write_app(folder)
    target = Target("bundle web (python 3.12, aarch64)", ("app",), "3.12", "aarch64")
    with pytest.raises(Failure, match=r"bundle web .* wheel for 'armdep'"):
        verify_target(target, folder)
    write_dependencies(folder)
    verify_target(target, folder)


def test_a_requirement_that_looks_like_an_option_is_never_one(tmp_path: Path) -> None:
    """A requirement from a cross-job file goes after `--`: `--find-links=DIR` is refused as
    a requirement, so pip does not take the offline check's answer from that folder."""
    (tmp_path / "empty").mkdir()
    write_dependencies(tmp_path / "elsewhere")
    sneaky = Target(
        "sneaky", (f"--find-links={tmp_path / 'elsewhere'}", "newdep==1.0"), "3.12", "x86_64"
    )
    with pytest.raises(Failure, match="does not install offline"):
        verify_target(sneaky, tmp_path / "empty")
