"""The Starbase side of the Shuttle protocol: ETag/304, generation monotonicity, reports, heartbeat
leases (with an injected clock) and auto-rollback after three failed rollouts."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from starbase.models import Event
from starbase.services import clusters
from tests.fakes import FakeClock
from tests.unit.world import World

WS = "/api/v1/workspaces/acme"


def state_url(world: World) -> str:
    return f"/api/v1/clusters/{world.cluster_id}/desired-state"


def report(world: World, clock: FakeClock, **workload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cluster_id": world.cluster_id,
        "generation": 1,
        "agent_version": "test",
        "observed_at": clock.now().isoformat(),
        "workloads": [],
    }
    if workload:
        body["workloads"] = [{"workspace": "acme", "app": "web", "environment": "production", **workload}]
    response = world.call("cluster", "POST", f"/api/v1/clusters/{world.cluster_id}/reports", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def release_id(world: World, version: str) -> str:
    releases = world.call("owner", "GET", f"{WS}/apps/web/releases").json()
    return next(r["id"] for r in releases if r["version"] == version)


def test_etag_and_304(world: World) -> None:
    world.deploy(1)
    first = world.call("cluster", "GET", state_url(world))
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    same = world.client.get(state_url(world), headers={**world.as_("cluster"), "If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["ETag"] == etag
    world.call("member", "POST", f"{WS}/apps/web/scale", json={"replicas": 2})
    changed = world.client.get(state_url(world), headers={**world.as_("cluster"), "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json()["generation"] > first.json()["generation"]


def test_generation_grows_with_every_change_and_never_otherwise(world: World) -> None:
    def generation() -> int:
        return int(world.call("cluster", "GET", state_url(world)).json()["generation"])

    seen = [generation()]
    steps = [
        lambda: world.deploy(1),
        lambda: world.call("owner", "PATCH", f"{WS}/apps/web/env", json={"set": {"X": "1"}}),
        lambda: world.call("owner", "PATCH", f"{WS}/vargroups/shared/vars", json={"set": {"Y": "1"}}),
        lambda: world.call("owner", "DELETE", f"{WS}/vargroups/shared/apps/web"),
        lambda: world.call("owner", "POST", f"{WS}/apps/web/scale", json={"replicas": 2}),
        lambda: world.call("owner", "POST", f"{WS}/apps/web/rollback", json={}),
        lambda: world.call("owner", "DELETE", f"{WS}/apps/web"),
    ]
    for step in steps:
        step()
        world.call("owner", "GET", f"{WS}/apps")  # reads change nothing
        seen.append(generation())
    assert all(b > a for a, b in itertools.pairwise(seen)), seen
    assert generation() == seen[-1]


def test_a_revoked_token_stops_working(world: World) -> None:
    made = world.call("member", "POST", f"{WS}/tokens", json={"name": "ci", "role": "member"}).json()
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert world.client.get(f"{WS}/apps", headers=headers).status_code == 200
    listed = world.call("admin", "GET", f"{WS}/tokens").json()
    assert all("token" not in t for t in listed)
    assert world.call("member", "DELETE", f"{WS}/tokens/{made['id']}").json()["revoked_at"]
    assert world.client.get(f"{WS}/apps", headers=headers).status_code == 401


def test_removing_a_member_kills_their_tokens(world: World) -> None:
    assert world.call("viewer", "GET", f"{WS}/apps").status_code == 200
    world.call("owner", "DELETE", f"{WS}/members/viewer-user")
    assert world.call("viewer", "GET", f"{WS}/apps").status_code == 401


def test_reports_become_the_status_users_see(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.deploy(1)
    assert world.call("viewer", "GET", f"{WS}/apps/web").json()["status"] == "deploying"
    report(
        world,
        clock,
        release="v3",
        release_id=release_id(world, "v3"),
        phase="running",
        ready_replicas=1,
        desired_replicas=1,
    )
    app = world.call("viewer", "GET", f"{WS}/apps/web").json()
    assert (app["status"], app["ready_replicas"], app["release"]) == ("running", 1, "v3")
    status = world.call("viewer", "GET", f"{WS}/apps/web/status").json()
    assert status["observed_release"] == "v3" and status["cluster"] == "shared-1"
    assert world.call("viewer", "GET", f"{WS}/apps/web/releases").json()[0]["healthy"] is True


def test_three_failed_rollouts_roll_back_to_the_last_healthy_release(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.deploy(1)  # v3
    report(
        world,
        clock,
        release="v3",
        release_id=release_id(world, "v3"),
        phase="running",
        ready_replicas=1,
        desired_replicas=1,
    )
    world.deploy(2)  # v4, which will never become healthy
    bad = {
        "release": "v4",
        "release_id": release_id(world, "v4"),
        "phase": "crash_looping",
        "ready_replicas": 0,
        "desired_replicas": 1,
        "crash_looping": True,
        "last_exit_reason": "exit code 1: ImportError",
    }

    def current() -> str:
        return world.call("viewer", "GET", f"{WS}/apps/web").json()["release"]

    report(world, clock, **bad, failed_rollouts=1, failure="application")
    report(world, clock, **bad, failed_rollouts=2, failure="application")
    report(world, clock, **bad, failed_rollouts=5, failure="infrastructure")  # the platform's fault: not counted
    assert current() == "v4"
    report(world, clock, **bad, failed_rollouts=3, failure="application")
    assert current() == "v5"
    newest = world.call("viewer", "GET", f"{WS}/apps/web/releases").json()[0]
    assert newest["rollback_of"] == "v3"
    assert "v4 failed 3 consecutive rollouts" in newest["description"]
    assert "ImportError" in newest["description"]
    report(world, clock, **bad, failed_rollouts=4, failure="application")  # v4 is no longer current
    assert current() == "v5"
    events = world.call("viewer", "GET", f"{WS}/events?app=web").json()
    rolled = [e for e in events if e["type"] == "release.rolled_back"]
    assert len(rolled) == 1
    assert rolled[0]["previous_state"] == "v4" and rolled[0]["new_state"] == "v5"
    assert rolled[0]["reason"] == "failed_rollouts" and rolled[0]["actor"] == "auto-rollback"


def test_no_rollback_without_an_earlier_healthy_release(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.deploy(1)
    report(
        world,
        clock,
        release="v3",
        release_id=release_id(world, "v3"),
        phase="failed",
        ready_replicas=0,
        desired_replicas=1,
        failed_rollouts=3,
        failure="application",
    )
    assert world.call("viewer", "GET", f"{WS}/apps/web").json()["release"] == "v3"
    types = [e["type"] for e in world.call("viewer", "GET", f"{WS}/events?app=web").json()]
    assert "release.rollback_skipped" in types


def test_heartbeat_lease_goes_suspect_then_offline_then_ready(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    sb = world.sb

    def lease() -> str:
        return next(c["lease_state"] for c in world.call("owner", "GET", "/api/v1/clusters").json())

    assert lease() == "pending"
    report(world, clock)
    assert lease() == "ready"
    clock.advance(59)
    assert clusters.sweep_leases(uow=sb.uow, clock=clock) == []
    clock.advance(2)
    assert clusters.sweep_leases(uow=sb.uow, clock=clock) == [("shared-1", "suspect")]
    clock.advance(118)
    assert clusters.sweep_leases(uow=sb.uow, clock=clock) == []
    clock.advance(1)
    assert clusters.sweep_leases(uow=sb.uow, clock=clock) == [("shared-1", "offline")]
    assert lease() == "offline"
    report(world, clock)
    assert lease() == "ready"
    with sb.uow as uow:
        changes = uow.session.exec(
            select(Event).where(Event.type == "cluster.lease_changed").order_by(col(Event.created_at))
        ).all()
        assert [(e.previous_state, e.new_state) for e in changes] == [
            ("pending", "ready"),
            ("ready", "suspect"),
            ("suspect", "offline"),
            ("offline", "ready"),
        ]


def test_reported_cpu_and_memory_land_in_the_metrics_store(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.deploy(1)
    for cpu, memory in ((120.0, 64.0), (80.0, 66.0)):
        report(
            world,
            clock,
            release="v3",
            release_id=release_id(world, "v3"),
            phase="running",
            ready_replicas=1,
            desired_replicas=1,
            cpu_millis=cpu,
            memory_mb=memory,
        )
        clock.advance(10)
    labels = {"workspace": "acme", "app": "web", "environment": "production", "cluster": "shared-1"}
    start = clock.now() - timedelta(minutes=5)
    cpu_series = world.sb.metrics.range("app_cpu_millis", labels=labels, start=start, end=clock.now(), step_s=60)
    assert [value for _, value in cpu_series] == [100.0]  # both samples fall in one minute: their average
    memory = world.sb.metrics.range("app_memory_mb", labels=labels, start=start, end=clock.now(), step_s=5)
    assert [value for _, value in memory] == [64.0, 66.0]
