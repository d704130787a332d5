"""Where apps run: regions and the clusters in them, each with its Shuttle's token, lease and generation."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
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
    """One Shuttle's target. ``generation`` grows with every change to its desired state. A cluster with a
    ``workspace_id`` is private to that workspace; without one it is shared by every workspace."""

    __tablename__ = "clusters"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=40, unique=True)
    workspace_id: uuid.UUID | None = Field(default=None, foreign_key="workspaces.id", ondelete="CASCADE", index=True)
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


class WorkloadStatus(SQLModel, table=True):
    """What Shuttle last observed of one app environment on one cluster (the only truth the UI shows)."""

    __tablename__ = "workload_statuses"
    __table_args__ = (UniqueConstraint("cluster_id", "environment_id"),)

    id: uuid.UUID = id_field()
    cluster_id: uuid.UUID = Field(foreign_key="clusters.id", ondelete="CASCADE", index=True)
    environment_id: uuid.UUID = Field(foreign_key="environments.id", ondelete="CASCADE", index=True)
    release_id: uuid.UUID | None = Field(default=None, foreign_key="releases.id", ondelete="SET NULL")
    phase: str = Field(max_length=32)
    ready_replicas: int = 0
    desired_replicas: int = 0
    restarts: int = 0
    crash_looping: bool = False
    last_exit_reason: str | None = Field(default=None, max_length=1024)
    cpu_millis: float | None = None
    memory_mb: float | None = None
    observed_at: datetime = ts_field()
