"""Commit the lock file (and only it) to the branch, race-safe, with publish's git machinery.

Each attempt takes the remote branch's newest head and replaces one path in its tree in a
private index (the working tree is never touched), so a concurrent push of wheels is kept;
a lost push race is retried with publish's jittered backoff (generator.publish.git).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from generator.errors import Failure
from generator.publish.git import (  # private helpers reused on purpose: one git core
    BOT_AUTHOR,
    GitTarget,
    RetryPolicy,
    _Git,
    _Transient,
    _tree_with,
)


def commit_file(
    target: GitTarget,
    path: str,
    content: bytes,
    message: str,
    *,
    author: str = BOT_AUTHOR,
    policy: RetryPolicy | None = None,
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> str | None:
    """Push a commit setting `path` to `content`; the new commit, or None if already so."""
    policy = policy or RetryPolicy()
    git = _Git(target, author)
    blob = git.out("hash-object", "-w", "--stdin", stdin=content)
    last_problem = ""
    for attempt in range(policy.attempts):
        if attempt:
            pause = policy.delay(attempt)
            log(
                f"commit-lock: {last_problem}; retry {attempt + 1}/{policy.attempts} "
                f"in {pause:.1f}s"
            )
            policy.sleep(pause)
        try:
            head = git.fetch_head()
        except _Transient as problem:
            last_problem = str(problem)
            continue
        current = git.run("rev-parse", "--verify", "--quiet", f"{head}:{path}")
        if current.returncode == 0 and current.stdout.decode().strip() == blob:
            return None
        tree = _tree_with(git, head, [f"100644 {blob}\t{path}"])
        commit = git.out("commit-tree", tree, "-p", head, "-m", message)
        try:
            git.push(commit)
        except _Transient as problem:
            last_problem = str(problem)
            continue
        return commit
    raise Failure(
        f"commit-lock: gave up after {policy.attempts} attempts to push {path} to "
        f"{target.remote}/{target.branch} ({last_problem}) — the next scheduled run retries"
    )
