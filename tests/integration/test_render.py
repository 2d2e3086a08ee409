"""render: deterministic, in sync on the committed tree, secure by real linters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Container
from pathlib import Path

import pytest
from support.cli import REPO, copy_checkout, run_generator

from generator.matrix.load import load_matrix
from generator.workflows.render import WORKFLOW_DIR, rendered_files, write

GOLDEN = REPO / "tests" / "golden"
BIN = Path(sys.executable).parent
SYNTHETIC = """
keep-versions: 2
registry: quay.io/someone/wheels
defaults:
  python: ["3.9", "3.12", "3.14t"]
  arch: [x86_64, i686, aarch64, armv7l, ppc64le, s390x, riscv64]
modules:
  alpha: "1.0"
  beta: ["2.0", "2.1"]
"""


def test_committed_tree_is_in_sync(checkout: Path) -> None:
    done = run_generator("render", "--check", cwd=checkout)
    assert done.returncode == 0, done.stderr


def test_check_fails_after_a_one_line_matrix_change_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path)
    assert run_generator("render", "--check", "--matrix", str(root / "matrix.yml")).returncode == 0
    with (root / "matrix.yml").open("a") as matrix:
        matrix.write('  markupsafe: "3.0.3"\n')
    before = (root / WORKFLOW_DIR / "build.yml").read_bytes()
    done = run_generator("render", "--check", "--matrix", str(root / "matrix.yml"))
    assert done.returncode == 1
    assert f"stale: {WORKFLOW_DIR}/build.yml" in done.stderr
    assert (root / WORKFLOW_DIR / "build.yml").read_bytes() == before
    assert run_generator("render", "--matrix", str(root / "matrix.yml")).returncode == 0
    assert run_generator("render", "--check", "--matrix", str(root / "matrix.yml")).returncode == 0


def test_check_reports_a_generated_workflow_that_is_no_longer_rendered(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path)
    shutil.copy(root / WORKFLOW_DIR / "ci.yml", root / WORKFLOW_DIR / "old.yml")
    (root / WORKFLOW_DIR / "handwritten.yml").write_text("name: mine\n")
    done = run_generator("render", "--check", "--matrix", str(root / "matrix.yml"))
    assert done.returncode == 1
    assert f"extra: {WORKFLOW_DIR}/old.yml" in done.stderr
    assert "handwritten" not in done.stderr
    run_generator("render", "--matrix", str(root / "matrix.yml"))
    assert not (root / WORKFLOW_DIR / "old.yml").exists()
    assert (root / WORKFLOW_DIR / "handwritten.yml").exists()


@pytest.mark.parametrize("workflow", ["build.yml", "build-shard.yml"])
def test_golden_build_workflow(workflow: str) -> None:
    files = rendered_files(load_matrix(GOLDEN / "matrix.yml"))
    expected = (GOLDEN / workflow).read_text()
    assert files[f"{WORKFLOW_DIR}/{workflow}"] == expected, (
        f"rendered {workflow} changed: if intended, re-create tests/golden/{workflow} with "
        "`python -m generator render --matrix tests/golden/matrix.yml` and copy it"
    )


def test_render_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / "matrix.yml").write_text(SYNTHETIC)
    first = rendered_files(load_matrix(tmp_path / "matrix.yml"))
    second = rendered_files(load_matrix(tmp_path / "matrix.yml"))
    assert first == second


def every_header_says_generated(files: dict[str, str]) -> None:
    for path, text in files.items():
        if path.endswith(".yml"):
            assert text.startswith("# Generated from matrix.yml by `python -m generator render`")


@pytest.fixture(params=["committed", "synthetic"])
def rendered_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "committed":
        return copy_checkout(tmp_path)
    (tmp_path / "matrix.yml").write_text(SYNTHETIC)
    files = rendered_files(load_matrix(tmp_path / "matrix.yml"))
    every_header_says_generated(files)
    write(files, tmp_path, [])
    return tmp_path


def workflows(root: Path) -> list[str]:
    found = sorted(str(p) for p in (root / WORKFLOW_DIR).glob("*.yml"))
    assert found
    return found


def test_zizmor_offline_has_no_findings(rendered_tree: Path) -> None:
    for persona in ("regular", "pedantic"):
        done = subprocess.run(
            [str(BIN / "zizmor"), "--offline", "--persona", persona, *workflows(rendered_tree)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No findings" in done.stdout


def test_workflows_match_github_schema(rendered_tree: Path) -> None:
    done = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflows(rendered_tree),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_expression_inside_run(rendered_tree: Path) -> None:
    import yaml

    for path in workflows(rendered_tree):
        for job in yaml.safe_load(Path(path).read_text())["jobs"].values():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), (path, step)


def test_hooks_pass_shellcheck() -> None:
    hooks = sorted(str(p) for p in (REPO / "hooks").rglob("*.sh"))
    assert hooks
    done = subprocess.run(
        [str(BIN / "shellcheck"), "--shell=sh", *hooks],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout


def test_committed_matrix_validates_against_committed_schema(tmp_path: Path) -> None:
    schema = str(REPO / "matrix.schema.json")
    check = [str(BIN / "check-jsonschema"), "--schemafile", schema]
    good = subprocess.run([*check, str(REPO / "matrix.yml")], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
    (tmp_path / "bad.yml").write_text("modules:\n  x:\n    arch: [sparc]\n")
    bad = subprocess.run([*check, str(tmp_path / "bad.yml")], capture_output=True, text=True)
    assert bad.returncode == 1 and "sparc" in bad.stdout


def test_registry_setting_switches_login_to_secrets(tmp_path: Path) -> None:
    import yaml

    def publish_job(matrix_text: str) -> dict[str, object]:
        (tmp_path / "matrix.yml").write_text(matrix_text)
        files = rendered_files(load_matrix(tmp_path / "matrix.yml"))
        job: dict[str, object] = yaml.safe_load(files[f"{WORKFLOW_DIR}/build.yml"])["jobs"][
            "publish"
        ]
        return job

    def login(job: dict[str, object]) -> dict[str, str]:
        steps = job["steps"]
        assert isinstance(steps, list)
        uses_login = [step["with"] for step in steps if "login-action" in step.get("uses", "")]
        assert len(uses_login) == 1
        found: dict[str, str] = uses_login[0]
        return found

    default = publish_job('modules:\n  a: "1.0"\n')
    assert login(default)["registry"] == "ghcr.io"
    assert default["permissions"] == {
        "contents": "write",
        "packages": "write",
        "id-token": "write",
        "attestations": "write",
        "actions": "write",
    }
    custom = publish_job('registry: docker.io/me/wheels\nmodules:\n  a: "1.0"\n')
    assert login(custom) == {
        "registry": "docker.io",
        "username": "${{ secrets.REGISTRY_USERNAME }}",
        "password": "${{ secrets.REGISTRY_PASSWORD }}",
    }
    permissions = custom["permissions"]
    assert isinstance(permissions, Container)  # what `in` needs; any YAML collection or str
    assert "packages" not in permissions


def test_retention_setting_reaches_the_commit_and_checkout_drops_removed_wheels(
    tmp_path: Path,
) -> None:
    import yaml

    (tmp_path / "matrix.yml").write_text('keep-versions: 3\nmodules:\n  a: "1.0"\n')
    workflow = rendered_files(load_matrix(tmp_path / "matrix.yml"))[f"{WORKFLOW_DIR}/build.yml"]
    steps = yaml.safe_load(workflow)["jobs"]["publish"]["steps"]
    runs = {step["name"]: step.get("run", "") for step in steps}
    commit = next(run for name, run in runs.items() if name.startswith("Commit the wheels"))
    assert commit.rstrip().endswith("--keep-versions 3")
    assert "--update-worktree" in commit  # retention-removed wheels leave the checkout too
    (tmp_path / "matrix.yml").write_text('modules:\n  a: "1.0"\n')
    default = rendered_files(load_matrix(tmp_path / "matrix.yml"))[f"{WORKFLOW_DIR}/build.yml"]
    assert "--keep-versions" not in default


def test_every_job_of_a_run_reads_the_plans_lock(checkout: Path) -> None:
    """plan resolves the lock; build and publish jobs download it before any verb reads it."""
    import yaml

    jobs = yaml.safe_load((checkout / WORKFLOW_DIR / "build.yml").read_text())["jobs"]
    shard = yaml.safe_load((checkout / WORKFLOW_DIR / "build-shard.yml").read_text())["jobs"]
    # every build shard job calls the one shard workflow; its job reads the lock like publish
    assert all(
        job["uses"] == "$/.github/workflows/build-shard.yml"
        for name, job in jobs.items()
        if name.startswith("build")
    )
    jobs = {name: job for name, job in jobs.items() if not name.startswith("build")} | shard
    plan_runs = [step.get("run", "") for step in jobs["plan"]["steps"]]
    first_update = next(i for i, run in enumerate(plan_runs) if "generator update" in run)
    first_plan = next(i for i, run in enumerate(plan_runs) if "generator plan" in run)
    assert first_update < first_plan
    for name, job in jobs.items():
        if name in ("plan", "pages"):
            continue
        steps = job["steps"]
        lock = next(
            i
            for i, s in enumerate(steps)
            if s.get("with", {}).get("name") == "plan" and "download-artifact" in s.get("uses", "")
        )
        verbs = [i for i, s in enumerate(steps) if "python -m generator" in s.get("run", "")]
        assert verbs and lock < min(verbs), name


def test_deferred_jobs_start_the_next_run(checkout: Path) -> None:
    import yaml

    workflow = yaml.safe_load((checkout / WORKFLOW_DIR / "build.yml").read_text())
    assert workflow["jobs"]["plan"]["outputs"]["deferred"] == "${{ steps.plan.outputs.deferred }}"
    publish = workflow["jobs"]["publish"]
    (step,) = [s for s in publish["steps"] if "dispatch-build" in s.get("run", "")]
    assert step["if"] == "needs.plan.outputs.deferred != '0'"
    assert publish["permissions"]["actions"] == "write"
