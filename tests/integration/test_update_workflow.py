"""The scheduled workflow's verbs: commit-lock (race-safe, the lock only) and dispatch-build."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator import cli
from generator.publish.git import GitTarget, PushPolicy, commit_file

FAST = PushPolicy(base_delay=0.01, max_delay=0.05)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    seed = clone(bare, tmp_path / "seed")
    (seed / "matrix.lock.json").write_text('{"old": true}\n')
    commit_all(seed, "init")
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


def clone(remote: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(where)], check=True, capture_output=True)
    return where


def test_commit_lock_lands_on_top_of_a_concurrent_push(remote: Path, tmp_path: Path) -> None:
    updater = clone(remote, tmp_path / "updater")
    other = clone(remote, tmp_path / "publisher")  # pushes wheels after the updater cloned
    (other / "wheels").mkdir()
    (other / "wheels" / "w.txt").write_text("wheel\n")
    commit_all(other, "wheels")
    git(other, "push", "-q", "origin", "HEAD:main")

    target = GitTarget(updater, branch="main", prefix="")
    commit = commit_file(target, "matrix.lock.json", b'{"new": true}\n', "lock", policy=FAST)
    assert commit is not None
    check = clone(remote, tmp_path / "check")
    assert (check / "matrix.lock.json").read_text() == '{"new": true}\n'
    assert (check / "wheels" / "w.txt").exists()  # the other push survived
    assert git(check, "show", "--stat", "--format=", "HEAD").split()[0] == "matrix.lock.json"
    assert (updater / "matrix.lock.json").read_text() == '{"old": true}\n'  # tree untouched
    # the same content again: nothing to commit
    assert commit_file(target, "matrix.lock.json", b'{"new": true}\n', "lock", policy=FAST) is None


def test_commit_lock_verb(remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = clone(remote, tmp_path / "repo")
    lock = tmp_path / "matrix.lock.json"
    lock.write_text('{"verb": true}\n')
    args = ["commit-lock", "--repo", str(repo), "--lock", str(lock), "--attempts", "2"]
    assert cli.main(args) == 0
    assert "commit-lock: " in capsys.readouterr().out
    assert git(repo, "show", "origin/main:matrix.lock.json") == '{"verb": true}'
    assert cli.main(args) == 0
    assert "already up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path",
    [
        *["../x", "/etc/passwd", ".git/config", "", "a//b", "./x", "a/../b"],
        *["a/.git/x", ".GIT/config", "a/.Git", ".git./x"],  # .git anywhere, in any case
    ],
)
def test_commit_lock_refuses_a_path_outside_the_repository(
    remote: Path, tmp_path: Path, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Such a path used to exit 0 after pushing an empty commit."""
    repo = clone(remote, tmp_path / "repo")
    (tmp_path / "lock.json").write_text("{}\n")
    before = git(remote, "rev-parse", "main")
    argv = ["commit-lock", "--repo", str(repo), "--lock", str(tmp_path / "lock.json")]
    assert cli.main([*argv, "--path", path]) == 2
    assert "is not a file inside the repository" in capsys.readouterr().err
    assert git(remote, "rev-parse", "main") == before


def test_commit_lock_takes_the_failures_file_along(remote: Path, tmp_path: Path) -> None:
    repo = clone(remote, tmp_path / "repo")
    (tmp_path / "lock.json").write_text('{"lock": 1}\n')
    (tmp_path / "failures.json").write_text('{"failures": 1}\n')
    argv = ["commit-lock", "--repo", str(repo), "--lock", str(tmp_path / "lock.json")]
    assert cli.main([*argv, "--failures", str(tmp_path / "failures.json")]) == 0
    assert git(repo, "show", "origin/main:matrix.failures.json") == '{"failures": 1}'
    changed = git(repo, "show", "--name-only", "--format=", "origin/main").split()
    assert sorted(changed) == ["matrix.failures.json", "matrix.lock.json"]


class FakeGitHub:
    """Stands in for api.github.com on 127.0.0.1: it records the dispatch request and answers
    the way GitHub documents (204 No Content; 403 without `actions: write`). It proves what
    we send, not that GitHub accepts it — only a real run on GitHub shows that."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "json": json.loads(body),
                    }
                )
                self.send_response(fake.status)
                self.send_header("Content-Length", "2" if fake.status != 204 else "0")
                self.end_headers()
                if fake.status != 204:
                    self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    yield fake
    fake.stop()


def dispatch(github: FakeGitHub, *extra: str) -> int:
    return cli.main(
        [
            "dispatch-build",
            "--api-url",
            github.url,
            "--repository",
            "o/r",
            "--ref",
            "main",
            "--input",
            "module=all",
            *extra,
        ]
    )


def test_dispatch_build_posts_workflow_dispatch(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    assert dispatch(github) == 0
    (request,) = github.requests
    assert request["path"] == "/repos/o/r/actions/workflows/build.yml/dispatches"
    assert request["json"] == {"ref": "main", "inputs": {"module": "all"}}
    assert request["headers"]["Authorization"] == "Bearer t0ken"
    assert request["headers"]["Accept"] == "application/vnd.github+json"


def test_dispatch_build_explains_a_refusal(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    github.status = 403
    assert dispatch(github) == 1
    assert "actions: write" in capsys.readouterr().err


def test_dispatch_build_needs_a_token(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert dispatch(github) == 2
    assert "GITHUB_TOKEN" in capsys.readouterr().err and not github.requests
