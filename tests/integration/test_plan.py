"""plan: cells → jobs, JSON shape, shards within GitHub's 256-job limit, selection."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support.cli import REPO, run_generator

from generator.commands.common import checkout_plan
from generator.matrix.load import load_matrix
from generator.plan.jobs import JOBS_PER_SHARD, SHARDS

GOLDEN = REPO / "tests" / "golden" / "matrix.yml"


def plan_json(*args: str) -> dict[str, object]:
    done = run_generator("plan", "--json", *args)
    assert done.returncode == 0, done.stderr
    parsed: dict[str, object] = json.loads(done.stdout)
    return parsed


def test_issue_example_expands_to_the_right_jobs() -> None:
    jobs = plan_json("--matrix", str(GOLDEN))["jobs"]
    assert isinstance(jobs, list)
    summary = sorted((j["module"], j["version"], j["arch"], tuple(j["python"])) for j in jobs)
    assert summary == [
        ("cffi", "1.17.1", "aarch64", ("3.12", "3.13")),
        ("cffi", "1.17.1", "x86_64", ("3.12", "3.13")),
        ("cffi", "2.0.0", "aarch64", ("3.12", "3.13")),
        ("cffi", "2.0.0", "x86_64", ("3.12", "3.13")),
        ("lxml", "6.0.0", "x86_64", ("3.12",)),
        ("pyyaml", "6.0.2", "aarch64", ("3.12", "3.13")),
        ("pyyaml", "6.0.2", "x86_64", ("3.12", "3.13")),
    ]
    first = next(j for j in jobs if j["id"] == "cffi-2.0.0-aarch64")
    assert first["identifiers"] == ["cp312-musllinux_aarch64", "cp313-musllinux_aarch64"]
    assert first["runner"] == "ubuntu-24.04-arm" and first["qemu"] is False
    assert first["env"]["CIBW_BUILD"] == "cp312-musllinux_aarch64 cp313-musllinux_aarch64"
    assert first["env"]["CIBW_ARCHS_LINUX"] == "aarch64"
    assert all(k.startswith("CIBW_") for k in first["env"])


def test_emulated_archs_need_qemu_and_native_ones_do_not(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(
        "defaults:\n  arch: [x86_64, i686, aarch64, armv7l, ppc64le, s390x, riscv64]\n"
        'modules:\n  a: "1.0"\n'
    )
    jobs = {j.arch: j for j in checkout_plan(load_matrix(tmp_path / "matrix.yml")).jobs}
    assert {a for a, j in jobs.items() if j.qemu} == {"armv7l", "ppc64le", "s390x", "riscv64"}
    assert jobs["aarch64"].runner == "ubuntu-24.04-arm"
    assert jobs["i686"].runner == "ubuntu-24.04"


def test_hooks_and_settings_reach_the_env(checkout: Path) -> None:
    plan = checkout_plan(load_matrix(checkout / "matrix.yml"))
    crypto = next(j for j in plan.jobs if j.module == "cryptography")
    before_all = crypto.env["CIBW_BEFORE_ALL_LINUX"]
    assert before_all.startswith("apk add --no-cache openssl-dev libffi-dev && sh /host/")
    assert before_all.endswith("/hooks/rust.sh")
    nacl = next(j for j in plan.jobs if j.module == "pynacl")
    assert nacl.env["CIBW_ENVIRONMENT_LINUX"] == 'SODIUM_INSTALL="system"'
    assert nacl.env["CIBW_TEST_COMMAND_LINUX"] == 'python -c "import nacl.bindings"'
    assert nacl.env["CIBW_TEST_REQUIRES"] == ""
    clib = next(j for j in plan.jobs if j.module == "ruamel-yaml-clib")
    assert clib.env["CIBW_TEST_REQUIRES"] == "ruamel.yaml"
    assert all(j.arch != "i686" for j in plan.jobs if j.module in {"bcrypt", "cryptography"})
    emulated = {"armv7l", "ppc64le", "s390x", "riscv64"}
    assert plan.skipped and all(s.cell.arch in emulated for s in plan.skipped)
    assert all(s.reason.startswith("excluded in matrix: emulated (QEMU") for s in plan.skipped)


def test_large_matrix_is_sharded_under_the_github_limit(tmp_path: Path) -> None:
    modules = "\n".join(f'  m{i}: ["1.0", "2.0"]' for i in range(150))
    matrix = f"defaults:\n  arch: [x86_64, aarch64]\nmodules:\n{modules}\n"
    (tmp_path / "matrix.yml").write_text(matrix)
    plan = checkout_plan(load_matrix(tmp_path / "matrix.yml"))
    assert len(plan.jobs) == 600 and not plan.deferred
    assert [len(s) for s in plan.shards()] == [256, 256, 88]
    outputs = run_generator(
        "plan", "--matrix", str(tmp_path / "matrix.yml"), "--github-output", str(tmp_path / "out")
    )
    assert outputs.returncode == 0, outputs.stderr
    lines = dict(line.split("=", 1) for line in (tmp_path / "out").read_text().splitlines())
    assert lines["count"] == "600"
    assert [len(json.loads(lines[f"shard-{i}"])) for i in range(SHARDS)] == [256, 256, 88, 0]


def test_jobs_beyond_all_shards_are_deferred_not_dropped_silently(tmp_path: Path) -> None:
    modules = "\n".join(f'  m{i}: "1.0"' for i in range(SHARDS * JOBS_PER_SHARD + 5))
    (tmp_path / "matrix.yml").write_text(f"defaults:\n  arch: [x86_64]\nmodules:\n{modules}\n")
    plan = checkout_plan(load_matrix(tmp_path / "matrix.yml"))
    assert len(plan.jobs) == SHARDS * JOBS_PER_SHARD and len(plan.deferred) == 5
    table = run_generator("plan", "--matrix", str(tmp_path / "matrix.yml")).stdout
    assert "5 jobs deferred to the next run" in table
    outputs = tmp_path / "github_output"
    run_generator("plan", "--matrix", str(tmp_path / "matrix.yml"), "--github-output", str(outputs))
    assert "count=1024\ndeferred=5\n" in outputs.read_text()
    # The next run (no lock): the first five jobs' wheels are published, the rest come forward.
    for job in plan.jobs[:5]:
        folder = tmp_path / "wheels" / job.module
        folder.mkdir(parents=True)
        for identifier in job.identifiers:
            tag = identifier.split("-")[0]
            (folder / f"{job.module}-1.0-{tag}-{tag}-musllinux_1_2_x86_64.whl").write_bytes(b"")
    again = checkout_plan(load_matrix(tmp_path / "matrix.yml"))
    assert not again.deferred and len(again.jobs) == SHARDS * JOBS_PER_SHARD
    assert {job.module for job in plan.deferred} <= {job.module for job in again.jobs}


def test_only_selects_modules_and_rejects_unknown_ones() -> None:
    jobs = plan_json("--matrix", str(GOLDEN), "--only", "lxml, PyYAML")["jobs"]
    assert isinstance(jobs, list)
    assert {j["module"] for j in jobs} == {"lxml", "pyyaml"}
    every = plan_json("--matrix", str(GOLDEN), "--only", "all")["jobs"]
    assert isinstance(every, list)
    assert len(every) == 7
    done = run_generator("plan", "--matrix", str(GOLDEN), "--only", "numpy")
    assert done.returncode == 2 and "module 'numpy' is not in matrix.yml" in done.stderr


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_changed_since_builds_only_changed_modules_and_hook_users(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "x.sh").write_text("true\n")
    (tmp_path / "matrix.yml").write_text(
        'modules:\n  a: "1.0"\n  b: "1.0"\n  c:\n    versions: "1.0"\n    before-all: hooks/x.sh\n'
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    base = git(tmp_path, "rev-parse", "HEAD")

    def changed() -> set[str]:
        jobs = plan_json("--matrix", str(tmp_path / "matrix.yml"), "--changed-since", base)["jobs"]
        assert isinstance(jobs, list)
        return {j["module"] for j in jobs}

    assert changed() == set()
    text = (tmp_path / "matrix.yml").read_text().replace('b: "1.0"', 'b: "1.1"')
    (tmp_path / "matrix.yml").write_text(text + '  d: "2.0"\n')
    assert changed() == {"b", "d"}
    (tmp_path / "hooks" / "x.sh").write_text("echo changed\n")
    assert changed() == {"b", "c", "d"}
    done = run_generator(
        "plan", "--matrix", str(tmp_path / "matrix.yml"), "--changed-since", "0" * 40
    )
    assert done.returncode == 2 and "fetch-depth" in done.stderr


def test_output_file_holds_the_same_plan_as_stdout(tmp_path: Path) -> None:
    done = run_generator(
        "plan", "--json", "--matrix", str(GOLDEN), "--output", str(tmp_path / "plan.json")
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "plan.json").read_text()) == json.loads(done.stdout)


def bundles_output(root: Path, *args: str) -> str:
    """The `bundles` step output of `plan`, as the publish job reads it."""
    (root / "out").unlink(missing_ok=True)
    done = run_generator(
        "plan", "--matrix", str(root / "matrix.yml"), "--github-output", str(root / "out"), *args
    )
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in (root / "out").read_text().splitlines() if x.startswith("bundles=")]
    return line.removeprefix("bundles=")


def test_a_push_images_the_bundles_it_changed(tmp_path: Path) -> None:
    """A bundle changed alone (new, other members, other requirements) is imaged on the next
    publish although no member is rebuilt: plan names it in its `bundles` output."""
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "b.txt").write_text("a\ndjango\n")
    (tmp_path / "matrix.yml").write_text(
        'modules:\n  a: "1.0"\n  b: "1.0"\nbundles:\n  one: [a]\n  two:\n'
        "    requirements: apps/b.txt\n"
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    base = git(tmp_path, "rev-parse", "HEAD")
    since = ("--changed-bundles-since", base)

    assert bundles_output(tmp_path, *since) == ""
    assert bundles_output(tmp_path) == ""  # no base given: none
    (tmp_path / "apps" / "b.txt").write_text("a\ndjango>=5.2\n")
    assert bundles_output(tmp_path, *since) == "two"
    text = (tmp_path / "matrix.yml").read_text()
    (tmp_path / "matrix.yml").write_text(
        text.replace("one: [a]", "one: [a, b]").replace("bundles:\n", "bundles:\n  new: [b]\n")
    )
    assert bundles_output(tmp_path, *since) == "new one two"  # in matrix order
    # A new branch (github.event.before is all zeros) or a base this clone lacks: all.
    assert bundles_output(tmp_path, "--changed-bundles-since", "0" * 40) == "new one two"
    assert bundles_output(tmp_path, "--changed-bundles-since", "f" * 40) == "new one two"
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "next")
    assert bundles_output(tmp_path, "--changed-bundles-since", "HEAD") == ""


def test_bundles_asked_for_by_hand_are_checked(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(
        'modules:\n  a: "1.0"\nbundles:\n  one: [a]\n  two: [a, django]\n'
    )
    assert bundles_output(tmp_path, "--bundle", "two") == "two"
    assert bundles_output(tmp_path, "--bundle", "all") == "one two"
    assert bundles_output(tmp_path, "--bundle", "") == ""
    done = run_generator("plan", "--matrix", str(tmp_path / "matrix.yml"), "--bundle", "tow")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: --bundle tow: matrix.yml has no bundle 'tow' — use one")
