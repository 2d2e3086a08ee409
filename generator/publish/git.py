"""Race-safe commits to the repository's branch: fast-forward only, one core for all.

Several publish jobs (and the scheduled lock update) may push at once. Each attempt rebuilds
the commit from scratch on top of the remote branch's newest head, in a private git index
(the working tree is never touched), and pushes it; a push that loses the race is retried
after a jittered exponential backoff, a bounded number of times (`commit_paths`). A commit
whose tree equals the head's is never pushed. Two users: the wheels (added, retention
applied, SHA256SUMS regenerated from the resulting tree — never merged by hand) and the lock.
"""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.core.wheels import parse_wheel_name, sha256_of_stream
from generator.errors import Failure, UserError
from generator.publish.repository import (
    SUMS_NAME,
    check_size,
    files_beyond_retention,
    render_sha256sums,
    wheel_relpath,
)

_RACE_SIGNS = (
    "[rejected]",
    "non-fast-forward",
    "fetch first",
    "cannot lock ref",
    "failed to update ref",
    "incorrect old value",
)
_REMOVE = "0 " + "0" * 40  # `git update-index --index-info` line prefix that deletes a path
GIT_TIMEOUT = 300  # seconds for one git command (a fetch or push of the wheels)
BOT_AUTHOR = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"


@dataclass(frozen=True)
class GitTarget:
    repo: Path  # any clone; only its object store and remote-tracking ref are written
    remote: str = "origin"
    branch: str = "main"
    prefix: str = "wheels"
    config: Mapping[str, str] = field(default_factory=dict)  # e.g. an auth header, not persisted


