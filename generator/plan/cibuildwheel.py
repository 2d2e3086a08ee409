"""The exact cibuildwheel invocation of a build job: its CIBW_* environment and argv.

One place decides every option, so the plan, the workflow, a local build and the
selector test all run cibuildwheel identically.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.core.platforms import MUSLLINUX_IMAGE, build_identifier, python_sort_key
from generator.matrix.model import ResolvedModule

NEUTRAL_CONFIG = Path(__file__).resolve().parent / "resources" / "cibuildwheel.toml"
# Where cibuildwheel mounts the host's root inside its container: the repository
# is not mounted itself, so hooks are reached through here.
HOST_MOUNT = "/host"


def identifiers(pythons: Sequence[str], arch: str) -> tuple[str, ...]:
    return tuple(build_identifier(p, arch) for p in sorted(pythons, key=python_sort_key))


def job_environment(
    module: ResolvedModule,
    pythons: Sequence[str],
    arch: str,
    repo_root: Path,
    image: str | None = None,
) -> dict[str, str]:
    """Every CIBW_* variable of the job that builds `pythons` × `arch` of `module`; `image`
    is the build image (default: cibuildwheel's pinned musllinux_1_2 for the arch)."""
    env = {
        "CIBW_PLATFORM": "linux",
        "CIBW_ARCHS_LINUX": arch,
        # Only CIBW_BUILD/CIBW_SKIP select builds; both are explicit so nothing
        # from the upstream project can widen or narrow the selection.
        "CIBW_BUILD": " ".join(identifiers(pythons, arch)),
        "CIBW_SKIP": "",
        "CIBW_TEST_SKIP": "",
        "CIBW_ENABLE": "",
        image_variable(arch): image or MUSLLINUX_IMAGE,
        "CIBW_BEFORE_ALL_LINUX": _before_all(module, repo_root),
        "CIBW_BEFORE_BUILD_LINUX": _hook_command(module.spec.before_build, repo_root),
        "CIBW_ENVIRONMENT_LINUX": _environment(module.spec.environment),
        "CIBW_TEST_REQUIRES": " ".join(module.spec.test_requires),
        "CIBW_TEST_COMMAND_LINUX": f'python -c "import {module.import_name}"',
        "CIBW_BUILD_VERBOSITY": "1",
    }
    return env


def with_find_links(env: Mapping[str, str], folders: Sequence[str]) -> dict[str, str]:
    """The job's env whose build container's pip also looks in `folders` (container paths):
    build requirements this repository publishes come from there, not from their sdists."""
    if not folders:
        return dict(env)
    extra = f"PIP_FIND_LINKS={_double_quoted(' '.join(folders))}"
    current = env.get("CIBW_ENVIRONMENT_LINUX", "")
    return {**env, "CIBW_ENVIRONMENT_LINUX": f"{current} {extra}".strip()}


def image_variable(arch: str) -> str:
    """The variable that names the build image of `arch`, e.g. CIBW_MUSLLINUX_X86_64_IMAGE."""
    return f"CIBW_MUSLLINUX_{arch.upper()}_IMAGE"


def command(package: Path, output_dir: Path) -> list[str]:
    """argv for cibuildwheel, run by this interpreter so the pinned version is used."""
    return [
        sys.executable,
        "-m",
        "cibuildwheel",
        "--platform",
        "linux",
        # Absolute: a relative path would be resolved inside the unpacked sdist.
        "--config-file",
        str(NEUTRAL_CONFIG),
        "--output-dir",
        str(output_dir.resolve()),
        str(package.resolve()),
    ]


def _before_all(module: ResolvedModule, repo_root: Path) -> str:
    steps = []
    if module.spec.apk:
        steps.append(shlex.join(["apk", "add", "--no-cache", *module.spec.apk]))
    hook = _hook_command(module.spec.before_all, repo_root)
    if hook:
        steps.append(hook)
    return " && ".join(steps)


def _hook_command(hook: str | None, repo_root: Path) -> str:
    if hook is None:
        return ""
    return shlex.join(["sh", f"{HOST_MOUNT}{repo_root.resolve()}/{hook}"])


def _environment(variables: dict[str, str]) -> str:
    """Bash assignments; double quotes keep `$VAR` expansion inside the container."""
    return " ".join(f"{name}={_double_quoted(value)}" for name, value in sorted(variables.items()))


def _double_quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
