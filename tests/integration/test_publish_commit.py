import hashlib
import subprocess
import threading
import time
from pathlib import Path

import pytest
from support.wheels import markupsafe_wheels, older_markupsafe_wheel

from generator import cli
from generator.core.wheels import sha256_of_file
from generator.errors import Failure
from generator.publish.collect import collect
from generator.publish.git import GitTarget, PushPolicy, publish_wheels, sha256_of_output

FAST = PushPolicy(base_delay=0.05, max_delay=0.5)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository with one commit on main, like the GitHub repository."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(
        ["git", "clone", "--quiet", str(bare), str(seed)], check=True, capture_output=True
    )
    (seed / "README.md").write_text("hello\n")
    git(seed, "add", "README.md")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


def clone(remote: Path, where: Path) -> Path:
    subprocess.run(
        ["git", "clone", "--quiet", str(remote), str(where)], check=True, capture_output=True
    )
    return where


def published(remote: Path, tmp_path: Path) -> Path:
    """The wheels/ tree of the remote's main, as a fresh clone sees it."""
    return clone(remote, tmp_path / "check") / "wheels"


def sums(wheels_dir: Path) -> dict[str, str]:
    lines = (wheels_dir / "SHA256SUMS").read_text().splitlines()
    return {path: digest for digest, path in (line.split("  ") for line in lines)}


