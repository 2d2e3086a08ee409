"""GitHub Actions and GitHub's REST API: step outputs, job summaries, the token, and
starting a workflow (`workflow_dispatch`).

Pushes made with GITHUB_TOKEN start no workflow runs, but a dispatch does (the token needs
`actions: write`), so the scheduled update starts the build this way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import requests

from generator.errors import Failure, UserError
from generator.fileio import append_text
from generator.http import new_session

API_VERSION = "2022-11-28"
TIMEOUT = (10.0, 30.0)
_HINTS = {
    401: "the token is invalid or expired",
    403: "the token lacks `actions: write` (set it in the job's permissions)",
    404: "no such repository or workflow file, or the token cannot see it",
    422: "the workflow has no workflow_dispatch trigger, or the ref/inputs are wrong",
}


def dispatch_workflow(
    api_url: str,
    repository: str,
    workflow: str,
    ref: str,
    inputs: Mapping[str, str],
    token: str,
) -> None:
    """POST /repos/{repository}/actions/workflows/{workflow}/dispatches; GitHub answers 204."""
    if repository.count("/") != 1:
        raise UserError(f"repository {repository!r} is not OWNER/NAME")
    url = f"{api_url.rstrip('/')}/repos/{repository}/actions/workflows/{workflow}/dispatches"
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
    }
    try:
        with new_session() as session:
            response = session.post(
                url, json={"ref": ref, "inputs": dict(inputs)}, headers=headers, timeout=TIMEOUT
            )
    except requests.RequestException as error:
        raise Failure(f"cannot reach {url}: {error} — the next scheduled run tries again") from None
    if response.status_code in (200, 204):
        return
    hint = _HINTS.get(response.status_code, "GitHub refused the request")
    raise Failure(
        f"starting {workflow} on {repository}@{ref} failed: HTTP {response.status_code} "
        f"({hint}): {response.text[:300]}"
    )


def token_from_env(variable: str) -> str:
    """The token in environment variable `variable` (`--token-env`), never from a flag."""
    token = os.environ.get(variable)
    if not token:
        raise UserError(f"--token-env {variable}: that variable is empty or unset")
    return token


def write_outputs(path: Path | None, outputs: Mapping[str, str | int]) -> None:
    """Append `name=value` step outputs (`--github-output "$GITHUB_OUTPUT"`); no path: none."""
    if path is None:
        return
    for name, value in outputs.items():
        text = str(value)
        if "\n" in text:
            raise ValueError(f"step output {name} holds a newline")  # our values never do
        append_text(path, f"{name}={text}\n")


def append_summary(path: Path | None, markdown: str) -> None:
    """Append Markdown to the job summary (`--summary "$GITHUB_STEP_SUMMARY"`); no path: none."""
    if path is not None:
        append_text(path, markdown if markdown.endswith("\n") else markdown + "\n")
