"""Logs: Shuttle ships its apps' output (only for apps placed on its own cluster); users read an app's
lines through the tenant filter, as a window (``since``, ``search``) or as a tail (``after`` a cursor)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import col, select

from starbase.contracts import LogLine
from starbase.errors import Invalid, NotFound
from starbase.models import App, Environment, Role, Workspace
from starbase.ports import Clock, LogQuery, LogStore, StoredLogLine, UnitOfWork
from starbase.services.access import Principal
from starbase.services.lookup import app_for

DURATION = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
MAX_LINES = 5000


def ingest_logs(*, uow: UnitOfWork, logs: LogStore, principal: Principal, lines: Sequence[LogLine]) -> dict[str, int]:
    """Keep the lines of apps placed on the caller's cluster; count (and drop) any others."""
    if principal.kind != "cluster" or principal.cluster_id is None:
        raise NotFound("not found")
    with uow:
        placed = {
            (ws, app)
            for ws, app in uow.session.exec(
                select(Workspace.name, App.name)
                .join(App, col(App.workspace_id) == Workspace.id)
                .join(Environment, col(Environment.app_id) == App.id)
                .where(Environment.cluster_id == principal.cluster_id)
            ).all()
        }
    kept = [line for line in lines if (line.workspace, line.app) in placed]
    logs.append(kept)
    return {"accepted": len(kept), "rejected": len(lines) - len(kept)}


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """``10m``, ``2h``, ``30s``, ``1d`` ago, or an ISO 8601 time."""
    if not value:
        return None
    match = DURATION.match(value.strip())
    if match:
        return now - timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as e:
        raise Invalid(f"{value!r} is not a duration (10m, 2h) or an ISO 8601 time", field="since") from e
    if parsed.tzinfo is None:
        raise Invalid("give a time zone, e.g. 2026-01-01T10:00:00Z", field="since")
    return parsed


def read_logs(
    *,
    uow: UnitOfWork,
    logs: LogStore,
    clock: Clock,
    principal: Principal,
    workspace: str,
    app: str,
    since: str | None = None,
    search: str | None = None,
    after: int | None = None,
    limit: int = 500,
) -> list[StoredLogLine]:
    if not 1 <= limit <= MAX_LINES:
        raise Invalid(f"must be from 1 to {MAX_LINES}", field="limit")
    if search is not None and len(search) > 256:
        raise Invalid("at most 256 characters", field="search")
    with uow:
        app_for(uow.session, principal, workspace, app, Role.VIEWER)
    return logs.query(
        LogQuery(
            workspace=workspace, app=app, since=parse_since(since, clock.now()), search=search, after=after, limit=limit
        )
    )
