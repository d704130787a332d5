"""How code becomes running software: jobs (recorded intent), builds, immutable releases, deployments."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from starbase.models.base import ENUM_WIDTH, Sealed, enum_field, id_field, ts_field


class JobState(enum.StrEnum):
    QUEUED = "queued"
    LEASED = "leased"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(SQLModel, table=True):
    """One-off work recorded before it runs. A worker leases it until ``lease_expires_at``; a lease that
    runs out without an update returns the job to the queue (or fails it after ``max_attempts``)."""

    __tablename__ = "jobs"

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=32, index=True)
    state: JobState = enum_field(JobState, JobState.QUEUED, index=True)
    workspace_id: uuid.UUID | None = Field(default=None, foreign_key="workspaces.id", ondelete="CASCADE")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    attempts: int = 0
    max_attempts: int = 3
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = ts_field(nullable=True, index=True)
    run_after: datetime = ts_field()
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True)
    finished_at: datetime | None = ts_field(nullable=True)


class SchedulerLock(SQLModel, table=True):
    """A named lease that one process holds at a time (the job dispatcher): renewed while alive, taken over
    by another process once it expires."""

    __tablename__ = "scheduler_locks"

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=128)
    expires_at: datetime = ts_field()


class BuildState(enum.StrEnum):
    QUEUED = "queued"
    CLONING = "cloning"
    DETECTING = "detecting"
    BUILDING = "building"
    UPLOADING = "uploading"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


class ArtifactKind(enum.StrEnum):
    IMAGE = "image"
    SLUG = "slug"


class Build(SQLModel, table=True):
    """One build of one commit; its log lines live in the LogStore under ``log_stream_id``."""

    __tablename__ = "builds"

    id: uuid.UUID = id_field()
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    environment_id: uuid.UUID = Field(foreign_key="environments.id", ondelete="CASCADE")
    job_id: uuid.UUID | None = Field(default=None, foreign_key="jobs.id", ondelete="SET NULL")
    state: BuildState = enum_field(BuildState, BuildState.QUEUED, index=True)
    trigger: str = Field(default="cli", max_length=16)
    ref: str = Field(max_length=255)
    commit_sha: str | None = Field(default=None, max_length=40)
    plan: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    artifact_kind: ArtifactKind | None = Field(default=None, sa_type=String(ENUM_WIDTH))
    artifact_ref: str | None = Field(default=None, max_length=2048)
    artifact_digest: str | None = Field(default=None, max_length=71)
    log_stream_id: str = Field(max_length=64, unique=True)
    error: str | None = Field(default=None, sa_type=Text)
    timeout_s: int = Field(default=900, ge=1)
    cancel_requested_at: datetime | None = ts_field(nullable=True)
    created_by: str | None = Field(default=None, max_length=128)
    created_at: datetime = ts_field(index=True)
    state_changed_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True)
    finished_at: datetime | None = ts_field(nullable=True)


class Release(Sealed, SQLModel, table=True):
    """Immutable ``vN``: an artifact plus a sealed snapshot of the resolved config (variables, add-on
    credentials, scale). ``config_digest`` tells configs apart without opening them; ``changes`` says what
    changed, with values masked. A rollback is a new release that reuses an older one's contents."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("environment_id", "number"),)
    sealed_column: ClassVar[str] = "config_sealed"

    id: uuid.UUID = id_field()
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    environment_id: uuid.UUID = Field(foreign_key="environments.id", ondelete="CASCADE", index=True)
    number: int = Field(ge=1)
    build_id: uuid.UUID | None = Field(default=None, foreign_key="builds.id", ondelete="SET NULL")
    artifact_kind: ArtifactKind | None = Field(default=None, sa_type=String(ENUM_WIDTH))
    artifact_ref: str | None = Field(default=None, max_length=2048)
    artifact_digest: str | None = Field(default=None, max_length=71)
    config_sealed: bytes = Field(sa_type=LargeBinary)
    config_digest: str = Field(max_length=64)
    replicas: int = Field(default=1, ge=0)
    cpu_millis: int = Field(default=500, ge=0)
    memory_mb: int = Field(default=512, ge=0)
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    description: str = Field(default="", max_length=1024)
    rollback_of_id: uuid.UUID | None = Field(default=None, foreign_key="releases.id", ondelete="SET NULL")
    failed_rollouts: int = 0
    healthy_at: datetime | None = ts_field(nullable=True)
    created_by: str | None = Field(default=None, max_length=128)
    created_at: datetime = ts_field()

    @property
    def name(self) -> str:
        return f"v{self.number}"


class DeploymentStatus(enum.StrEnum):
    PENDING = "pending"
    ROLLING_OUT = "rolling_out"
    RUNNING = "running"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class Deployment(SQLModel, table=True):
    """A release sent to a cluster at a desired-state generation, and how its rollout went."""

    __tablename__ = "deployments"

    id: uuid.UUID = id_field()
    release_id: uuid.UUID = Field(foreign_key="releases.id", ondelete="CASCADE", index=True)
    environment_id: uuid.UUID = Field(foreign_key="environments.id", ondelete="CASCADE", index=True)
    cluster_id: uuid.UUID = Field(foreign_key="clusters.id", ondelete="CASCADE", index=True)
    generation: int = Field(ge=0)
    status: DeploymentStatus = enum_field(DeploymentStatus, DeploymentStatus.PENDING)
    reason: str | None = Field(default=None, max_length=1024)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
