"""What use cases take and return: request bodies (``*Create``/``*Update``) and ``*Public`` views.

Public views never carry secret values: variables are masked unless a caller with the right role asks
to reveal them, and tokens appear only once, in the ``*Created`` answer of the call that made them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MASK = "••••••"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- workspaces, members, tokens ------------------------------------------------------------------


class WorkspaceCreate(_In):
    name: str
    display_name: str | None = Field(None, max_length=255)


class WorkspacePublic(_Out):
    id: uuid.UUID
    name: str
    display_name: str | None
    role: str | None = None
    created_at: datetime


class MemberAdd(_In):
    login: str = Field(min_length=1, max_length=64)
    role: str


class MemberUpdate(_In):
    role: str


class MemberPublic(_Out):
    login: str
    name: str | None
    role: str
    created_at: datetime


class TokenCreate(_In):
    name: str = Field(min_length=1, max_length=100)
    role: str


class TokenPublic(_Out):
    id: uuid.UUID
    name: str
    role: str
    prefix: str
    workspace: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="shown once; only its hash is kept")


class Me(_Out):
    kind: str
    name: str
    cluster_id: uuid.UUID | None = None
    workspaces: list[WorkspacePublic]
    default_workspace: str | None


# --- apps, releases, variables ----------------------------------------------------------------------


class AppCreate(_In):
    name: str
    repo_url: str
    branch: str = "main"
    root_dir: str = Field("", max_length=512)
    build_command: str | None = Field(None, max_length=1024)
    start_command: str | None = Field(None, max_length=1024)
    health_path: str = "/"
    region: str | None = None


class AppUpdate(_In):
    repo_url: str | None = None
    branch: str | None = None
    root_dir: str | None = Field(None, max_length=512)
    build_command: str | None = Field(None, max_length=1024)
    start_command: str | None = Field(None, max_length=1024)
    health_path: str | None = None


class AppPublic(_Out):
    id: uuid.UUID
    name: str
    workspace: str
    repo_url: str
    branch: str
    url: str
    status: str
    release: str | None
    replicas: int
    ready_replicas: int
    cluster: str | None
    root_dir: str
    build_command: str | None
    start_command: str | None
    health_path: str
    created_at: datetime
    last_deployed_at: datetime | None


class ReleasePublic(_Out):
    id: uuid.UUID
    app: str
    version: str
    number: int
    description: str
    changes: list[dict[str, Any]]
    artifact_digest: str | None
    current: bool
    healthy: bool
    rollback_of: str | None
    created_by: str | None
    created_at: datetime


class VarChange(_In):
    set: dict[str, str] = Field(default_factory=dict)
    unset: list[str] = Field(default_factory=list)


class VarPublic(_Out):
    name: str
    value: str
    source: str = Field(description="'app' or the Var Group it comes from")
    overridden: bool = False


class ScaleChange(_In):
    replicas: int | None = None
    cpu_millis: int | None = None
    memory_mb: int | None = None


class RollbackRequest(_In):
    to: str | None = Field(None, description="release to return to, e.g. 'v3'; default: the one before")


class StatusPublic(_Out):
    app: str
    environment: str
    status: str
    release: str | None
    observed_release: str | None
    ready_replicas: int
    desired_replicas: int
    restarts: int
    crash_looping: bool
    last_exit_reason: str | None
    cluster: str | None
    observed_at: datetime | None


class DeployRequest(_In):
    ref: str | None = Field(None, max_length=255, description="branch, tag or commit; default: the app's branch")


class BuildPublic(_Out):
    id: uuid.UUID
    app: str
    state: str
    trigger: str
    ref: str
    commit_sha: str | None
    plan: dict[str, Any] | None
    artifact_digest: str | None
    release: str | None = None
    error: str | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None = None


# --- var groups -------------------------------------------------------------------------------------


class VarGroupCreate(_In):
    name: str
    description: str | None = Field(None, max_length=512)


class VarGroupPublic(_Out):
    id: uuid.UUID
    name: str
    description: str | None
    vars: list[str]
    apps: list[str]
    created_at: datetime


class VarGroupChanged(_Out):
    group: VarGroupPublic
    releases: list[ReleasePublic]


# --- clusters, events -------------------------------------------------------------------------------


class ClusterRegister(_In):
    name: str
    region: str
    kind: str = "kubernetes"
    capacity_cpu_millis: int = 8000
    capacity_memory_mb: int = 16384


class ClusterPublic(_Out):
    id: uuid.UUID
    name: str
    region: str
    kind: str
    shared: bool
    cordoned: bool
    lease_state: str
    generation: int
    last_heartbeat_at: datetime | None
    workloads: int


class ClusterRegistered(ClusterPublic):
    token: str = Field(description="the cluster's Shuttle token; shown once")


class EventPublic(_Out):
    id: uuid.UUID
    type: str
    category: str
    severity: str
    resource_kind: str
    resource_name: str | None
    previous_state: str | None
    new_state: str | None
    reason: str | None
    message: str
    correlation_id: str | None
    actor: str | None
    created_at: datetime


class AuditPublic(_Out):
    actor: str
    action: str
    resource_kind: str
    resource_name: str | None
    data: dict[str, Any]
    created_at: datetime
