"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pypi_server import FixtureIndex, running_index


@pytest.fixture
def pypi_index() -> Iterator[FixtureIndex]:
    """The recorded PyPI fixtures served on 127.0.0.1, negotiating PEP 691/503."""
    with running_index("negotiate") as index:
        yield index
