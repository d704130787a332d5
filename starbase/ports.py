"""The ports of Starbase (DESIGN.md, "Ports and adapters"): what the services need from the outside world.

Each port is a ``typing.Protocol`` named for its role; adapters are ``<Technology><Port>`` classes under
``starbase/adapters`` chosen in ``starbase/bootstrap.py``. The value types the ports speak are defined
here. (Shuttle's target port lives in ``shuttle.targets``: Shuttle may import only ``starbase.contracts``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self
from uuid import UUID

from sqlmodel import Session

from starbase.contracts import Artifact, LogLine

# --- plumbing ---------------------------------------------------------------------------------------


class Clock(Protocol):
    """Time and sleeping, injected so tests control both."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the ``with`` block without ``commit()`` rolls everything back."""

    session: Session

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


# --- builds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildPlan:
    """What detection decided; stored with the build and shown to the user."""

    provider: str
    install: Sequence[str] = ()
    build: Sequence[str] = ()
    start: str = ""
    port: int = 8080
    health_path: str = "/"
    static_dir: str | None = None


@dataclass(frozen=True)
class BuildRequest:
    build_id: UUID
    workspace: str
    app: str
    source_dir: Path
    commit_sha: str
    plan: BuildPlan
    env: Mapping[str, str] = field(default_factory=dict)


class BuildLog(Protocol):
    """Where a builder writes its output, line by line, as it happens."""

    def write(self, line: str, *, stage: str) -> None: ...


class BuildService(Protocol):
    """Turns a checked-out source tree and a plan into an artifact (LocalBuildService, DepotBuildService)."""

    def build(self, request: BuildRequest, log: BuildLog) -> Artifact: ...

    def cancel(self, build_id: UUID) -> None: ...


class SourceFetcher(Protocol):
    """Checks out one commit of a repository (GitSource). Returns the commit SHA."""

    def fetch(self, *, url: str, ref: str, dest: Path, log: BuildLog) -> str: ...


class ArtifactStore(Protocol):
    """Content-addressed storage of build outputs (slugs); keys are ``sha256:<hex>`` digests."""

    def put(self, path: Path) -> str: ...

    def open(self, digest: str) -> Path: ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None: ...


# --- telemetry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogQuery:
    workspace: str
    app: str | None = None
    build_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    after: int | None = None
    limit: int = 1000


@dataclass(frozen=True)
class StoredLogLine:
    """A line as stored: ``cursor`` grows with every line appended, so ``after=cursor`` resumes a tail."""

    cursor: int
    line: LogLine


class LogStore(Protocol):
    """Build and app log lines (SqlLogStore, ClickHouseLogStore). Callers apply the tenant filter by
    always passing the workspace."""

    def append(self, lines: Sequence[LogLine]) -> int: ...

    def query(self, query: LogQuery) -> list[StoredLogLine]: ...


@dataclass(frozen=True)
class MetricSample:
    name: str
    labels: Mapping[str, str]
    value: float
    ts: datetime


class MetricsStore(Protocol):
    """Per-app CPU/memory and platform metrics (SqliteMetricsStore, VictoriaMetricsStore)."""

    def write(self, samples: Sequence[MetricSample]) -> None: ...

    def range(
        self, name: str, *, labels: Mapping[str, str], start: datetime, end: datetime, step_s: int
    ) -> list[tuple[datetime, float]]: ...


# --- money, identity, add-ons -----------------------------------------------------------------------


@dataclass(frozen=True)
class UsageEvent:
    workspace_id: UUID
    meter: str
    quantity: float
    ts: datetime
    idempotency_key: str


class Billing(Protocol):
    """Usage-based billing (LocalLedgerBilling, StripeBilling). Reporting the same key twice is harmless."""

    def ensure_customer(self, *, workspace_id: UUID, name: str, email: str | None) -> str: ...

    def report_usage(self, events: Sequence[UsageEvent]) -> None: ...

    def draft_invoice(self, *, workspace_id: UUID, period_start: datetime, period_end: datetime) -> str: ...


@dataclass(frozen=True)
class IdentityProfile:
    provider: Literal["github", "local"]
    subject: str
    login: str
    name: str | None = None
    email: str | None = None


class Identity(Protocol):
    """Sign-in (LocalLinkIdentity, GitHubIdentity via Authlib with state + PKCE)."""

    def authorization_url(self, *, redirect_uri: str) -> tuple[str, dict[str, Any]]: ...

    def complete(self, *, params: Mapping[str, str], saved: Mapping[str, Any]) -> IdentityProfile: ...


@dataclass(frozen=True)
class Credentials:
    """What an add-on gives the app, as environment variables (``DATABASE_URL``, ``S3_*``)."""

    env: Mapping[str, str]


class Databases(Protocol):
    """Database add-ons: one role + database per app (PostgresDatabases, SqliteDatabases)."""

    def provision(self, *, addon_id: UUID, name: str) -> Credentials: ...

    def deprovision(self, *, addon_id: UUID, name: str) -> None: ...


class Buckets(Protocol):
    """Bucket add-ons with a key scoped to one bucket (SeaweedBuckets, S3Buckets)."""

    def provision(self, *, addon_id: UUID, name: str) -> Credentials: ...

    def deprovision(self, *, addon_id: UUID, name: str) -> None: ...
