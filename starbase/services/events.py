"""Structured events (every state change) and the audit log (who did what), written inside the caller's
transaction so a change and its record commit or roll back together."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlmodel import Session, col, select

from starbase.errors import NotFound
from starbase.models import App, AuditEntry, Event, Role, Severity, Workspace
from starbase.ports import Clock
from starbase.services.access import Principal, require
from starbase.services.dto import AuditPublic, EventPublic
from starbase.services.lookup import workspace_for

log = logging.getLogger(__name__)


def record_event(
    session: Session,
    clock: Clock,
    *,
    type: str,
    category: str,
    resource_kind: str,
    message: str,
    workspace_id: uuid.UUID | None = None,
    resource_id: uuid.UUID | None = None,
    resource_name: str | None = None,
    previous_state: str | None = None,
    new_state: str | None = None,
    reason: str | None = None,
    severity: Severity = Severity.INFO,
    principal: Principal | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event(
        workspace_id=workspace_id,
        type=type,
        category=category,
        severity=severity,
        resource_kind=resource_kind,
        resource_id=resource_id,
        resource_name=resource_name,
        previous_state=previous_state,
        new_state=new_state,
        reason=reason,
        message=message[:4096],
        correlation_id=principal.correlation_id if principal else None,
        actor=principal.name if principal else None,
        data=data or {},
        created_at=clock.now(),
    )
    session.add(event)
    log.info(
        message,
        extra={
            "event": type,
            "workspace_id": str(workspace_id) if workspace_id else None,
            "resource": f"{resource_kind}/{resource_name or resource_id}",
            "new_state": new_state,
            "correlation_id": event.correlation_id,
        },
    )
    return event


def record_audit(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    action: str,
    resource_kind: str,
    workspace_id: uuid.UUID | None = None,
    resource_id: uuid.UUID | None = None,
    resource_name: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """``data`` must never hold secret values: callers pass names, not values."""
    session.add(
        AuditEntry(
            workspace_id=workspace_id,
            actor=principal.name,
            action=action,
            resource_kind=resource_kind,
            resource_id=resource_id,
            resource_name=resource_name,
            data=data or {},
            created_at=clock.now(),
        )
    )


def list_events(
    *, uow: Any, principal: Principal, workspace: str, app: str | None = None, limit: int = 100
) -> list[EventPublic]:
    with uow:
        ws = _workspace(uow.session, principal, workspace)
        query = select(Event).where(Event.workspace_id == ws.id)
        if app is not None:
            found = uow.session.exec(select(App).where(App.workspace_id == ws.id, App.name == app)).first()
            if found is None:
                raise NotFound(f"app '{app}' not found", field="app")
            query = query.where(Event.data["app"].as_string() == app)
        rows = uow.session.exec(query.order_by(col(Event.created_at).desc()).limit(max(1, min(limit, 1000)))).all()
        return [EventPublic.model_validate(row) for row in rows]


def list_audit(*, uow: Any, principal: Principal, workspace: str, limit: int = 100) -> list[AuditPublic]:
    with uow:
        ws = _workspace(uow.session, principal, workspace)
        require(principal, ws.id, Role.ADMIN)
        rows = uow.session.exec(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == ws.id)
            .order_by(col(AuditEntry.created_at).desc())
            .limit(max(1, min(limit, 1000)))
        ).all()
        return [AuditPublic.model_validate(row) for row in rows]


def _workspace(session: Session, principal: Principal, name: str) -> Workspace:
    return workspace_for(session, principal, name, Role.VIEWER)
