"""The minimal Starbase ASGI app: probes and the error format, over the unit container."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from starbase.bootstrap import Starbase
from starbase.errors import Conflict
from starbase.http import create_app


def test_healthz_answers_without_touching_the_database() -> None:
    def refuse() -> Starbase:
        raise AssertionError("healthz must not build the container")

    client = TestClient(create_app(factory=refuse))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_until_the_schema_is_migrated(starbase: Starbase) -> None:
    client = TestClient(create_app(starbase))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    error = response.json()["error"]
    assert error["code"] == "upstream_unavailable"
    assert "starform db upgrade" in error["message"]


def test_readyz_reports_the_schema_revision(starbase: Starbase) -> None:
    with starbase.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
    response = TestClient(create_app(starbase)).get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "schema_revision": "0001"}


def test_starbase_errors_become_json_with_their_status(starbase: Starbase) -> None:
    app = create_app(starbase)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise Conflict("app 'web' already exists", field="name")

    response = TestClient(app).get("/api/v1/boom")
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "conflict", "message": "app 'web' already exists", "field": "name"}}


def test_openapi_document_is_served_under_api_v1(starbase: Starbase) -> None:
    response = TestClient(create_app(starbase)).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/healthz" in response.json()["paths"]
