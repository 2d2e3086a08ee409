"""What the catalog page shows, before any HTML: the wheel serving each cell, the image lines
and tags, the moving tag on the newest served version only, notices, and link safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.cells import Cell, Served
from generator.core.wheels import FileRef
from generator.errors import UserError
from generator.publish.interchange import CellRecord
from generator.publish.repository import read_sha256sums
from generator.publish.site.catalog_entries import build_catalog
from generator.publish.site.catalog_page import link, render_page
from generator.publish.site.usage import image_usage

REPO = "ghcr.io/owner/repo"
SHA = "a" * 64


def record(module: str, version: str, python: str, arch: str, status: Served) -> CellRecord:
    return CellRecord(Cell(module, version, python, arch), status)


def published(filename: str) -> FileRef:
    project = filename.split("-")[0]
    return FileRef(filename, f"https://raw.example/wheels/{project}/{filename}", SHA)


def test_the_lines_follow_the_image_tag_grammar_for_a_free_threaded_python() -> None:
    catalog = build_catalog(
        [record("Ruamel.Yaml.Clib", "0.2.14", "3.14t", "armv7l", Served.BUILT)], [], REPO
    )
    usage = catalog.families[0].usage
    assert usage is not None
    assert usage.copy_line == f"COPY --from={REPO}:ruamel-yaml-clib0.2.14-py3.14t / /wheels/"
    assert usage.pip_line == (
        "RUN pip install --no-index --find-links /wheels ruamel-yaml-clib==0.2.14 && rm -rf /wheels"
    )
    assert [ref for _, ref in usage.arch_references] == [
        f"{REPO}:ruamel-yaml-clib0.2.14-py3.14t-armv7"
    ]
    assert usage.moving_reference == f"{REPO}:ruamel-yaml-clib-py3.14t"


def test_the_moving_tag_is_on_the_newest_version_with_a_wheel() -> None:
    records = [
        record("demo", "2.0", "3.12", "x86_64", Served.MISSING),  # newest, nothing served
        record("demo", "1.10", "3.12", "x86_64", Served.BUILT),
        record("demo", "1.9", "3.12", "x86_64", Served.UPSTREAM),
        record("demo", "1.9", "3.13", "x86_64", Served.PURE),
    ]
    families = build_catalog(records, [], REPO).families
    order = [(f.family.version, f.family.python) for f in families]
    assert order == [("2.0", "3.12"), ("1.10", "3.12"), ("1.9", "3.12"), ("1.9", "3.13")]
    moving = [f.usage.moving_reference if f.usage else "none" for f in families]
    assert moving == ["none", f"{REPO}:demo-py3.12", None, f"{REPO}:demo-py3.13"]
    assert families[0].no_image == "no arch has a wheel yet, so there is no image"


def test_only_the_archs_with_a_wheel_get_an_arch_tag() -> None:
    records = [
        record("demo", "1.0", "3.12", arch, status)
        for arch, status in [
            ("x86_64", Served.UPSTREAM),
            ("armv7l", Served.FAILED),
            ("riscv64", Served.BUILT),
            ("aarch64", Served.MISSING),
        ]
    ]
    entry = build_catalog(records, [], REPO).families[0]
    assert [a.arch.name for a in entry.archs] == ["x86_64", "aarch64", "armv7l", "riscv64"]
    assert entry.usage is not None
    assert [arch.name for arch, _ in entry.usage.arch_references] == ["x86_64", "riscv64"]


def test_a_built_cell_links_the_wheel_pip_would_pick_among_the_published_ones() -> None:
    files = [
        published("demo-1.0-cp312-cp312-musllinux_1_1_armv7l.whl"),
        published("demo-1.0-cp312-cp312-musllinux_1_2_armv7l.whl"),
        published("demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),
        published("demo-1.1-cp312-cp312-musllinux_1_2_armv7l.whl"),
        published("demo-1.0-cp313-cp313-musllinux_1_2_armv7l.whl"),
    ]
    catalog = build_catalog([record("demo", "1.0", "3.12", "armv7l", Served.BUILT)], files, REPO)
    wheel = catalog.families[0].archs[0].wheel
    assert wheel == files[1]


def test_a_fetched_cell_links_this_repositorys_copy_else_pypi() -> None:
    name = "demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    pypi = FileRef(name, f"https://files.pythonhosted.org/{name}", SHA)
    cell = record("demo", "1.0", "3.12", "x86_64", Served.UPSTREAM)
    copy = published(name)
    with_copy = build_catalog([cell], [copy], REPO, locked_wheels={cell.cell: pypi})
    assert with_copy.families[0].archs[0].wheel == copy
    alone = build_catalog([cell], [], REPO, locked_wheels={cell.cell: pypi})
    assert alone.families[0].archs[0].wheel == pypi
    failed = record("demo", "1.0", "3.12", "x86_64", Served.FAILED)
    assert build_catalog([failed], [copy], REPO).families[0].archs[0].wheel is None


class Dead:
    def __init__(self, module: str, version: str | None) -> None:
        self.module, self.version = module, version
        self.message = f"upstream covers every cell of {module} {version or ''}".strip()


def test_notices_are_listed_and_shown_on_the_versions_they_concern() -> None:
    records = [
        record("demo", "1.0", "3.12", "x86_64", Served.UPSTREAM),
        record("demo", "1.0.0", "3.13", "x86_64", Served.UPSTREAM),
        record("demo", "2.0", "3.12", "x86_64", Served.BUILT),
        record("six", "1.17.0", "3.12", "x86_64", Served.PURE),
    ]
    notices = [Dead("demo", "1.0"), Dead("Six", None)]
    catalog = build_catalog(records, [], REPO, notices=notices)
    assert catalog.notices == (
        "upstream covers every cell of demo 1.0",
        "upstream covers every cell of Six",
    )
    shown = {(f.family.module, f.family.version): f.notices for f in catalog.families}
    assert shown == {
        ("demo", "2.0"): (),
        ("demo", "1.0"): ("upstream covers every cell of demo 1.0",),
        ("demo", "1.0.0"): ("upstream covers every cell of demo 1.0",),  # the same release
        ("six", "1.17.0"): ("upstream covers every cell of Six",),
    }


def test_a_name_that_cannot_be_a_tag_has_no_image_and_is_escaped() -> None:
    hostile = '<b onclick="x()">'
    catalog = build_catalog([record(hostile, "1.0", "3.12", "x86_64", Served.BUILT)], [], REPO)
    entry = catalog.families[0]
    assert entry.usage is None and entry.no_image.startswith("no image: module ")
    with pytest.raises(UserError):
        image_usage(entry.family, [entry.archs[0].arch], REPO, latest=True)
    page = render_page(catalog, "1 cell")
    assert "<b " not in page and "&lt;b onclick=&quot;x()&quot;&gt;" in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://github.com/o/r/actions/runs/1",
            '<a href="https://github.com/o/r/actions/runs/1">log</a>',
        ),
        ("../wheels/a b.whl", '<a href="../wheels/a b.whl">log</a>'),
        ("javascript:alert(1)", 'log <span class="url">(javascript:alert(1))</span>'),
        (" JavaScript:alert(1)", 'log <span class="url">( JavaScript:alert(1))</span>'),
        ('https://x/"><script>', '<a href="https://x/&quot;&gt;&lt;script&gt;">log</a>'),
    ],
)
def test_only_web_and_relative_urls_become_links(url: str, expected: str) -> None:
    assert link(url, "log") == expected


def test_sha256sums_is_read_against_the_layout(tmp_path: Path) -> None:
    assert read_sha256sums(tmp_path) == {}
    name = "demo-1.0-py3-none-any.whl"
    (tmp_path / "SHA256SUMS").write_text(f"{SHA}  demo/{name}\n")
    assert {str(path): sha for path, sha in read_sha256sums(tmp_path).items()} == {
        f"demo/{name}": SHA
    }
    for bad in [
        f"{SHA} demo/{name}",
        f"{SHA}  other/{name}",
        f"{SHA}  ../demo/{name}",
        f"xyz  demo/{name}",
    ]:
        (tmp_path / "SHA256SUMS").write_text(f"{SHA}  demo/{name}\n{bad}\n")
        with pytest.raises(UserError, match=r"SHA256SUMS:2: not `<sha256>  <project>/<wheel"):
            read_sha256sums(tmp_path)
