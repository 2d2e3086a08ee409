import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.wheels import jinja2_wheel, markupsafe_wheels

from generator import cli
from generator.errors import UserError
from generator.pip import offline_env
from generator.publish.repository import wheel_relpath
from generator.publish.site.simple_index import scan_wheels


@pytest.fixture
def wheels_dir(tmp_path: Path) -> Path:
    wheels = tmp_path / "repo" / "wheels"
    for wheel in [*markupsafe_wheels(), jinja2_wheel()]:
        target = wheels / wheel_relpath(wheel.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, target)
    return wheels


def pip_resolve(
    index_url: str, target: Path, python: str, arch: str, requirement: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--index-url",
            index_url,
            "--only-binary=:all:",
            "--platform",
            f"musllinux_1_2_{arch}",
            "--python-version",
            python,
            "--target",
            str(target),
            "--report",
            "-",
            "--quiet",
            requirement,
        ],
        capture_output=True,
        text=True,
        env=offline_env(),
        check=False,
    )


def test_pip_resolves_a_package_and_its_dependency_from_the_generated_index(
    wheels_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site" / "simple"
    assert cli.main(["index", "--wheels", str(wheels_dir), "--output-dir", str(out)]) == 0
    for arch in ("x86_64", "aarch64"):
        result = pip_resolve(out.as_uri() + "/", tmp_path / "t", "3.12", arch, "jinja2")
        assert result.returncode == 0, result.stderr
        installed = {
            item["download_info"]["url"].rsplit("/", 1)[1]
            for item in json.loads(result.stdout)["install"]
        }
        assert installed == {
            "jinja2-3.1.6-py3-none-any.whl",
            f"markupsafe-3.0.3-cp312-cp312-musllinux_1_2_{arch}.whl",
        }


def test_pip_refuses_a_python_the_index_has_no_wheel_for(wheels_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "simple"
    assert cli.main(["index", "--wheels", str(wheels_dir), "--output-dir", str(out)]) == 0
    result = pip_resolve(out.as_uri() + "/", tmp_path / "t", "3.9", "x86_64", "markupsafe")
    assert result.returncode != 0
    assert "No matching distribution found for markupsafe" in result.stderr


def test_pages_carry_hashes_requires_python_and_pep691_json(
    wheels_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "simple"
    base = "https://raw.githubusercontent.com/o/r/0123abc/wheels"
    argv = [
        "index",
        "--wheels",
        str(wheels_dir),
        "--output-dir",
        str(out),
        "--base-url",
        base + "/",
    ]
    assert cli.main(argv) == 0
    page = (out / "jinja2" / "index.html").read_text()
    wheel = jinja2_wheel()
    digest = next(f.sha256 for f in scan_wheels(wheels_dir) if f.filename == wheel.name)
    assert f'href="{base}/jinja2/{wheel.name}#sha256={digest}"' in page
    assert 'data-requires-python="&gt;=3.7"' in page
    assert '<a href="markupsafe/">markupsafe</a>' in (out / "index.html").read_text()
    document = json.loads((out / "markupsafe" / "index.json").read_text())
    assert document["meta"]["api-version"] == "1.1"
    assert document["versions"] == ["3.0.3"]
    assert len(document["files"]) == 8
    assert all(
        f["requires-python"] == ">=3.9" and len(f["hashes"]["sha256"]) == 64
        for f in document["files"]
    )
    root = json.loads((out / "index.json").read_text())
    assert [p["name"] for p in root["projects"]] == ["jinja2", "markupsafe"]


def test_regenerating_replaces_the_whole_index(wheels_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site" / "simple"
    cli.main(["index", "--wheels", str(wheels_dir), "--output-dir", str(out)])
    shutil.rmtree(wheels_dir / "jinja2")
    cli.main(["index", "--wheels", str(wheels_dir), "--output-dir", str(out)])
    assert not (out / "jinja2").exists()
    assert sorted(os.listdir(out.parent)) == ["simple"]  # no staging leftovers


def test_a_misplaced_wheel_is_named_with_where_it_belongs(wheels_dir: Path) -> None:
    wheel = jinja2_wheel().name
    (wheels_dir / "jinja2" / wheel).rename(wheels_dir / "markupsafe" / wheel)
    with pytest.raises(UserError, match=f"misplaced .*jinja2/{wheel}"):
        scan_wheels(wheels_dir)


def broken_wheel(path: Path, how: str) -> None:
    """A wheel whose METADATA cannot be read: bad deflate data, an unknown compression
    method, or an entry flagged as encrypted."""
    name = "pkg-1.0.dist-info/METADATA"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n" * 50)
    data = bytearray(path.read_bytes())
    header = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    if how == "deflate":
        start = header + 30 + len(name)
        data[start : start + 8] = b"\xff" * 8
    elif how == "method":
        data[header + 8 : header + 10] = data[central + 10 : central + 12] = (99).to_bytes(
            2, "little"
        )
    else:  # encrypted
        flags = int.from_bytes(data[central + 8 : central + 10], "little") | 1
        data[header + 6 : header + 8] = data[central + 8 : central + 10] = flags.to_bytes(
            2, "little"
        )
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["deflate", "method", "encrypted"])
def test_a_corrupt_wheel_is_a_clear_error_naming_it(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "wheels" / "pkg"
    folder.mkdir(parents=True)
    broken_wheel(folder / "pkg-1.0-py3-none-any.whl", how)
    argv = ["index", "--wheels", str(tmp_path / "wheels"), "--output-dir", str(tmp_path / "site")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "pkg-1.0-py3-none-any.whl" in err and ("corrupt" in err or "zip" in err), err
    assert not (tmp_path / "site").exists()
