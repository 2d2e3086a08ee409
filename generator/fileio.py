"""Files: writes that never leave a half-written file behind, and JSON documents read and
checked against their wire model with located errors."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from generator.errors import UserError

T = TypeVar("T")


def path_under(root: Path, name: str) -> Path:
    """root/name for a name that came from outside (an index, the lock, a cross-job file, a
    wheel's file name): refused unless it resolves inside `root`, every symlink followed
    (the last part's too), so a write through the result cannot land outside the folder."""
    target = root / name
    inside = root.resolve()
    resolved = target.resolve()
    if resolved == inside or not resolved.is_relative_to(inside):
        raise UserError(
            f"{target}: {name!r} leads outside {root} (to {resolved}) — a name from an index, "
            "the lock or a cross-job file must stay in its folder; remove that name or link"
        )
    return target


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8, \\n line ends) to a temporary file beside `path`, then rename."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    temporary = temp_path_beside(Path(path))
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def copy_atomically(source: Path, destination: Path) -> None:
    temporary = temp_path_beside(destination)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def temp_path_beside(path: Path) -> Path:
    """A fresh file next to `path` (same filesystem, so os.replace is one rename), with
    the usual mode rather than mkstemp's 0600; for writers that stream (downloads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def append_text(path: str | os.PathLike[str], text: str) -> None:
    """Append (GitHub's $GITHUB_OUTPUT / $GITHUB_STEP_SUMMARY files are append-only)."""
    with open(path, "a", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def read_text(path: Path, *, missing: str, unreadable: str) -> str:
    """The UTF-8 text at `path`; a UserError naming the file otherwise, ending in `missing`
    (no such file) or `unreadable` (anything else: a folder, no permission, not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file — {missing}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot be read ({error}) — {unreadable}") from None


def read_json(path: Path, what: str, fix: str) -> object:
    """The JSON document at `path`; a UserError naming the file (and line:col) otherwise.
    `what` names the document ("a plan written by `plan --output`"), `fix` what to do."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror}) — {fix}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text, so not {what} — {fix}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON ({error.msg}) — {fix}"
        ) from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply to be {what} — {fix}") from None


def validated(adapter: TypeAdapter[T], data: object, where: str, what: str, fix: str) -> T:
    """`data` checked against its wire model; the first problem located as `where: a.b.3: …`."""
    try:
        return adapter.validate_python(data, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(part) for part in first["loc"]) or "the document"
        raise UserError(f"{where}: {place}: {first['msg']} — not {what}; {fix}") from None


def dump_json(data: object) -> str:
    """The byte-stable JSON text every generated file uses: sorted keys, 2-space indent."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
