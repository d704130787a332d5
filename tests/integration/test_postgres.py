"""The unit of work, sealed values, aware timestamps and /readyz on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from starbase.adapters import migrations
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.http import create_app
from starbase.models import App, AppVariable, Workspace

KEY = "integration-key-0123456789abcdef0123456789"


@pytest.fixture
def starbase(postgres: Callable[[], str]) -> Iterator[Starbase]:
    url = postgres()
    migrations.upgrade(url)
    container = bootstrap(load_settings(mode="production", database_url=url, secret_key=KEY))
    yield container
    container.close()


def test_production_container_serves_readyz_with_the_migrated_revision(starbase: Starbase) -> None:
    response = TestClient(create_app(starbase)).get("/readyz")
    assert response.status_code == 200
    assert response.json()["schema_revision"] == migrations.current_revision(starbase.engine)


def test_sealed_values_and_aware_timestamps_survive_postgresql(starbase: Starbase) -> None:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    with starbase.uow as uow:
        ws = Workspace(name="acme", created_at=at)
        uow.session.add(ws)
        uow.session.flush()
        app = App(workspace_id=ws.id, name="web", repo_url="https://example.com/r.git")
        uow.session.add(app)
        uow.session.flush()
        var = AppVariable(app_id=app.id, name="SECRET")
        var.seal(starbase.secrets, "hunter2")
        uow.session.add(var)
        uow.commit()
    with starbase.uow as uow:
        stored_ws = uow.session.exec(select(Workspace)).one()
        assert stored_ws.created_at == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
        stored_var = uow.session.exec(select(AppVariable)).one()
        assert b"hunter2" not in stored_var.value_sealed
        assert stored_var.reveal(starbase.secrets) == "hunter2"


def test_postgresql_enforces_app_names_unique_per_workspace(starbase: Starbase) -> None:
    with starbase.uow as uow:
        ws = Workspace(name="acme")
        uow.session.add(ws)
        uow.session.flush()
        uow.session.add(App(workspace_id=ws.id, name="web", repo_url="file:///r"))
        uow.commit()
    with pytest.raises(IntegrityError), starbase.uow as uow:
        uow.session.add(App(workspace_id=ws.id, name="web", repo_url="file:///other"))
        uow.commit()
    with starbase.uow as uow:
        assert len(uow.session.exec(select(App)).all()) == 1
