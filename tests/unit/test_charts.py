"""Mission Control's chart functions, without Reflex: the aggregates behind each chart and the figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from starbase.services.dto import AppPublic, ClusterPublic
from starbase.services.overview import BuildPoint, Overview, UsagePoint
from stardeck import charts
from stardeck.pages.mission_control import clip, figures

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def app(name: str, status: str, cluster: str | None) -> AppPublic:
    return AppPublic(
        id=uuid.uuid4(), name=name, workspace="acme", repo_url="https://git.example/x.git", branch="main",
        url=f"http://{name}", status=status, release="v1", replicas=1, ready_replicas=1, cluster=cluster,
        root_dir=".", build_command=None, start_command=None, health_path="/", created_at=NOW, last_deployed_at=None,
    )  # fmt: skip


def cluster(name: str, lease: str) -> ClusterPublic:
    return ClusterPublic(
        id=uuid.uuid4(), name=name, region="eu", kind="local", shared=True, cordoned=False, lease_state=lease,
        generation=1, last_heartbeat_at=NOW, workloads=0,
    )  # fmt: skip


def build(day: int, state: str, duration: float | None, hour: int = 10) -> BuildPoint:
    return BuildPoint("acme", "web", state, datetime(2026, 11, day, hour, tzinfo=UTC), duration)


@pytest.fixture
def ov() -> Overview:
    return Overview(
        since=NOW - timedelta(days=30),
        until=NOW,
        apps=[app("web", "running", "eu-1"), app("api", "crash_looping", "eu-1"), app("new", "unplaced", None)],
        builds=[
            build(20, "succeeded", 10.0),
            build(20, "failed", 2.0),
            build(21, "succeeded", 30.0),
            *[build(21, "succeeded", float(s)) for s in range(1, 20)],
            build(22, "running", None, hour=11),
        ],
        clusters=[cluster("eu-1", "ready"), cluster("eu-2", "offline"), cluster("us-1", "ready")],
        events=[],
        usage=[UsagePoint("acme", "web", "app_cpu_millis", NOW - timedelta(hours=h), 100.0 + h) for h in (1, 2, 50)]
        + [UsagePoint("acme", "web", "app_memory_mb", NOW - timedelta(hours=1), 64.0)],
    )


def test_percentile_is_nearest_rank() -> None:
    assert charts.percentile([5.0], 95) == 5.0
    assert charts.percentile([float(n) for n in range(1, 101)], 50) == 50.0
    assert charts.percentile([float(n) for n in range(1, 101)], 95) == 95.0
    assert charts.percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_aggregates(ov: Overview) -> None:
    status = charts.apps_by_status(ov)
    assert status["eu-1"] == {"running": 1, "crash_looping": 1} and status["(none)"] == {"unplaced": 1}
    per_day = charts.deploys_per_day(ov)
    assert list(per_day) == [datetime(2026, 11, 20).date(), datetime(2026, 11, 21).date()]  # running: no outcome
    assert per_day[datetime(2026, 11, 20).date()] == {"succeeded": 1, "failed": 1}
    assert per_day[datetime(2026, 11, 21).date()] == {"succeeded": 20}
    durations = charts.build_durations(ov)
    assert durations[datetime(2026, 11, 20).date()] == (2.0, 10.0)
    assert durations[datetime(2026, 11, 21).date()] == (10.0, 19.0)
    assert charts.lease_states(ov) == {"ready": 2, "offline": 1}


def test_figures_carry_the_aggregates(ov: Overview) -> None:
    fig = charts.status_figure(ov)
    assert {t.name: list(t.y) for t in fig.data} == {
        "crash_looping": [0, 1],
        "running": [0, 1],
        "unplaced": [1, 0],
    }
    assert [t.name for t in charts.deploys_figure(ov).data] == ["succeeded", "failed"]
    assert [list(t.y) for t in charts.durations_figure(ov).data] == [[2.0, 10.0], [10.0, 19.0]]
    cpu = charts.usage_figure(ov, "app_cpu_millis")
    assert [(t.name, len(t.x)) for t in cpu.data] == [("acme/web", 3)]
    assert charts.usage_figure(ov, "app_memory_mb").layout.title.text == "Memory per app"
    assert charts.leases_figure(ov, dark=True).layout.template.layout.paper_bgcolor is not None


def test_empty_charts_say_so() -> None:
    empty = Overview(since=NOW, until=NOW, apps=[], builds=[], clusters=[], events=[], usage=[])
    for fig in (
        charts.status_figure(empty),
        charts.deploys_figure(empty),
        charts.usage_figure(empty, "app_cpu_millis"),
    ):
        assert fig.layout.annotations and fig.layout.annotations[0].text.startswith("no ")


def test_each_chart_has_its_own_range(ov: Overview) -> None:
    hours_ago = lambda clipped: sorted((NOW - u.ts) // timedelta(hours=1) for u in clipped.usage)  # noqa: E731
    assert hours_ago(clip(ov, 24 * 30)) == [1, 1, 2, 50]
    assert hours_ago(clip(ov, 24)) == [1, 1, 2]
    assert hours_ago(clip(ov, 1)) == [1, 1]  # the range includes its start
    assert [b.state for b in clip(ov, 2).builds] == ["running"]
    figs = figures(ov, {"cpu": "24h", "deploys": "30d"})
    assert sum(len(t.x) for t in figs["cpu"].data) == 2
    assert sum(sum(t.y) for t in figs["deploys"].data) == 22
