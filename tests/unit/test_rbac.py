"""Roles decide what each caller may do (each role x each mutating endpoint), and another workspace's
resources answer 404 on every resource type."""

from __future__ import annotations

import pytest

from starbase.bootstrap import Starbase
from tests.unit.world import ROLES, build_world

WS = "/api/v1/workspaces/acme"
RANK = {"viewer": 1, "member": 2, "admin": 3, "owner": 4}

# (method, path, json body, the weakest role allowed)
MUTATIONS = [
    ("POST", f"{WS}/apps", {"name": "api", "repo_url": "https://git.example/api.git"}, "member"),
    ("PATCH", f"{WS}/apps/web", {"branch": "develop"}, "member"),
    ("DELETE", f"{WS}/apps/web", None, "admin"),
    ("PATCH", f"{WS}/apps/web/env", {"set": {"NEW_VAR": "1"}}, "member"),
    ("POST", f"{WS}/apps/web/rollback", {}, "member"),
    ("POST", f"{WS}/apps/web/scale", {"replicas": 2}, "member"),
    ("POST", f"{WS}/vargroups", {"name": "second"}, "member"),
    ("PATCH", f"{WS}/vargroups/shared/vars", {"set": {"OTHER": "1"}}, "member"),
    ("DELETE", f"{WS}/vargroups/shared/apps/web", None, "member"),
    ("PUT", f"{WS}/vargroups/shared/apps/web", None, "member"),
    ("DELETE", f"{WS}/vargroups/shared", None, "admin"),
    ("POST", f"{WS}/members", {"login": "newcomer", "role": "viewer"}, "admin"),
    ("PATCH", f"{WS}/members/viewer-user", {"role": "member"}, "admin"),
    ("DELETE", f"{WS}/members/viewer-user", None, "admin"),
    ("POST", f"{WS}/tokens", {"name": "ci", "role": "viewer"}, "viewer"),
    ("POST", f"{WS}/clusters", {"name": "private-1", "region": "eu"}, "admin"),
]
SENSITIVE_READS = [
    ("GET", f"{WS}/apps/web/env?reveal=true", None, "admin"),
    ("GET", f"{WS}/audit", None, "admin"),
    ("GET", f"{WS}/tokens", None, "admin"),
]
READS = [
    f"{WS}/apps",
    f"{WS}/apps/web",
    f"{WS}/apps/web/status",
    f"{WS}/apps/web/env",
    f"{WS}/apps/web/releases",
    f"{WS}/vargroups",
    f"{WS}/vargroups/shared",
    f"{WS}/members",
    f"{WS}/events",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "weakest"),
    MUTATIONS + SENSITIVE_READS,
    ids=[f"{m} {p.removeprefix(WS)}" for m, p, _, _ in MUTATIONS + SENSITIVE_READS],
)
def test_role_matrix(starbase: Starbase, role: str, method: str, path: str, body: object, weakest: str) -> None:
    world = build_world(starbase)
    response = world.call(role, method, path, json=body)
    if RANK[role] >= RANK[weakest]:
        assert response.status_code < 300 or response.status_code == 409, (role, response.text)
    else:
        assert response.status_code == 403, (role, response.text)
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", READS)
def test_every_role_reads(starbase: Starbase, path: str) -> None:
    world = build_world(starbase)
    for role in ROLES:
        assert world.call(role, "GET", path).status_code == 200, (role, path)


def test_viewer_changes_nothing(starbase: Starbase) -> None:
    world = build_world(starbase)
    before = world.call("owner", "GET", f"{WS}/apps/web/releases").json()
    for method, path, body, _ in MUTATIONS:
        if path.endswith("/tokens"):
            continue
        world.call("viewer", method, path, json=body)
    assert world.call("owner", "GET", f"{WS}/apps/web/releases").json() == before


def test_a_token_cannot_be_stronger_than_its_creator(starbase: Starbase) -> None:
    world = build_world(starbase)
    response = world.call("member", "POST", f"{WS}/tokens", json={"name": "x", "role": "admin"})
    assert response.status_code == 403


def test_owner_role_only_granted_by_owners_and_last_owner_stays(starbase: Starbase) -> None:
    world = build_world(starbase)
    assert world.call("admin", "PATCH", f"{WS}/members/member-user", json={"role": "owner"}).status_code == 403
    demote = world.call("owner", "PATCH", f"{WS}/members/owner-user", json={"role": "admin"})
    assert demote.status_code == 409
    assert demote.json()["error"]["field"] == "role"


@pytest.mark.parametrize("path", [*READS, f"{WS}/audit", f"{WS}/tokens", f"{WS}/apps/nope", f"{WS}/vargroups/nope"])
def test_another_workspace_is_not_found(starbase: Starbase, path: str) -> None:
    world = build_world(starbase)
    response = world.call("outsider", "GET", path)
    assert response.status_code == 404
    missing = world.call("outsider", "GET", path.replace("/acme", "/no-such-workspace"))
    assert missing.status_code == 404
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "body", "weakest"), MUTATIONS, ids=[f"{m} {p.removeprefix(WS)}" for m, p, _, _ in MUTATIONS]
)
def test_another_workspace_cannot_change_anything(
    starbase: Starbase, method: str, path: str, body: object, weakest: str
) -> None:
    world = build_world(starbase)
    assert world.call("outsider", method, path, json=body).status_code == 404


def test_cluster_tokens_reach_only_their_own_cluster(starbase: Starbase) -> None:
    world = build_world(starbase)
    assert world.call("cluster", "GET", f"{WS}/apps").status_code == 404
    other = world.call("owner", "POST", f"{WS}/clusters", json={"name": "private-1", "region": "eu"}).json()
    assert world.call("cluster", "GET", f"/api/v1/clusters/{other['id']}/desired-state").status_code == 404
    assert world.call("owner", "GET", f"/api/v1/clusters/{world.cluster_id}/desired-state").status_code == 404
    report = {
        "cluster_id": other["id"],
        "generation": 0,
        "observed_at": "2026-01-01T00:00:00Z",
        "agent_version": "t",
        "workloads": [],
    }
    assert world.call("cluster", "POST", f"/api/v1/clusters/{other['id']}/reports", json=report).status_code == 404


def test_private_clusters_are_invisible_to_other_workspaces(starbase: Starbase) -> None:
    world = build_world(starbase)
    world.call("owner", "POST", f"{WS}/clusters", json={"name": "private-1", "region": "eu"})
    mine = {c["name"] for c in world.call("viewer", "GET", "/api/v1/clusters").json()}
    theirs = {c["name"] for c in world.call("outsider", "GET", "/api/v1/clusters").json()}
    assert mine == {"shared-1", "private-1"}
    assert theirs == {"shared-1"}
    assert world.call("outsider", "POST", "/api/v1/clusters/private-1/cordon").status_code == 404
    assert world.call("owner", "POST", "/api/v1/clusters/shared-1/cordon").status_code == 403


def test_no_credentials_is_401(starbase: Starbase) -> None:
    world = build_world(starbase, with_app=False)
    response = world.client.get(f"{WS}/apps")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert world.client.get(f"{WS}/apps", headers={"Authorization": "Basic abc"}).status_code == 401
    assert world.client.get(f"{WS}/apps", headers={"Authorization": "Bearer sf_api_nope"}).status_code == 401
