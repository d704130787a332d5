"""Mission Control's data: everything a user can see across all their workspaces in one read — apps with
their observed status and cluster, builds in the time range (outcome and duration), clusters and their
leases, the latest events, and CPU/memory per app from the MetricsStore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from starbase.models import App, Build, Role
from starbase.ports import Clock, MetricsStore, UnitOfWork
from starbase.services import validate
from starbase.services.access import Principal
from starbase.services.apps import list_apps
from starbase.services.clusters import list_clusters
from starbase.services.dto import AppPublic, ClusterPublic, EventPublic
from starbase.services.events import list_events
from starbase.services.lookup import DEFAULT_ENVIRONMENT, workspace_for
from starbase.services.workspaces import list_workspaces

MAX_HOURS = 24 * 90
POINTS = 120  # samples per usage series, whatever the range


@dataclass(frozen=True)
class BuildPoint:
    workspace: str
    app: str
    state: str
    created_at: datetime
    duration_s: float | None


@dataclass(frozen=True)
class UsagePoint:
    workspace: str
    app: str
    metric: str  # app_cpu_millis | app_memory_mb
    ts: datetime
    value: float


@dataclass(frozen=True)
class Overview:
    since: datetime
    until: datetime
    apps: list[AppPublic]
    builds: list[BuildPoint]
    clusters: list[ClusterPublic]
    events: list[tuple[str, EventPublic]]  # (workspace, event), newest first
    usage: list[UsagePoint]


def mission_control(
    *,
    uow: UnitOfWork,
    metrics: MetricsStore,
    clock: Clock,
    principal: Principal,
    hours: int,
    apps_domain: str,
    apps_port: int | None = None,
    events_limit: int = 20,
) -> Overview:
    validate.within(hours, low=1, high=MAX_HOURS, field="hours")
    until = clock.now()
    since = until - timedelta(hours=hours)
    names = [w.name for w in list_workspaces(uow=uow, principal=principal)]
    apps: list[AppPublic] = []
    builds: list[BuildPoint] = []
    events: list[tuple[str, EventPublic]] = []
    for ws in names:
        apps += list_apps(uow=uow, principal=principal, workspace=ws, apps_domain=apps_domain, apps_port=apps_port)
        builds += _builds(uow, principal, ws, since)
        events += [(ws, e) for e in list_events(uow=uow, principal=principal, workspace=ws, limit=events_limit)]
    events.sort(key=lambda pair: pair[1].created_at, reverse=True)
    step = max(1, hours * 3600 // POINTS)
    usage = [
        UsagePoint(a.workspace, a.name, metric, ts, value)
        for a in apps
        if a.cluster
        for metric in ("app_cpu_millis", "app_memory_mb")
        for ts, value in metrics.range(
            metric,
            labels={"workspace": a.workspace, "app": a.name, "environment": DEFAULT_ENVIRONMENT, "cluster": a.cluster},
            start=since,
            end=until,
            step_s=step,
        )
    ]
    return Overview(
        since=since,
        until=until,
        apps=apps,
        builds=builds,
        clusters=list_clusters(uow=uow, principal=principal),
        events=events[:events_limit],
        usage=usage,
    )


def _builds(uow: UnitOfWork, principal: Principal, workspace: str, since: datetime) -> list[BuildPoint]:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        rows = uow.session.exec(
            select(Build, App.name)
            .join(App, col(App.id) == Build.app_id)
            .where(App.workspace_id == ws.id, Build.created_at >= since)
            .order_by(col(Build.created_at))
        ).all()
        return [
            BuildPoint(
                workspace=workspace,
                app=name,
                state=str(build.state),
                created_at=build.created_at,
                duration_s=(build.finished_at - build.started_at).total_seconds()
                if build.finished_at and build.started_at
                else None,
            )
            for build, name in rows
        ]
