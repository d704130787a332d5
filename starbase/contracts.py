"""Wire types between Starbase and Shuttle (DESIGN.md, "The desired state").

Pydantic only: Shuttle imports this module and nothing else from Starbase, so it must stay free of
SQLAlchemy, Stripe, Authlib, APScheduler and Reflex. Changing a field here changes the protocol.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DnsLabel = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$", max_length=40)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=128)]
ReleaseName = Annotated[str, StringConstraints(pattern=r"^v[1-9][0-9]*$")]


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Artifact(_Wire):
    """What a release runs: an OCI image (Kubernetes) or a slug tarball (local runtime)."""

    kind: Literal["image", "slug"]
    ref: str = Field(max_length=2048)
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class Resources(_Wire):
    cpu_millis: int = Field(500, ge=10, le=64_000)
    memory_mb: int = Field(512, ge=16, le=262_144)


class HealthCheck(_Wire):
    path: str = Field("/", max_length=512, pattern=r"^/")
    timeout_s: float = Field(3.0, gt=0, le=60)
    period_s: float = Field(10.0, gt=0, le=300)


class WorkloadSpec(_Wire):
    """One app environment's current release, as one cluster must run it."""

    workspace: DnsLabel
    app: DnsLabel
    environment: DnsLabel
    release: ReleaseName
    release_id: UUID
    artifact: Artifact
    command: list[str] = Field(default_factory=list)
    port: int = Field(8080, ge=1, le=65535)
    replicas: int = Field(1, ge=0, le=100)
    resources: Resources = Field(default_factory=Resources)
    health: HealthCheck = Field(default_factory=HealthCheck)
    env: dict[EnvName, str] = Field(default_factory=dict)
    hostnames: list[str] = Field(default_factory=list)
    namespace: str = Field(max_length=63)
    static_dir: str | None = Field(None, max_length=512, description="served as files, no process (static sites)")

    @property
    def key(self) -> str:
        """Stable identity of the workload within a cluster: ``workspace/app/environment``."""
        return f"{self.workspace}/{self.app}/{self.environment}"


class DesiredState(_Wire):
    """Everything one cluster must run. ``generation`` only grows."""

    cluster_id: UUID
    generation: int = Field(ge=0)
    workloads: list[WorkloadSpec] = Field(default_factory=list)

    def etag(self) -> str:
        """The content hash served as the HTTP ``ETag`` (quoted, as RFC 9110 wants)."""
        digest = hashlib.sha256(self.model_dump_json().encode()).hexdigest()
        return f'"{digest}"'


WorkloadPhase = Literal["pending", "rolling_out", "running", "degraded", "crash_looping", "failed", "stopped"]


class WorkloadReport(_Wire):
    """What Shuttle observed of one workload on its last tick."""

    workspace: DnsLabel
    app: DnsLabel
    environment: DnsLabel
    release: ReleaseName | None = None
    release_id: UUID | None = None
    phase: WorkloadPhase
    ready_replicas: int = Field(ge=0)
    desired_replicas: int = Field(ge=0)
    restarts: int = Field(0, ge=0)
    crash_looping: bool = False
    failed_rollouts: int = Field(
        0, ge=0, description="consecutive rollouts of `release` whose replicas never became healthy"
    )
    failure: Literal["application", "infrastructure"] | None = Field(
        None, description="why the last rollout failed: the app itself, or the platform (only the first counts)"
    )
    last_exit_reason: str | None = Field(None, max_length=1024)
    cpu_millis: float | None = Field(None, ge=0)
    memory_mb: float | None = Field(None, ge=0)


class ClusterReport(_Wire):
    """``POST /api/v1/clusters/{id}/reports``: the only truth the UI shows about running apps."""

    cluster_id: UUID
    generation: int = Field(ge=0, description="the desired-state generation Shuttle last applied")
    observed_at: datetime
    agent_version: str = Field(max_length=64)
    workloads: list[WorkloadReport] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="apply errors, one per failed object")


class LogLine(_Wire):
    """One NDJSON line of ``POST /api/v1/logs/ingest`` and one line of a build's log."""

    ts: datetime
    workspace: DnsLabel
    app: DnsLabel
    stream: Literal["stdout", "stderr", "build", "system"]
    line: str = Field(max_length=65_536)
    environment: DnsLabel | None = None
    release: ReleaseName | None = None
    replica: str | None = Field(None, max_length=128)
    build_id: UUID | None = None
    stage: str | None = Field(None, max_length=32)
