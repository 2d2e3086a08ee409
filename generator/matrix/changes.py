"""Which modules a pull request changes (their matrix entry, or a hook they use), and which
bundles a push changes (their entry, or their requirements file).

A pull request builds only those modules (a contributor sees the hook work before merge); a
push images the changed bundles even when no member is rebuilt. Both compare with a base
commit through plain git.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from generator.errors import Failure, UserError
from generator.matrix.bundles import ResolvedBundle
from generator.matrix.load import LoadedMatrix, parse_matrix
from generator.matrix.model import ResolvedModule

# What `github.event.before` holds when a push created the branch: no base to compare with.
NO_COMMIT = "0" * 40


def changed_modules(matrix: LoadedMatrix, base_ref: str) -> list[str]:
    """Names of the modules whose build may differ from `base_ref`'s."""
    old = _matrix_at(matrix, base_ref)
    hooks = _changed_files(matrix.root, base_ref, "hooks")
    changed = []
    for module in matrix.modules:
        before = old.get(module.name)
        if before is None or _comparable(before) != _comparable(module) or _uses(module, hooks):
            changed.append(module.name)
    return changed


def changed_bundles(matrix: LoadedMatrix, base_ref: str) -> list[str]:
    """Names of the bundles whose images may differ from `base_ref`'s: new ones, changed
    entries (members, specifiers, or the Pythons and archs their modules give them), and
    those whose requirements file changed. Without a usable base (a new branch, a commit
    this clone lacks, an invalid matrix there) every bundle counts as changed."""
    if base_ref == NO_COMMIT or not _is_commit(matrix.root, base_ref):
        return [bundle.name for bundle in matrix.bundles]
    old = _bundles_at(matrix, base_ref)
    changed = []
    for bundle in matrix.bundles:
        spec = matrix.model.bundles[bundle.name]
        files = (
            _changed_files(matrix.root, base_ref, spec.requirements) if spec.requirements else ()
        )
        if old.get(bundle.name) != bundle or files:
            changed.append(bundle.name)
    return changed


def _bundles_at(matrix: LoadedMatrix, base_ref: str) -> dict[str, ResolvedBundle]:
    # The base's bundles read their requirements files from this checkout: a change of
    # those files is seen by git diff instead.
    relative = matrix.path.relative_to(_toplevel(matrix.root)).as_posix()
    shown = _git(matrix.root, "show", f"{base_ref}:{relative}", check=False)
    if shown.returncode != 0:
        return {}
    try:
        old = parse_matrix(shown.stdout, matrix.path)
    except UserError:
        return {}
    return {bundle.name: bundle for bundle in old.bundles}


def _is_commit(root: Path, ref: str) -> bool:
    return (
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode
        == 0
    )


def _matrix_at(matrix: LoadedMatrix, base_ref: str) -> dict[str, ResolvedModule]:
    """The base's modules; an absent or invalid base matrix means all modules changed."""
    relative = matrix.path.relative_to(_toplevel(matrix.root)).as_posix()
    shown = _git(matrix.root, "show", f"{base_ref}:{relative}", check=False)
    if shown.returncode != 0:
        _git(matrix.root, "rev-parse", "--verify", f"{base_ref}^{{commit}}")  # clear error
        return {}
    try:
        old = parse_matrix(shown.stdout, matrix.path)
    except UserError:
        return {}
    return {module.name: module for module in old.modules}


def _changed_files(root: Path, base_ref: str, folder: str) -> set[str]:
    listed = _git(root, "diff", "--name-only", "--relative", base_ref, "--", folder).stdout
    return {line for line in listed.splitlines() if line}


def _uses(module: ResolvedModule, changed_hooks: set[str]) -> bool:
    return bool({module.spec.before_all, module.spec.before_build} & changed_hooks)


def _comparable(module: ResolvedModule) -> ResolvedModule:
    return replace(module, spelled="")  # renaming PyYAML → pyyaml builds nothing new


def _toplevel(root: Path) -> Path:
    return Path(_git(root, "rev-parse", "--show-toplevel").stdout.strip()).resolve()


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise Failure("git is not installed — install git to compare with a base commit") from None
    except subprocess.TimeoutExpired:
        raise Failure(f"git {' '.join(args)} did not answer within 120 s in {root}") from None
    if check and done.returncode != 0:
        raise UserError(
            f"git {' '.join(args)} failed in {root}: {done.stderr.strip()} — is the base "
            "commit fetched? (the workflow checks out with fetch-depth: 0)"
        )
    return done