@dataclass(frozen=True)
class PushPolicy:
    attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[float, float], float] = random.uniform

    def delay(self, attempt: int) -> float:
        # "Full jitter": spreads racing publishers apart instead of retrying in lockstep.
        return self.jitter(0.0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class PublishResult:
    commit: str
    attempts: int
    added: list[str]  # paths in the repository
    removed: list[str]  # by retention


@dataclass(frozen=True)
class Pushed:
    commit: str  # the new head, or the unchanged one when nothing had to change
    attempts: int
    changed: bool


def repository_path(
    text: str, option: str = "--path", *, kind: str = "file", example: str = "matrix.lock.json"
) -> str:
    """A path inside the repository's tree as git spells it, or a UserError naming `option`:
    nothing absolute, no `..`, no empty parts (a commit must change what it says), and no
    part that is .git in any case (git refuses those on a case-insensitive checkout, and a
    commit-tree never writes there: the commit would be empty)."""
    problem = _outside_problem(text)
    if problem:
        raise UserError(
            f"{option}: {text!r} is not a {kind} inside the repository ({problem}) — give a "
            f"relative path such as {example} (no '..', not absolute, not under .git)"
        )
    return text


def _outside_problem(text: str) -> str | None:
    parts = text.split("/")
    if not text:
        return "empty"
    if text.startswith("/"):
        return "absolute"
    if "\\" in text or any(ord(char) < 32 for char in text):
        return "a backslash or a control character"
    if any(part in ("", ".", "..") for part in parts):
        return "an empty, '.' or '..' part"
    # Windows drops trailing dots and spaces: ".git." is .git there.
    if any(part.rstrip(". ").lower() == ".git" for part in parts):
        return "a .git part"
    return None


def checkout_published(repo: Path, commit: str, prefix: str) -> None:
    """Make the working tree's `prefix` folder exactly `commit`'s (wheels the retention
    setting removed leave it too: --no-overlay)."""
    done = subprocess.run(
        ["git", "-C", str(repo), "checkout", "--no-overlay", commit, "--", prefix],
        capture_output=True,
        text=True,
        check=False,
        timeout=GIT_TIMEOUT,
    )
    if done.returncode != 0:
        raise Failure(f"git checkout of {prefix}/ at {commit} failed: {done.stderr.strip()}")


def token_config(token: str) -> dict[str, str]:
    """Git config for HTTPS push with a GitHub token, passed through the environment only."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"http.extraheader": f"AUTHORIZATION: basic {basic}"}


def commit_paths(
    git: _Git,
    tree_on: Callable[[str], str],
    message: str,
    *,
    policy: PushPolicy,
    log: Callable[[str], None],
    label: str,
    advice: str,
) -> Pushed:
    """The retry loop every commit goes through: fetch the newest head, `tree_on(head)` gives
    the tree to commit on it, push; a lost race starts again from the new head."""
    last_problem = ""
    for attempt in range(policy.attempts):
        if attempt:
            pause = policy.delay(attempt)
            log(f"{label}: {last_problem}; retry {attempt + 1}/{policy.attempts} in {pause:.1f}s")
            policy.sleep(pause)
        try:
            head = git.fetch_head()
        except _Transient as problem:
            last_problem = str(problem)
            continue
        tree = tree_on(head)
        if tree == git.out("rev-parse", f"{head}^{{tree}}"):
            return Pushed(head, attempt + 1, changed=False)
        commit = git.out("commit-tree", tree, "-p", head, "-m", message)
        try:
            git.push(commit)
        except _Transient as problem:
            last_problem = str(problem)
            continue
        return Pushed(commit, attempt + 1, changed=True)
    raise Failure(
        f"{label}: gave up after {policy.attempts} attempts to push to "
        f"{git.target.remote}/{git.target.branch} ({last_problem}) — {advice}"
    )


def publish_wheels(
    target: GitTarget,
    wheels: Sequence[Path],
    message: str,
    *,
    keep_versions: int | None = None,
    author: str = BOT_AUTHOR,
    policy: PushPolicy | None = None,
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> PublishResult:
    """Commit `wheels` under <prefix>/<project>/<filename> and push; retry on a lost race."""
    git = _Git(target, author)
    blobs = _store_wheels(git, wheels)
    cache = _DigestCache(git)
    changes: dict[str, list[str]] = {"added": [], "removed": []}

    def tree_on(head: str) -> str:
        tree, changes["added"], changes["removed"] = _wheels_tree(
            git, head, blobs, keep_versions, cache
        )
        return tree

    pushed = commit_paths(
        git,
        tree_on,
        message,
        policy=policy or PushPolicy(),
        log=log,
        label="commit-wheels",
        advice="re-run the publish job; nothing was half-written",
    )
    if not pushed.changed:
        return PublishResult(pushed.commit, pushed.attempts, [], [])
    return PublishResult(pushed.commit, pushed.attempts, changes["added"], changes["removed"])


def commit_file(
    target: GitTarget, path: str, content: bytes, message: str, **options: Any
) -> str | None:
    """commit_files for one path."""
    return commit_files(target, {path: content}, message, **options)


def commit_files(
    target: GitTarget,
    files: Mapping[str, bytes],
    message: str,
    *,
    author: str = BOT_AUTHOR,
    policy: PushPolicy | None = None,
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> str | None:
    """Push a commit setting each path of `files` to its content (and nothing else): the new
    commit, or None when the branch already has exactly that."""
    git = _Git(target, author)
    lines = [
        f"100644 {git.out('hash-object', '-w', '--stdin', stdin=content)}\t{path}"
        for path, content in sorted(files.items())
    ]
    pushed = commit_paths(
        git,
        lambda head: _tree_with(git, head, lines),
        message,
        policy=policy or PushPolicy(),
        log=log,
        label="commit-lock",
        advice="the next scheduled run retries",
    )
    return pushed.commit if pushed.changed else None


class _Transient(Exception):
    """A failure worth retrying: a lost push race or a network hiccup while fetching."""


class _Git:
    def __init__(self, target: GitTarget, author: str) -> None:
        self.target = target
        name, _, email = author.partition(" <")
        if not email.endswith(">"):
            raise UserError(f"author {author!r} is not of the form 'Name <email>'")
        self.env = dict(os.environ)
        for role in ("AUTHOR", "COMMITTER"):
            self.env[f"GIT_{role}_NAME"] = name
            self.env[f"GIT_{role}_EMAIL"] = email[:-1]
        self.env["GIT_CONFIG_COUNT"] = str(len(target.config))
        for number, (key, value) in enumerate(sorted(target.config.items())):
            self.env[f"GIT_CONFIG_KEY_{number}"] = key
            self.env[f"GIT_CONFIG_VALUE_{number}"] = value
        self.env["GIT_TERMINAL_PROMPT"] = "0"  # fail, never hang on a password prompt

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/{self.target.remote}/{self.target.branch}"

    def run(
        self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", "-C", str(self.target.repo), *args],
                input=stdin,
                capture_output=True,
                env=dict(env or self.env),
                check=False,
                timeout=GIT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise Failure(
                f"git {args[0]} did not finish within {GIT_TIMEOUT} s in {self.target.repo} — "
                "is the remote reachable? Re-run the job"
            ) from None

    def out(
        self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> str:
        result = self.run(*args, stdin=stdin, env=env)
        if result.returncode != 0:
            raise Failure(
                f"git {' '.join(args)} failed in {self.target.repo}: "
                f"{result.stderr.decode(errors='replace').strip()}"
            )
        return result.stdout.decode().strip()

    def fetch_head(self) -> str:
        refspec = f"+refs/heads/{self.target.branch}:{self.tracking_ref}"
        result = self.run("fetch", "--quiet", "--no-tags", self.target.remote, refspec)
        if result.returncode != 0:
            stderr = result.stderr.decode(errors="replace").strip()
            if "couldn't find remote ref" in stderr:
                raise UserError(
                    f"branch {self.target.branch!r} does not exist on remote "
                    f"{self.target.remote!r} — create it first or pass --branch"
                )
            raise _Transient(f"fetch failed: {stderr}")
        return self.out("rev-parse", f"{self.tracking_ref}^{{commit}}")

    def push(self, commit: str) -> None:
        refspec = f"{commit}:refs/heads/{self.target.branch}"
        result = self.run("push", "--quiet", "--porcelain", self.target.remote, refspec)
        if result.returncode == 0:
            return
        text = (result.stdout + result.stderr).decode(errors="replace")
        if any(sign in text for sign in _RACE_SIGNS):
            raise _Transient("push lost a race with another publisher")
        raise Failure(
            f"git push to {self.target.remote}/{self.target.branch} failed: "
            f"{text.strip()} — does the token have contents: write?"
        )


def _store_wheels(git: _Git, wheels: Sequence[Path]) -> dict[PurePosixPath, str]:
    """Write each wheel into the object store once; map repository path → blob id."""
    blobs: dict[PurePosixPath, str] = {}
    for wheel in sorted(wheels, key=lambda path: path.name):
        check_size(str(wheel), wheel.stat().st_size)
        path = PurePosixPath(git.target.prefix) / wheel_relpath(wheel.name)
        # Absolute: git runs in the repository (-C), a relative path is relative to here.
        blobs[path] = git.out("hash-object", "-w", "--", str(wheel.absolute()))
    return blobs


class _DigestCache:
    """sha256 of blobs, read from the object store once per blob id (ids are content hashes)."""

    def __init__(self, git: _Git) -> None:
        self.git, self.digests = git, dict[str, str]()

    def sha256(self, blob: str) -> str:
        if blob not in self.digests:
            argv = ["git", "-C", str(self.git.target.repo), "cat-file", "blob", blob]
            self.digests[blob] = sha256_of_output(argv, self.git.env, GIT_TIMEOUT)
        return self.digests[blob]


def sha256_of_output(argv: Sequence[str], env: Mapping[str, str], timeout: float) -> str:
    """The sha256 of what `argv` writes to stdout, streamed (a blob may be 100 MB), within
    `timeout` seconds in all: a watchdog kills it then, however the read stands."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, env=dict(env))
    late = threading.Event()

    def stop() -> None:
        late.set()  # first: a killed process reads as a short stream, not as an error
        process.kill()

    watchdog = threading.Timer(timeout, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        assert process.stdout is not None
        with process.stdout:
            digest = sha256_of_stream(process.stdout)
        code = process.wait(timeout=timeout)  # stdout closed: the process is ending
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if late.is_set():
        raise Failure(f"{' '.join(argv)} did not finish within {timeout:g} s — re-run the job")
    if code != 0:
        raise Failure(f"{' '.join(argv)} failed (exit {code})")
    return digest


def _wheels_tree(
    git: _Git,
    head: str,
    blobs: dict[PurePosixPath, str],
    keep_versions: int | None,
    cache: _DigestCache,
) -> tuple[str, list[str], list[str]]:
    """The tree of `head` with `blobs` added, retention applied and SHA256SUMS regenerated;
    with the paths added and removed."""
    prefix = PurePosixPath(git.target.prefix)
    tree = _wheel_tree(git, head, prefix)
    for path, blob in blobs.items():
        if tree.get(path, blob) != blob:
            raise Failure(
                f"{path} is already published with different contents — published wheels are "
                "immutable (people link them); rebuild with a build tag or a new version"
            )
    added = sorted(str(path) for path in blobs if path not in tree)
    tree.update(blobs)
    removed: list[str] = []
    if keep_versions is not None:
        touched = {parse_wheel_name(path.name).project for path in blobs}
        candidates = [p.name for p in tree if parse_wheel_name(p.name).project in touched]
        old = files_beyond_retention(candidates, keep_versions)
        removed = sorted(str(path) for path in tree if path.name in old)
        tree = {path: blob for path, blob in tree.items() if path.name not in old}
    sums = render_sha256sums(
        (path.relative_to(prefix), cache.sha256(blob)) for path, blob in tree.items()
    )
    sums_blob = git.out("hash-object", "-w", "--stdin", stdin=sums.encode())
    lines = [f"100644 {blob}\t{path}" for path, blob in blobs.items() if path in tree]
    lines += [f"{_REMOVE}\t{path}" for path in removed]
    lines.append(f"100644 {sums_blob}\t{prefix / SUMS_NAME}")
    return _tree_with(git, head, lines), added, removed


def _wheel_tree(git: _Git, head: str, prefix: PurePosixPath) -> dict[PurePosixPath, str]:
    listing = git.out("ls-tree", "-r", "-z", "--full-tree", head, "--", f"{prefix}/")
    tree = {}
    for record in filter(None, listing.split("\0")):
        meta, _, path = record.partition("\t")
        _mode, kind, blob = meta.split()
        if kind == "blob" and path.endswith(".whl"):
            tree[PurePosixPath(path)] = blob
    return tree


def _tree_with(git: _Git, head: str, index_lines: list[str]) -> str:
    """Apply index-info lines to head's tree in a private index; the real index is untouched."""
    with tempfile.TemporaryDirectory(prefix="commit-wheels-") as scratch:
        env = {**git.env, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git.out("read-tree", head, env=env)
        git.out(
            "update-index", "--index-info", stdin="\n".join(index_lines).encode() + b"\n", env=env
        )
        return git.out("write-tree", env=env)
