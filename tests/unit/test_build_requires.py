"""What a sdist needs to build, read from its pyproject.toml, and where each need comes from."""

from __future__ import annotations

import io
import tarfile

import pytest

from generator.errors import Failure
from generator.lock.build_requires import LEGACY_REQUIRES, build_requires_of, sources

# 50,000 nested arrays: 100 kB, well under the size read, and deeper than tomllib recurses.
DEEP = "[build-system]\nrequires = " + "[" * 50_000 + "]" * 50_000 + "\n"


def sdist(files: dict[str, str]) -> bytes:
    """A .tar.gz sdist in memory, its files under pkg-1.0/."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"pkg-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("files", "requires"),
    [
        pytest.param(
            {"pyproject.toml": '[build-system]\nrequires = ["setuptools>=61", "numpy>=2"]\n'},
            ("setuptools>=61", "numpy>=2"),
            id="pyproject",
        ),
        pytest.param({"setup.py": "pass\n"}, LEGACY_REQUIRES, id="no pyproject: PEP 518 default"),
        pytest.param(
            {"pyproject.toml": "[project]\nname = 'pkg'\n"}, LEGACY_REQUIRES, id="no build-system"
        ),
        pytest.param(
            {"sub/pyproject.toml": '[build-system]\nrequires = ["x"]\n', "setup.py": ""},
            LEGACY_REQUIRES,
            id="only the top-level pyproject counts",
        ),
    ],
)
def test_build_requires_of(files: dict[str, str], requires: tuple[str, ...]) -> None:
    assert build_requires_of(sdist(files), "pkg-1.0.tar.gz") == requires


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"not a tarball", "cannot read its pyproject.toml", id="not gzip"),
        pytest.param(sdist({"pyproject.toml": "[build-system\n"}), "is not TOML", id="bad TOML"),
        pytest.param(sdist({"pyproject.toml": DEEP}), "nests too deep", id="nested 50,000 deep"),
        pytest.param(
            sdist({"pyproject.toml": '[build-system]\nrequires = "setuptools"\n'}),
            "requires is not a list",
            id="requires as a string",
        ),
    ],
)
def test_an_unreadable_sdist_is_a_failure_not_a_traceback(data: bytes, message: str) -> None:
    with pytest.raises(Failure, match=message):
        build_requires_of(data, "pkg-1.0.tar.gz")


def test_sources_tell_matrix_modules_from_the_index() -> None:
    found = sources(["setuptools", "NumPy>=2", "not a requirement!"], built_here={"numpy"})
    assert found == {"setuptools": "index", "NumPy>=2": "matrix"}
