"""Logs: Shuttle ships NDJSON for apps on its own cluster only; users read windows and tails of their apps."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.fakes import FakeClock
from tests.unit.world import World

WS = "/api/v1/workspaces/acme"


def ship(world: World, lines: list[dict[str, object]], who: str = "cluster"):  # type: ignore[no-untyped-def]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    return world.client.post("/api/v1/logs/ingest", content=body, headers=world.as_(who))


def line(clock: FakeClock, text: str, **extra: object) -> dict[str, object]:
    return {"ts": clock.now().isoformat(), "workspace": "acme", "app": "web", "stream": "stdout", "line": text, **extra}


def test_ingested_lines_are_read_back_oldest_first(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    accepted = ship(world, [line(clock, f"request {i}", replica="web-1") for i in range(5)])
    assert accepted.status_code == 202 and accepted.json() == {"accepted": 5, "rejected": 0}
    read = world.call("viewer", "GET", f"{WS}/apps/web/logs").json()
    assert [r["line"] for r in read] == [f"request {i}" for i in range(5)]
    tail = world.call("viewer", "GET", f"{WS}/apps/web/logs?after={read[2]['cursor']}").json()
    assert [r["line"] for r in tail] == ["request 3", "request 4"]
    assert world.call("viewer", "GET", f"{WS}/apps/web/logs?after={read[-1]['cursor']}").json() == []


def test_search_and_since_narrow_the_window(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    ship(world, [line(clock, "old error 50%_done")])
    clock.advance(3600)
    ship(world, [line(clock, "new error"), line(clock, "fine")])
    assert [r["line"] for r in world.call("viewer", "GET", f"{WS}/apps/web/logs?search=error").json()] == [
        "old error 50%_done",
        "new error",
    ]
    assert [r["line"] for r in world.call("viewer", "GET", f"{WS}/apps/web/logs?search=50%25_").json()] == [
        "old error 50%_done"
    ]
    recent = world.call("viewer", "GET", f"{WS}/apps/web/logs?since=10m").json()
    assert [r["line"] for r in recent] == ["new error", "fine"]
    since = (clock.now() - timedelta(hours=2)).isoformat()
    assert len(world.call("viewer", "GET", f"{WS}/apps/web/logs", params={"since": since}).json()) == 3
    bad = world.call("viewer", "GET", f"{WS}/apps/web/logs?since=yesterday")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "since"


def test_a_cluster_cannot_write_logs_for_apps_placed_elsewhere(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    other = world.call("owner", "POST", f"{WS}/clusters", json={"name": "private-1", "region": "eu"}).json()
    world.tokens["other-cluster"] = other["token"]
    result = ship(world, [line(clock, "forged"), {**line(clock, "x"), "workspace": "other"}], who="other-cluster")
    assert result.json() == {"accepted": 0, "rejected": 2}
    assert world.call("viewer", "GET", f"{WS}/apps/web/logs").json() == []
    assert ship(world, [line(clock, "x")], who="owner").status_code == 404  # users cannot ingest


def test_bad_lines_name_the_line_and_nothing_is_kept(world: World) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    response = ship(world, [line(clock, "good"), {"ts": "not a time", "workspace": "acme"}])
    assert response.status_code == 422
    assert response.json()["error"]["field"].startswith("lines[2].")
    assert world.call("viewer", "GET", f"{WS}/apps/web/logs").json() == []


def test_other_workspaces_cannot_read_logs(world: World) -> None:
    assert world.call("outsider", "GET", f"{WS}/apps/web/logs").status_code == 404
