"""Start a workflow through GitHub's REST API (`workflow_dispatch`).

Pushes made with GITHUB_TOKEN start no workflow runs, but a dispatch does (the token needs
`actions: write`), so the scheduled update starts the build this way (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import requests

from generator.errors import Failure, UserError

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
        "User-Agent": "python-musl-wheels",
    }
    try:
        response = requests.post(
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
