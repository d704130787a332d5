"""What happened and what it costs: usage records, invoices, structured events and the audit log."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Numeric
from sqlmodel import Field, SQLModel

from starbase.models.base import enum_field, id_field, ts_field


class UsageRecord(SQLModel, table=True):
    """A measured quantity of a metered resource over a period. ``idempotency_key`` makes re-reporting
    the same measurement harmless (and is what Stripe meter events carry)."""

    __tablename__ = "usage_records"
    __table_args__ = (Index(None, "workspace_id", "period_start"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    app_id: uuid.UUID | None = Field(default=None, foreign_key="apps.id", ondelete="SET NULL")
    meter: str = Field(max_length=64)
    quantity: float = Field(sa_type=Numeric(20, 6))
    period_start: datetime = ts_field()
    period_end: datetime = ts_field()
    idempotency_key: str = Field(max_length=128, unique=True)
    recorded_at: datetime = ts_field()


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    period_start: datetime = ts_field()
    period_end: datetime = ts_field()
    status: InvoiceStatus = enum_field(InvoiceStatus, InvoiceStatus.DRAFT)
    amount_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="usd", max_length=3)
    stripe_invoice_id: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = ts_field()


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Event(SQLModel, table=True):
    """A structured, queryable state change (``build.state_changed``, ``cluster.lease_changed``, …).
    ``correlation_id`` ties together the events of one push, deploy or rollback."""

    __tablename__ = "events"
    __table_args__ = (Index(None, "workspace_id", "created_at"), Index(None, "resource_kind", "resource_id"))

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID | None = Field(default=None, foreign_key="workspaces.id", ondelete="CASCADE")
    type: str = Field(max_length=64)
    category: str = Field(max_length=32)
    severity: Severity = enum_field(Severity, Severity.INFO)
    resource_kind: str = Field(max_length=32)
    resource_id: uuid.UUID | None = None
    resource_name: str | None = Field(default=None, max_length=255)
    previous_state: str | None = Field(default=None, max_length=32)
    new_state: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=255)
    message: str = Field(default="", max_length=4096)
    correlation_id: str | None = Field(default=None, max_length=64, index=True)
    actor: str | None = Field(default=None, max_length=128)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = ts_field()


class AuditEntry(SQLModel, table=True):
    """Who did what, when, from where. Never holds secret values."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index(None, "workspace_id", "created_at"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID | None = Field(default=None, foreign_key="workspaces.id", ondelete="CASCADE")
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    resource_kind: str = Field(max_length=32)
    resource_id: uuid.UUID | None = None
    resource_name: str | None = Field(default=None, max_length=255)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    remote_addr: str | None = Field(default=None, max_length=64)
    created_at: datetime = ts_field()


class WebhookDelivery(SQLModel, table=True):
    """A webhook delivery id already handled (``X-GitHub-Delivery``): redeliveries are ignored."""

    __tablename__ = "webhook_deliveries"

    id: str = Field(primary_key=True, max_length=64)
    source: str = Field(default="github", max_length=16)
    event: str = Field(max_length=64)
    received_at: datetime = ts_field(index=True)
