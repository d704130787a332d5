"""The domain's tables (SQLModel), all registered on ``SQLModel.metadata`` when this package is imported.

Alembic (``alembic/env.py``) and the unit of work import this package; nothing else creates tables.
"""

from starbase.models.apps import (
    Addon,
    AddonKind,
    AddonStatus,
    App,
    AppVariable,
    Domain,
    Environment,
    VarGroup,
    VarGroupAttachment,
    Variable,
)
from starbase.models.base import Sealed, UtcDateTime, utcnow
from starbase.models.delivery import (
    ArtifactKind,
    Build,
    BuildState,
    Deployment,
    DeploymentStatus,
    Job,
    JobState,
    Release,
    SchedulerLock,
)
from starbase.models.infra import Cluster, ClusterKind, LeaseState, Region, WorkloadStatus
from starbase.models.ledger import (
    AuditEntry,
    Event,
    Invoice,
    InvoiceStatus,
    Severity,
    UsageRecord,
    WebhookDelivery,
)
from starbase.models.telemetry import LogEntry, MetricSampleRow
from starbase.models.tenancy import ApiToken, LoginLink, Member, Role, User, UserSession, Workspace

__all__ = [
    "Addon",
    "AddonKind",
    "AddonStatus",
    "ApiToken",
    "App",
    "AppVariable",
    "ArtifactKind",
    "AuditEntry",
    "Build",
    "BuildState",
    "Cluster",
    "ClusterKind",
    "Deployment",
    "DeploymentStatus",
    "Domain",
    "Environment",
    "Event",
    "Invoice",
    "InvoiceStatus",
    "Job",
    "JobState",
    "LeaseState",
    "LogEntry",
    "LoginLink",
    "Member",
    "MetricSampleRow",
    "Region",
    "Release",
    "Role",
    "SchedulerLock",
    "Sealed",
    "Severity",
    "UsageRecord",
    "User",
    "UserSession",
    "UtcDateTime",
    "VarGroup",
    "VarGroupAttachment",
    "Variable",
    "WebhookDelivery",
    "WorkloadStatus",
    "Workspace",
    "utcnow",
]
