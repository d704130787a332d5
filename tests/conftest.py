"""Fixtures shared by the integration and end-to-end tests: the real servers they need."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.servers import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[Callable[[], str]]:
    """Makes a fresh, empty database per call on a throw-away PostgreSQL 15 started for the session."""
    server = PostgresServer().start()
    try:
        yield server.create_database
    finally:
        server.stop()
