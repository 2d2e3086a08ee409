"""The one way this generator runs pip: this interpreter's pip, a bounded time, and (offline)
an environment where only our flags count. Which wheels a cell takes is generator.core.tags."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

from packaging.requirements import InvalidRequirement, Requirement

from generator.errors import Failure

PIP_TIMEOUT = 300  # seconds per pip run: every verb must end in bounded time
# pip 25+ adds " (from REQUIRER)" after the requirement.
_NO_MATCH = re.compile(
    r"No matching distribution found for (.+?)(?: \(from [^()]*\))?$", re.MULTILINE
)

# pip evaluates environment markers against the interpreter it runs in, whatever
# --python-version and --platform say: this runs pip with packaging's default marker
# environment replaced by the target's (pip reads it nowhere else).
_TARGET_MARKERS = (
    "import json, sys\n"
    "from pip._vendor.packaging import markers\n"
    "target = json.loads(sys.argv.pop(1))\n"
    "markers.default_environment = lambda: dict(target)\n"
    "from pip._internal.cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def offline_env() -> dict[str, str]:
    """An environment where pip sees no config file and no PIP_* setting: only our flags count
    (a machine-wide `find-links` would otherwise let a verification pass by accident)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def run_pip(
    args: Sequence[str],
    env: Mapping[str, str],
    timeout: float = PIP_TIMEOUT,
    markers: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m pip ARGS`, its output captured; a Failure if it does not end in time.
    `markers`: the PEP 508 environment pip evaluates markers in (default: this Python's)."""
    command = [sys.executable, "-m", "pip", *args]
    if markers is not None:
        command = [sys.executable, "-c", _TARGET_MARKERS, json.dumps(dict(markers)), *args]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, env=dict(env), timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise Failure(
            f"pip did not finish within {timeout:.0f} s ({' '.join(args[:3])} …) — the index "
            "may be slow; retry"
        ) from None


def missing_requirement(pip_output: str) -> str | None:
    """The requirement pip could not satisfy, as it wrote it in "No matching distribution
    found for X" (specifiers and marker included, its " (from REQUIRER)" not)."""
    match = _NO_MATCH.search(pip_output)
    return (match.group(1).strip() or None) if match else None


def missing_distribution(pip_output: str) -> str | None:
    """The project pip could not find, from its "No matching distribution found for X"."""
    requirement = missing_requirement(pip_output)
    if requirement is None:
        return None
    # With a marker pip writes `pycparser; implementation_name != "PyPy"`: the name ends at `;`.
    text = requirement.split(maxsplit=1)[0].rstrip(";")
    try:
        return Requirement(text).name
    except InvalidRequirement:
        return text
