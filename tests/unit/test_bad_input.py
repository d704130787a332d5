"""Bad input on every create and update: a clear 4xx that names the field, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from starbase.bootstrap import Starbase
from tests.unit.world import World, build_world

WS = "/api/v1/workspaces/acme"
APP = f"{WS}/apps/web"

CASES = [
    ("POST", "/api/v1/workspaces", {"name": "Bad_Name"}, 422, "name"),
    ("POST", "/api/v1/workspaces", {"name": "acme"}, 409, "name"),
    ("POST", f"{WS}/apps", {"name": "Web_App", "repo_url": "https://g.example/r.git"}, 422, "name"),
    ("POST", f"{WS}/apps", {"name": "-web", "repo_url": "https://g.example/r.git"}, 422, "name"),
    ("POST", f"{WS}/apps", {"name": "x" * 41, "repo_url": "https://g.example/r.git"}, 422, "name"),
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "not a url"}, 422, "repo_url"),
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "ftp://g.example/r"}, 422, "repo_url"),
    ("POST", f"{WS}/apps", {"name": "api"}, 422, "repo_url"),
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "https://g.example/r", "branch": "a..b"}, 422, "branch"),
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "https://g.example/r", "health_path": "x"}, 422, "health_path"),
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "https://g.example/r", "colour": "red"}, 422, "colour"),
    ("POST", f"{WS}/apps", {"name": "web", "repo_url": "https://g.example/r.git"}, 409, "name"),
    ("PATCH", APP, {"repo_url": "nope"}, 422, "repo_url"),
    ("PATCH", f"{APP}/env", {"set": {"lower_case": "1"}}, 422, "vars.lower_case"),
    ("PATCH", f"{APP}/env", {"set": {"GOOD": "1", "9BAD": "1"}}, 422, "vars.9BAD"),
    ("PATCH", f"{APP}/env", {"set": {"BIG": "x" * 40_000}}, 422, "vars.BIG"),
    ("PATCH", f"{APP}/env", {"set": {"A": 1}}, 422, "set.A"),
    ("PATCH", f"{APP}/env", {"unset": ["NOT_THERE"]}, 404, "unset.NOT_THERE"),
    ("PATCH", f"{APP}/env", {"set": {"A": "1"}, "unset": ["A"]}, 422, "unset"),
    ("PATCH", f"{APP}/env", {}, 422, "vars"),
    ("POST", f"{APP}/scale", {"replicas": 1000}, 422, "replicas"),
    ("POST", f"{APP}/scale", {"replicas": 1, "memory_mb": 1}, 422, "memory_mb"),
    ("POST", f"{APP}/scale", {}, 422, "replicas"),
    ("POST", f"{APP}/rollback", {"to": "three"}, 422, "to"),
    ("POST", f"{APP}/rollback", {"to": "v99"}, 404, "to"),
    ("POST", f"{APP}/rollback", {"to": "v2"}, 409, "to"),
    ("POST", f"{WS}/vargroups", {"name": "Shared Stuff"}, 422, "name"),
    ("POST", f"{WS}/vargroups", {"name": "shared"}, 409, "name"),
    ("PATCH", f"{WS}/vargroups/shared/vars", {"set": {"bad-name": "1"}}, 422, "vars.bad-name"),
    ("PUT", f"{WS}/vargroups/shared/apps/web", None, 409, "app"),
    ("POST", f"{WS}/members", {"login": "x", "role": "superuser"}, 422, "role"),
    ("POST", f"{WS}/members", {"login": "admin-user", "role": "viewer"}, 409, "login"),
    ("POST", f"{WS}/tokens", {"name": "t", "role": "root"}, 422, "role"),
    ("POST", f"{WS}/tokens", {"name": "", "role": "viewer"}, 422, "name"),
    ("POST", f"{WS}/clusters", {"name": "c1", "region": "eu", "kind": "nomad"}, 422, "kind"),
    ("POST", f"{WS}/clusters", {"name": "c1", "region": "EU west"}, 422, "region"),
    ("POST", f"{WS}/clusters", {"name": "shared-1", "region": "eu"}, 409, "name"),
]


def row_counts(world: World) -> dict[str, int]:
    with world.sb.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"), CASES, ids=[f"{c[0]} {c[1].removeprefix(WS)} {c[4]}" for c in CASES]
)
def test_bad_input_names_the_field_and_writes_nothing(
    starbase: Starbase, method: str, path: str, body: object, status: int, field: str
) -> None:
    world = build_world(starbase)
    before = row_counts(world)
    response = world.call("owner", method, path, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert row_counts(world) == before


def test_an_oversized_body_is_413(starbase: Starbase) -> None:
    world = build_world(starbase)
    response = world.client.patch(
        f"{APP}/env",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**world.as_("owner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_body_that_is_not_json_is_400(starbase: Starbase) -> None:
    world = build_world(starbase)
    response = world.client.post(
        f"{WS}/apps", content=b"{name: web", headers={**world.as_("owner"), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "the request body is not valid JSON",
        "field": "body",
    }
