"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import copy_checkout
from support.pypi_server import FixtureIndex, Sleeps, index_for_update, running_index
from support.registry import running_registry

from generator.commands import update as update_command
from generator.pypi import RetryPolicy


@pytest.fixture
def pypi_index() -> Iterator[FixtureIndex]:
    """The recorded PyPI fixtures served on 127.0.0.1, negotiating PEP 691/503."""
    with running_index("negotiate") as index:
        yield index


@pytest.fixture
def sleeps(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    """`update` retries quickly (short timeouts) and records its back-off instead of sleeping;
    a test module may set UPDATE_ATTEMPTS."""
    recorded = Sleeps()
    attempts = getattr(request.module, "UPDATE_ATTEMPTS", 3)
    retry = RetryPolicy(attempts=attempts, backoff=0.5, timeout=(2.0, 0.5), sleep=recorded)
    monkeypatch.setattr(update_command, "RETRY", retry)
    return recorded


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps) -> Iterator[FixtureIndex]:
    """The fixtures for `update` and its pip runs, as an HTML-only mirror answers them."""
    with index_for_update(monkeypatch) as served:
        yield served


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of this repository's matrix, hooks and workflows: tests never read the
    checkout itself, where `update` may have left a lock or `build` wheels."""
    root = tmp_path / "checkout"
    root.mkdir()
    return copy_checkout(root)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    """A real registry (Debian's docker-registry) on 127.0.0.1, for this test only."""
    with running_registry(tmp_path) as address:
        yield address
