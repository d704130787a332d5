"""Shuttle's reports: what it observed per workload becomes each app's status; a report renews the
cluster's heartbeat lease; a release that reaches its replicas is marked healthy; three consecutive
failed rollouts of the current release (application failures only) roll back to the last healthy one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from starbase.contracts import ClusterReport, WorkloadReport
from starbase.crypto import SecretBox
from starbase.errors import NotFound
from starbase.models import (
    App,
    Cluster,
    Deployment,
    DeploymentStatus,
    Environment,
    LeaseState,
    Release,
    Severity,
    WorkloadStatus,
    Workspace,
)
from starbase.ports import Clock, MetricSample, MetricsStore, UnitOfWork
from starbase.services.access import Principal
from starbase.services.events import record_event
from starbase.services.release_ops import rollback_to

MAX_FAILED_ROLLOUTS = 3


def ingest_report(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    cluster_id: uuid.UUID,
    report: ClusterReport,
    metrics: MetricsStore | None = None,
) -> dict[str, int]:
    if principal.kind != "cluster" or principal.cluster_id != cluster_id or report.cluster_id != cluster_id:
        raise NotFound("cluster not found", field="cluster_id")
    with uow:
        session = uow.session
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            raise NotFound("cluster not found", field="cluster_id")
        now = clock.now()
        cluster.last_heartbeat_at = now
        cluster.last_report_generation = report.generation
        if cluster.lease_state != LeaseState.READY:
            record_event(
                session,
                clock,
                type="cluster.lease_changed",
                category="cluster",
                resource_kind="cluster",
                resource_id=cluster.id,
                resource_name=cluster.name,
                workspace_id=cluster.workspace_id,
                previous_state=cluster.lease_state,
                new_state=LeaseState.READY,
                reason="report",
                message=f"cluster {cluster.name} reported",
                principal=principal,
            )
            cluster.lease_state = LeaseState.READY
        applied = sum(_observe(session, box, clock, principal, cluster, w) for w in report.workloads)
        uow.commit()
        name = cluster.name
    if metrics is not None:
        metrics.write(_samples(report, name, now))
    return {"workloads": applied}


def _samples(report: ClusterReport, cluster: str, now: datetime) -> list[MetricSample]:
    """CPU and memory per workload, as Shuttle measured them, for the MetricsStore."""
    samples = []
    for w in report.workloads:
        labels = {"workspace": w.workspace, "app": w.app, "environment": w.environment, "cluster": cluster}
        if w.cpu_millis is not None:
            samples.append(MetricSample("app_cpu_millis", labels, w.cpu_millis, now))
        if w.memory_mb is not None:
            samples.append(MetricSample("app_memory_mb", labels, w.memory_mb, now))
    return samples


def _observe(
    session: Session, box: SecretBox, clock: Clock, principal: Principal, cluster: Cluster, seen: WorkloadReport
) -> int:
    row = session.exec(
        select(Environment, App)
        .join(App, col(App.id) == Environment.app_id)
        .join(Workspace, col(Workspace.id) == App.workspace_id)
        .where(
            Workspace.name == seen.workspace,
            App.name == seen.app,
            Environment.name == seen.environment,
            Environment.cluster_id == cluster.id,
        )
    ).first()
    if row is None:
        return 0  # not (or no longer) placed here: nothing of another tenant's is touched
    env, app = row
    release = session.get(Release, seen.release_id) if seen.release_id else None
    if release is not None and release.environment_id != env.id:
        release = None
    status = session.exec(
        select(WorkloadStatus).where(WorkloadStatus.cluster_id == cluster.id, WorkloadStatus.environment_id == env.id)
    ).first()
    previous_phase = status.phase if status else None
    if status is None:
        status = WorkloadStatus(cluster_id=cluster.id, environment_id=env.id, phase=seen.phase)
        session.add(status)
    status.release_id = release.id if release else None
    status.phase, status.ready_replicas, status.desired_replicas = (
        seen.phase,
        seen.ready_replicas,
        seen.desired_replicas,
    )
    status.restarts, status.crash_looping, status.last_exit_reason = (
        seen.restarts,
        seen.crash_looping,
        seen.last_exit_reason,
    )
    status.cpu_millis, status.memory_mb, status.observed_at = seen.cpu_millis, seen.memory_mb, clock.now()
    if previous_phase != seen.phase:
        record_event(
            session,
            clock,
            type="workload.phase_changed",
            category="runtime",
            resource_kind="app",
            resource_id=app.id,
            resource_name=app.name,
            workspace_id=app.workspace_id,
            previous_state=previous_phase,
            new_state=seen.phase,
            reason=seen.last_exit_reason[:255] if seen.last_exit_reason else None,
            severity=Severity.ERROR if seen.phase in ("crash_looping", "failed") else Severity.INFO,
            message=f"{app.name} is {seen.phase} ({seen.ready_replicas}/{seen.desired_replicas} ready)"
            + (f" on {release.name}" if release else ""),
            principal=principal,
            data={"app": app.name},
        )
    if release is not None:
        _track_rollout(session, box, clock, cluster, env, app, release, seen)
    return 1


def _track_rollout(
    session: Session,
    box: SecretBox,
    clock: Clock,
    cluster: Cluster,
    env: Environment,
    app: App,
    release: Release,
    seen: WorkloadReport,
) -> None:
    deployment = session.exec(
        select(Deployment)
        .where(Deployment.release_id == release.id, Deployment.cluster_id == cluster.id)
        .order_by(col(Deployment.created_at).desc())
    ).first()
    healthy = seen.phase == "running" and seen.ready_replicas >= seen.desired_replicas
    if healthy:
        if release.healthy_at is None:
            release.healthy_at = clock.now()
        release.failed_rollouts = 0
        _set_deployment(deployment, DeploymentStatus.RUNNING, clock)
        return
    if seen.failure != "application" or seen.failed_rollouts <= release.failed_rollouts:
        return
    release.failed_rollouts = seen.failed_rollouts
    _set_deployment(deployment, DeploymentStatus.FAILED, clock, seen.last_exit_reason)
    if release.failed_rollouts < MAX_FAILED_ROLLOUTS or env.current_release_id != release.id:
        return
    target = session.exec(
        select(Release)
        .where(
            Release.environment_id == env.id,
            Release.number < release.number,
            Release.healthy_at.is_not(None),
            Release.artifact_digest.is_not(None),
        )  # type: ignore[union-attr]
        .order_by(col(Release.number).desc())
    ).first()
    reason = (
        f"{release.name} failed {release.failed_rollouts} consecutive rollouts (application failure"
        + (f": {seen.last_exit_reason}" if seen.last_exit_reason else "")
        + ")"
    )
    if target is None:
        record_event(
            session,
            clock,
            type="release.rollback_skipped",
            category="deploy",
            resource_kind="app",
            resource_id=app.id,
            resource_name=app.name,
            workspace_id=app.workspace_id,
            severity=Severity.ERROR,
            reason="no_healthy_release",
            message=f"{reason}; no earlier healthy release to roll back to",
            data={"app": app.name},
        )
        return
    automatic = Principal(kind="system", name="auto-rollback", correlation_id=str(release.id))
    new = rollback_to(
        session,
        box,
        clock,
        automatic,
        app=app,
        env=env,
        target=target,
        reason=f"Automatic rollback to {target.name}: {reason}",
    )
    record_event(
        session,
        clock,
        type="release.rolled_back",
        category="deploy",
        resource_kind="app",
        resource_id=app.id,
        resource_name=app.name,
        workspace_id=app.workspace_id,
        severity=Severity.WARNING,
        previous_state=release.name,
        new_state=new.name,
        reason="failed_rollouts",
        principal=automatic,
        message=f"rolled {app.name} back to {target.name} as {new.name}: {reason}",
        data={"app": app.name},
    )


def _set_deployment(
    deployment: Deployment | None, status: DeploymentStatus, clock: Clock, reason: str | None = None
) -> None:
    if deployment is not None and deployment.status != status:
        deployment.status, deployment.updated_at = status, clock.now()
        deployment.reason = reason[:1024] if reason else deployment.reason
