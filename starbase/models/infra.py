"""Where apps run: regions and the clusters in them, each with its Shuttle's token, lease and generation."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from starbase.models.base import enum_field, id_field, ts_field


class ClusterKind(enum.StrEnum):
    LOCAL = "local"
    KUBERNETES = "kubernetes"


class LeaseState(enum.StrEnum):
    """Heartbeat lease: no report for 60 s -> ``suspect``; 120 s more -> ``offline``."""

    PENDING = "pending"
    READY = "ready"
    SUSPECT = "suspect"
    OFFLINE = "offline"


class Region(SQLModel, table=True):
    __tablename__ = "regions"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=40, unique=True)
    display_name: str | None = Field(default=None, max_length=255)
    created_at: datetime = ts_field()


class Cluster(SQLModel, table=True):
    """One Shuttle's target. ``generation`` and ``desired_etag`` describe its current desired state."""

    __tablename__ = "clusters"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=40, unique=True)
    region_id: uuid.UUID = Field(foreign_key="regions.id", ondelete="RESTRICT", index=True)
    kind: ClusterKind = enum_field(ClusterKind)
    token_hash: str = Field(max_length=64, unique=True)
    cordoned: bool = False
    capacity_cpu_millis: int = Field(default=8000, ge=0)
    capacity_memory_mb: int = Field(default=16384, ge=0)
    generation: int = Field(default=0, ge=0)
    desired_etag: str | None = Field(default=None, max_length=80)
    lease_state: LeaseState = enum_field(LeaseState, LeaseState.PENDING)
    last_heartbeat_at: datetime | None = ts_field(nullable=True)
    last_report_generation: int | None = None
    created_at: datetime = ts_field()