def test_eight_concurrent_publishers_all_arrive(remote: Path, tmp_path: Path) -> None:
    wheels = markupsafe_wheels()
    assert len(wheels) == 8
    start = threading.Barrier(len(wheels))
    results, errors = {}, []

    def publisher(number: int, wheel: Path) -> None:
        repo = clone(remote, tmp_path / f"publisher{number}")
        try:
            start.wait(timeout=60)
            results[number] = publish_wheels(
                GitTarget(repo), [wheel], f"publish {number}", policy=FAST, log=lambda _: None
            )
        except Exception as error:  # collected so the assertion shows every failure
            errors.append(error)

    threads = [threading.Thread(target=publisher, args=item) for item in enumerate(wheels)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(results) == 8
    tree = published(remote, tmp_path)
    expected = {f"markupsafe/{w.name}": sha256_of_file(w) for w in wheels}
    assert sums(tree) == expected  # the index file lists every wheel, no merge damage
    for path, digest in expected.items():
        assert sha256_of_file(tree / path) == digest
    assert git(tree.parent, "rev-list", "--count", "main") == "9"  # one commit per publisher
    assert git(tree.parent, "rev-list", "--merges", "main") == ""
    assert sum(r.attempts for r in results.values()) > 8  # there really were races
    for number in range(8):  # publishers' working trees are untouched
        assert git(tmp_path / f"publisher{number}", "status", "--porcelain") == ""


def test_publishing_again_makes_no_commit(remote: Path, tmp_path: Path) -> None:
    repo = clone(remote, tmp_path / "repo")
    first = publish_wheels(GitTarget(repo), markupsafe_wheels()[:2], "one", policy=FAST)
    again = publish_wheels(GitTarget(repo), markupsafe_wheels()[:2], "two", policy=FAST)
    assert again.commit == first.commit and again.added == []
    assert git(remote, "rev-parse", "main") == first.commit


def test_a_published_wheel_never_changes(remote: Path, tmp_path: Path) -> None:
    repo = clone(remote, tmp_path / "repo")
    wheel = markupsafe_wheels()[0]
    publish_wheels(GitTarget(repo), [wheel], "one", policy=FAST)
    tampered = tmp_path / "tampered" / wheel.name
    tampered.parent.mkdir()
    tampered.write_bytes(wheel.read_bytes() + b"\0")
    with pytest.raises(Failure, match="already published with different contents"):
        publish_wheels(GitTarget(repo), [tampered], "two", policy=FAST)


def test_retention_keeps_the_newest_versions_and_sums_follow(remote: Path, tmp_path: Path) -> None:
    repo = clone(remote, tmp_path / "repo")
    old = older_markupsafe_wheel()
    new = next(w for w in markupsafe_wheels() if w.name.endswith("cp312-musllinux_1_2_x86_64.whl"))
    publish_wheels(GitTarget(repo), [old], "old", policy=FAST)
    result = publish_wheels(GitTarget(repo), [new], "new", keep_versions=1, policy=FAST)
    assert result.removed == [f"wheels/markupsafe/{old.name}"]
    assert sums(published(remote, tmp_path)) == {f"markupsafe/{new.name}": sha256_of_file(new)}


def test_retries_are_bounded_with_jittered_backoff(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git(repo, "remote", "add", "origin", str(tmp_path / "gone.git"))
    pauses: list[float] = []
    policy = PushPolicy(
        attempts=3, base_delay=1, sleep=pauses.append, jitter=lambda low, high: high
    )
    with pytest.raises(Failure, match="gave up after 3 attempts"):
        publish_wheels(
            GitTarget(repo), markupsafe_wheels()[:1], "x", policy=policy, log=lambda _: None
        )
    assert pauses == [2, 4]


def test_a_refused_push_that_is_no_race_fails_at_once(remote: Path, tmp_path: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    repo = clone(remote, tmp_path / "repo")
    pauses: list[float] = []
    with pytest.raises(Failure, match="contents: write"):
        publish_wheels(
            GitTarget(repo), markupsafe_wheels()[:1], "x", policy=PushPolicy(sleep=pauses.append)
        )
    assert pauses == []


def test_collect_then_commit_wheels_verb(remote: Path, tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    for wheel in markupsafe_wheels()[:2]:
        (built / wheel.name).write_bytes(wheel.read_bytes())
    collect([built], [], tmp_path / "out", with_dependencies=False)
    repo = clone(remote, tmp_path / "repo")
    output = tmp_path / "github_output"
    argv = [
        "commit-wheels",
        "--collected",
        str(tmp_path / "out"),
        "--repo",
        str(repo),
        "--message",
        "Publish wheels for run 7",
        "--github-output",
        str(output),
        "--update-worktree",
    ]
    assert not (repo / "wheels" / "SHA256SUMS").exists()
    assert cli.main(argv) == 0
    head = git(remote, "rev-parse", "main")
    assert output.read_text() == f"commit={head}\n"
    # --update-worktree: the checkout's wheels/ is now the published one
    assert (repo / "wheels" / "SHA256SUMS").read_text() == git(
        remote, "show", "main:wheels/SHA256SUMS"
    ) + "\n"
    assert (
        git(remote, "log", "-1", "--format=%s|%an", "main")
        == "Publish wheels for run 7|github-actions[bot]"
    )
    assert len(sums(published(remote, tmp_path))) == 2


def test_commit_wheels_refuses_files_that_differ_from_the_manifest(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    wheel = markupsafe_wheels()[0]
    (built / wheel.name).write_bytes(wheel.read_bytes())
    out = tmp_path / "out"
    collect([built], [], out, with_dependencies=False)
    (out / wheel.name).write_bytes(b"changed")
    argv = ["commit-wheels", "--collected", str(out), "--repo", str(Path(tmp_path))]
    assert cli.main(argv) == 1


def test_commit_wheels_bad_arguments_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = tmp_path / "built"
    built.mkdir()
    wheel = markupsafe_wheels()[0]
    (built / wheel.name).write_bytes(wheel.read_bytes())
    collect([built], [], tmp_path / "out", with_dependencies=False)
    not_a_repo = tmp_path / "plain"
    not_a_repo.mkdir()
    argv = ["commit-wheels", "--collected", str(tmp_path / "out"), "--repo", str(not_a_repo)]
    assert cli.main(argv) == 2
    assert "not a git checkout" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        cli.main([*argv, "--attempts", "0"])
    assert refused.value.code == 2
    assert "--attempts: must be at least 1" in capsys.readouterr().err


def collected_markupsafe(tmp_path: Path) -> Path:
    built = tmp_path / "built"
    built.mkdir()
    wheel = markupsafe_wheels()[0]
    (built / wheel.name).write_bytes(wheel.read_bytes())
    collect([built], [], tmp_path / "out", with_dependencies=False)
    return tmp_path / "out"


@pytest.mark.parametrize("prefix", [".git", "a/.git", ".GIT/x", "", "../x", "/abs", "a//b"])
def test_commit_wheels_refuses_a_prefix_outside_the_repository(
    remote: Path, tmp_path: Path, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """These used to exit 0 ("+0 -0 files", or wheels at the repository's root) or 1 with
    a raw git error."""
    repo = clone(remote, tmp_path / "repo")
    before = git(remote, "rev-parse", "main")
    argv = ["commit-wheels", "--collected", str(collected_markupsafe(tmp_path))]
    assert cli.main([*argv, "--repo", str(repo), "--prefix", prefix]) == 2
    err = capsys.readouterr().err
    assert f"--prefix: {prefix!r} is not a folder inside the repository (" in err, err
    assert "— give a relative path such as wheels" in err
    assert git(remote, "rev-parse", "main") == before


def test_commit_wheels_takes_a_relative_collected_folder(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs in --repo: a relative --collected used to be looked up there."""
    repo = clone(remote, tmp_path / "repo")
    collected_markupsafe(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["commit-wheels", "--collected", "out", "--repo", str(repo)]) == 0
    assert len(sums(published(remote, tmp_path))) == 1


def test_a_streamed_digest_is_the_output_s() -> None:
    assert sha256_of_output(["printf", "abc"], {"PATH": "/usr/bin:/bin"}, 10) == (
        hashlib.sha256(b"abc").hexdigest()
    )


@pytest.mark.timeout(30)  # unbounded, the read waits for the full minute
def test_a_streamed_digest_that_stalls_is_killed_at_its_timeout() -> None:
    """A reader of the blob's stream that never ends (as a hung git would): the timeout
    covers the read, not only the wait after it."""
    started = time.monotonic()
    with pytest.raises(Failure, match=r"did not finish within 0.5 s"):
        sha256_of_output(["sh", "-c", "printf x; exec sleep 60"], {"PATH": "/usr/bin:/bin"}, 0.5)
    assert time.monotonic() - started < 10
