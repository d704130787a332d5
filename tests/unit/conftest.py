"""Unit fixtures: a Starbase container over an in-memory SQLite database and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import SQLModel

import starbase.models
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.crypto import SecretBox
from starbase.db import make_engine
from tests.fakes import FakeClock

TEST_KEY = "unit-test-key-0123456789abcdef0123456789"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def starbase(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Starbase]:
    for name in ("STARFORM_MODE", "STARFORM_DATABASE_URL", "STARFORM_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    container = bootstrap(
        load_settings(database_url="sqlite://", secret_key=TEST_KEY),
        engine=engine,
        clock=clock,
        secrets=SecretBox(TEST_KEY),
    )
    yield container
    container.close()


@pytest.fixture
def world(starbase: Starbase):  # type: ignore[no-untyped-def]
    from tests.unit.world import build_world

    return build_world(starbase)
