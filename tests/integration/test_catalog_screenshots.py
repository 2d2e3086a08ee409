"""scripts/catalog-screenshots with Debian's headless chromium: two PNGs of the right widths,
small enough for the README, showing the page itself (its status and notice colours), and the
same bytes on a second run; a missing chromium or a bad output folder is one line."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "catalog-screenshots"
CSS = ROOT / "generator" / "publish" / "site" / "assets" / "catalog.css"
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = {"catalog-1280.png": (1280, 2000), "catalog-375.png": (375, 2000)}

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": "/tmp"}
    return subprocess.run(
        [str(SCRIPT), *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_rows(data: bytes) -> Iterator[list[bytes]]:
    """The RGB pixels of an 8-bit RGB or RGBA PNG (what chromium writes), row by row."""
    width, height = png_size(data)
    depth, kind = data[24], data[25]
    assert depth == 8 and kind in (2, 6), (depth, kind)
    step = 3 if kind == 2 else 4
    idat, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw, stride = zlib.decompress(idat), width * step
    previous = bytearray(stride)
    for y in range(height):
        kind_of_filter = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        unfilter(kind_of_filter, row, previous, step)
        yield [bytes(row[x : x + 3]) for x in range(0, stride, step)]
        previous = row


def shows_colours(data: bytes, wanted: set[bytes]) -> bool:
    seen: set[bytes] = set()
    for row in png_rows(data):  # top down, stopping once all are seen: decoding is slow
        seen.update(row)
        if wanted <= seen:
            return True
    return False


def unfilter(kind: int, row: bytearray, previous: bytearray, step: int) -> None:
    for i in range(len(row)):
        left = row[i - step] if i >= step else 0
        up, corner = previous[i], previous[i - step] if i >= step else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            row[i] = (row[i] + best) & 0xFF


def css_colour(selector: str) -> bytes:
    found = re.search(re.escape(selector) + r" \{[^}]*background: #([0-9a-f]{6})", CSS.read_text())
    assert found, selector
    return bytes.fromhex(found.group(1))


@needs_chromium
def test_two_screenshots_of_the_right_widths_showing_the_page(tmp_path: Path) -> None:
    done = run(str(tmp_path / "docs"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "docs" / name) for name in SHOTS]
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted(SHOTS)  # no partials
    # The statuses in view (built, upstream, failed, missing) and the dead-line notice.
    expected = {css_colour(f"td.{s}") for s in ("built", "upstream", "failed", "missing")}
    expected.add(css_colour(".notices"))
    for name, size in SHOTS.items():
        data = (tmp_path / "docs" / name).read_bytes()
        assert png_size(data) == size
        assert len(data) < 400_000
        assert shows_colours(data, expected), name

    again = run(str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    for name in SHOTS:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "docs" / name).read_bytes()


def test_no_chromium_is_one_line(tmp_path: Path) -> None:
    done = run(str(tmp_path / "docs"), env={"CHROMIUM": str(tmp_path / "chromium")})
    assert done.returncode == 1
    assert done.stderr == (
        f"catalog-screenshots: {tmp_path / 'chromium'}: no chromium — "
        "apt-get install chromium, or set CHROMIUM\n"
    )
    assert not (tmp_path / "docs").exists()


@needs_chromium
def test_an_output_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docs").write_text("not a folder")
    done = run(str(tmp_path / "docs"))
    assert done.returncode == 2
    assert done.stderr == (
        f"catalog-screenshots: {tmp_path / 'docs'}: not a folder — "
        "give a folder for the two PNGs (it is created if missing)\n"
    )
    assert (tmp_path / "docs").read_text() == "not a folder"
