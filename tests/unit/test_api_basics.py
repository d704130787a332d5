"""The control plane through its HTTP API: apps, variables, releases, rollback, scale, desired state."""

from __future__ import annotations

from tests.unit.world import GROUP_SECRET, SECRET, World

APPS = "/api/v1/workspaces/acme/apps"


def test_a_new_app_is_placed_and_listed_with_its_url(world: World) -> None:
    app = world.call("viewer", "GET", f"{APPS}/web").json()
    assert app["url"] == "http://web-acme.localhost"
    assert app["cluster"] == "shared-1"
    assert app["status"] == "new"
    assert [a["name"] for a in world.call("viewer", "GET", APPS).json()] == ["web"]


def test_variable_changes_cut_releases_that_say_what_changed(world: World) -> None:
    changed = world.call(
        "member",
        "PATCH",
        "/api/v1/workspaces/acme/vargroups/shared/vars",
        json={"set": {"GROUP_KEY": "2"}, "unset": []},
    )
    assert [(r["app"], r["version"]) for r in changed.json()["releases"]] == [("web", "v3")]
    listed = world.call("viewer", "GET", f"{APPS}/web/releases").json()
    assert [r["version"] for r in listed] == ["v3", "v2", "v1"]
    assert listed[2]["description"] == "Set API_KEY"
    assert listed[1]["description"] == "Attach var group shared"
    assert listed[0]["description"] == "Set GROUP_KEY (var group shared)"
    assert listed[0]["changes"] == [{"action": "set", "name": "GROUP_KEY"}]
    assert [r["current"] for r in listed] == [True, False, False]


def test_app_values_override_group_values_and_are_masked(world: World) -> None:
    world.call("owner", "PATCH", "/api/v1/workspaces/acme/vargroups/shared/vars", json={"set": {"API_KEY": "group"}})
    masked = world.call("member", "GET", f"{APPS}/web/env").json()
    assert {(v["name"], v["source"], v["overridden"]) for v in masked} == {
        ("API_KEY", "app", False),
        ("API_KEY", "shared", True),
        ("GROUP_KEY", "shared", False),
    }
    assert all(v["value"] == "••••••" for v in masked)
    revealed = {
        (v["name"], v["source"]): v["value"] for v in world.call("admin", "GET", f"{APPS}/web/env?reveal=true").json()
    }
    assert revealed[("API_KEY", "app")] == SECRET
    assert revealed[("GROUP_KEY", "shared")] == GROUP_SECRET
    assert world.call("member", "GET", f"{APPS}/web/env?reveal=true").status_code == 403


def test_desired_state_carries_resolved_variables_of_deployed_releases(world: World) -> None:
    url = f"/api/v1/clusters/{world.cluster_id}/desired-state"
    empty = world.call("cluster", "GET", url).json()
    assert empty["workloads"] == []  # nothing built yet
    world.deploy(1)
    state = world.call("cluster", "GET", url).json()
    [workload] = state["workloads"]
    assert workload["app"] == "web" and workload["release"] == "v3"
    assert workload["env"] == {"API_KEY": SECRET, "GROUP_KEY": GROUP_SECRET}
    assert workload["hostnames"] == ["web-acme.localhost"]
    world.call("owner", "PATCH", f"{APPS}/web/env", json={"set": {"API_KEY": "rotated"}})
    assert world.call("cluster", "GET", url).json()["workloads"][0]["env"]["API_KEY"] == "rotated"


def test_rollback_reuses_an_earlier_artifact_and_config(world: World) -> None:
    world.deploy(1)  # v3
    world.call("owner", "PATCH", f"{APPS}/web/env", json={"set": {"API_KEY": "new"}})  # v4
    world.deploy(2)  # v5
    back = world.call("member", "POST", f"{APPS}/web/rollback", json={"to": "v3"})
    assert back.status_code == 201, back.text
    assert back.json()["version"] == "v6"
    assert back.json()["rollback_of"] == "v3"
    state = world.call("cluster", "GET", f"/api/v1/clusters/{world.cluster_id}/desired-state").json()
    assert state["workloads"][0]["env"]["API_KEY"] == SECRET
    assert state["workloads"][0]["artifact"]["ref"] == "slugs/web-1.tar.gz"
    default = world.call("member", "POST", f"{APPS}/web/rollback", json={}).json()
    assert default["rollback_of"] == "v5"


def test_scale_is_part_of_the_release(world: World) -> None:
    world.deploy(1)
    scaled = world.call("member", "POST", f"{APPS}/web/scale", json={"replicas": 3, "memory_mb": 1024})
    assert scaled.status_code == 201
    assert scaled.json()["description"] == "Scale: replicas=3, memory_mb=1024"
    workload = world.call("cluster", "GET", f"/api/v1/clusters/{world.cluster_id}/desired-state").json()["workloads"][0]
    assert workload["replicas"] == 3
    assert workload["resources"] == {"cpu_millis": 500, "memory_mb": 1024}
    assert world.call("viewer", "GET", f"{APPS}/web").json()["replicas"] == 3


def test_deleting_an_app_removes_it_from_desired_state(world: World) -> None:
    world.deploy(1)
    url = f"/api/v1/clusters/{world.cluster_id}/desired-state"
    before = world.call("cluster", "GET", url).json()
    assert world.call("admin", "DELETE", f"{APPS}/web").status_code == 204
    after = world.call("cluster", "GET", url).json()
    assert after["workloads"] == [] and after["generation"] > before["generation"]
    assert world.call("viewer", "GET", f"{APPS}/web").status_code == 404


def test_openapi_lists_every_api_route(world: World) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    from starbase.http import routes_apps, routes_clusters, routes_workspaces

    modules = (routes_workspaces, routes_apps, routes_clusters)
    routes = {"/api/v1" + r.path for m in modules for r in m.router.routes}  # type: ignore[attr-defined]
    assert len(routes) >= 25
    assert routes <= set(paths)
    assert "/api/v1/clusters/{cluster_id}/desired-state" in paths


def test_an_app_start_command_runs_in_a_shell_so_port_expands(world: World) -> None:
    world.call("owner", "PATCH", f"{APPS}/web", json={"start_command": "python -m http.server $PORT"})
    world.deploy(1)
    world.call("owner", "PATCH", f"{APPS}/web/env", json={"set": {"X": "1"}})
    workload = world.call("cluster", "GET", f"/api/v1/clusters/{world.cluster_id}/desired-state").json()["workloads"][0]
    assert workload["command"] == ["bash", "-c", "python -m http.server $PORT"]
