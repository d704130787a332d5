"""Clusters and regions: registration (token shown once), cordoning, heartbeat leases, and placement of
app environments onto clusters (filter, then score), after Stark's scheduler.

A cluster registered through the API is private to the caller's workspace; shared clusters (the embedded
local one, or those registered server-side) take apps from every workspace.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from starbase.crypto import hash_token, new_token
from starbase.errors import Conflict, Forbidden, Invalid, NotFound
from starbase.models import App, Cluster, ClusterKind, Environment, LeaseState, Region, Release, Role, Severity
from starbase.ports import Clock, UnitOfWork
from starbase.services import validate
from starbase.services.access import SYSTEM, Principal, require
from starbase.services.dto import ClusterPublic, ClusterRegister, ClusterRegistered
from starbase.services.events import record_audit, record_event
from starbase.services.lookup import workspace_for

SUSPECT_AFTER = timedelta(seconds=60)
OFFLINE_AFTER = SUSPECT_AFTER + timedelta(seconds=120)
LOCAL_CLUSTER = "local"
DEFAULT_CPU_MILLIS = 500
DEFAULT_MEMORY_MB = 512


def bump_generation(session: Session, cluster_id: uuid.UUID) -> int:
    """Grow the cluster's desired-state generation atomically (also across processes); returns the new one."""
    session.execute(update(Cluster).where(col(Cluster.id) == cluster_id).values(generation=Cluster.generation + 1))
    return int(session.exec(select(Cluster.generation).where(Cluster.id == cluster_id)).one())


def register_cluster(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str | None, body: ClusterRegister
) -> ClusterRegistered:
    """Register a cluster; private to ``workspace`` (the caller must be its owner or admin), shared when
    ``workspace`` is None (system callers only)."""
    name = validate.dns_label(body.name)
    region_name = validate.dns_label(body.region, field="region")
    if body.kind not in tuple(ClusterKind):
        raise Invalid(f"must be 'local' or 'kubernetes'; got {body.kind!r}", field="kind")
    validate.within(body.capacity_cpu_millis, low=0, high=10_000_000, field="capacity_cpu_millis")
    validate.within(body.capacity_memory_mb, low=0, high=100_000_000, field="capacity_memory_mb")
    with uow:
        session = uow.session
        workspace_id = None
        if workspace is not None:
            workspace_id = workspace_for(session, principal, workspace, Role.ADMIN).id
        elif not principal.is_system:
            raise Invalid("give the workspace the cluster belongs to", field="workspace")
        if session.exec(select(Cluster).where(Cluster.name == name)).first() is not None:
            raise Conflict(f"cluster '{name}' already exists", field="name")
        region = _region(session, clock, region_name)
        secret = new_token("cluster")
        cluster = Cluster(
            name=name,
            workspace_id=workspace_id,
            region_id=region.id,
            kind=ClusterKind(body.kind),
            token_hash=hash_token(secret),
            capacity_cpu_millis=body.capacity_cpu_millis,
            capacity_memory_mb=body.capacity_memory_mb,
            created_at=clock.now(),
        )
        session.add(cluster)
        session.flush()
        record_event(
            session,
            clock,
            type="cluster.registered",
            category="cluster",
            resource_kind="cluster",
            resource_id=cluster.id,
            resource_name=name,
            workspace_id=workspace_id,
            new_state=LeaseState.PENDING,
            message=f"cluster {name} registered in {region_name}",
            principal=principal,
        )
        record_audit(
            session,
            clock,
            principal,
            action="cluster.register",
            resource_kind="cluster",
            workspace_id=workspace_id,
            resource_id=cluster.id,
            resource_name=name,
        )
        session.flush()
        place_unplaced(session, clock, principal)
        uow.commit()
        return ClusterRegistered(**_public(session, cluster, region_name).model_dump(), token=secret)


def ensure_local_cluster(*, uow: UnitOfWork, clock: Clock) -> str:
    """Embedded mode: the shared ``local`` cluster exists, and gets a fresh token for this run's Shuttle."""
    with uow:
        session = uow.session
        cluster = session.exec(select(Cluster).where(Cluster.name == LOCAL_CLUSTER)).first()
        secret = new_token("cluster")
        if cluster is None:
            region = _region(session, clock, "local")
            cluster = Cluster(
                name=LOCAL_CLUSTER,
                region_id=region.id,
                kind=ClusterKind.LOCAL,
                token_hash=hash_token(secret),
                created_at=clock.now(),
            )
            session.add(cluster)
            session.flush()
            record_event(
                session,
                clock,
                type="cluster.registered",
                category="cluster",
                resource_kind="cluster",
                resource_id=cluster.id,
                resource_name=LOCAL_CLUSTER,
                new_state=LeaseState.PENDING,
                message="local cluster registered",
                principal=SYSTEM,
            )
        else:
            cluster.token_hash = hash_token(secret)
        session.flush()
        place_unplaced(session, clock, SYSTEM)
        uow.commit()
        return secret


def list_clusters(*, uow: UnitOfWork, principal: Principal) -> list[ClusterPublic]:
    with uow:
        rows = uow.session.exec(select(Cluster, Region).join(Region).order_by(Cluster.name)).all()
        return [_public(uow.session, c, r.name) for c, r in rows if _visible(principal, c)]


def set_cordoned(*, uow: UnitOfWork, clock: Clock, principal: Principal, name: str, cordoned: bool) -> ClusterPublic:
    with uow:
        row = uow.session.exec(select(Cluster, Region).join(Region).where(Cluster.name == name)).first()
        if row is None or not _visible(principal, row[0]):
            raise NotFound(f"cluster '{name}' not found", field="name")
        cluster, region = row
        _require_manage(principal, cluster)
        if cluster.cordoned != cordoned:
            cluster.cordoned = cordoned
            state = "cordoned" if cordoned else "schedulable"
            record_event(
                uow.session,
                clock,
                type="cluster.cordon_changed",
                category="cluster",
                resource_kind="cluster",
                resource_id=cluster.id,
                resource_name=name,
                workspace_id=cluster.workspace_id,
                new_state=state,
                message=f"cluster {name} is {state}",
                principal=principal,
            )
            record_audit(
                uow.session,
                clock,
                principal,
                action=f"cluster.{'cordon' if cordoned else 'uncordon'}",
                resource_kind="cluster",
                workspace_id=cluster.workspace_id,
                resource_name=name,
            )
        uow.commit()
        return _public(uow.session, cluster, region.name)


def sweep_leases(*, uow: UnitOfWork, clock: Clock) -> list[tuple[str, str]]:
    """Heartbeat leases: no report for 60 s -> suspect; 120 s more -> offline. Returns the changes."""
    changed = []
    with uow:
        now = clock.now()
        for cluster in uow.session.exec(select(Cluster).where(Cluster.last_heartbeat_at.is_not(None))).all():  # type: ignore[union-attr]
            silent = now - cluster.last_heartbeat_at  # type: ignore[operator]
            state = (
                LeaseState.OFFLINE
                if silent >= OFFLINE_AFTER
                else LeaseState.SUSPECT
                if silent >= SUSPECT_AFTER
                else cluster.lease_state
            )
            if state != cluster.lease_state:
                changed.append((cluster.name, state))
                record_event(
                    uow.session,
                    clock,
                    type="cluster.lease_changed",
                    category="cluster",
                    resource_kind="cluster",
                    resource_id=cluster.id,
                    resource_name=cluster.name,
                    workspace_id=cluster.workspace_id,
                    previous_state=cluster.lease_state,
                    new_state=state,
                    reason="no_report",
                    severity=Severity.WARNING if state == LeaseState.SUSPECT else Severity.ERROR,
                    message=f"cluster {cluster.name} sent no report for {int(silent.total_seconds())} s",
                )
                cluster.lease_state = state
        uow.commit()
    return changed


# --- placement ---------------------------------------------------------------------------------------


def place(
    session: Session, clock: Clock, principal: Principal, env: Environment, app: App, region: str | None = None
) -> Cluster | None:
    """Filter (visible to the workspace, not cordoned, not offline, region, capacity), then score
    (headroom first, then spread: fewer of this workspace's environments). None when nothing fits."""
    need_cpu, need_mem = DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MB
    candidates = []
    for cluster, region_row in session.exec(select(Cluster, Region).join(Region)).all():
        if cluster.workspace_id not in (None, app.workspace_id) or cluster.cordoned:
            continue
        if cluster.lease_state == LeaseState.OFFLINE or (region is not None and region_row.name != region):
            continue
        used_cpu, used_mem, mine = _load(session, cluster.id, app.workspace_id)
        free_cpu, free_mem = cluster.capacity_cpu_millis - used_cpu, cluster.capacity_memory_mb - used_mem
        if free_cpu < need_cpu or free_mem < need_mem:
            continue
        headroom = (free_cpu / max(cluster.capacity_cpu_millis, 1) + free_mem / max(cluster.capacity_memory_mb, 1)) / 2
        candidates.append((-(headroom - 0.1 * mine), cluster.name, cluster))
    if not candidates:
        return None
    chosen = min(candidates, key=lambda c: (c[0], c[1]))[2]
    env.cluster_id = chosen.id
    record_event(
        session,
        clock,
        type="environment.placed",
        category="scheduling",
        resource_kind="environment",
        resource_id=env.id,
        resource_name=f"{app.name}/{env.name}",
        workspace_id=app.workspace_id,
        new_state=chosen.name,
        message=f"{app.name} placed on cluster {chosen.name}",
        principal=principal,
        data={"app": app.name},
    )
    return chosen


def place_unplaced(session: Session, clock: Clock, principal: Principal) -> None:
    for env, app in session.exec(select(Environment, App).join(App).where(Environment.cluster_id.is_(None))).all():  # type: ignore[union-attr]
        if place(session, clock, principal, env, app) is not None and env.current_release_id is not None:
            bump_generation(session, env.cluster_id)  # type: ignore[arg-type]


def _load(session: Session, cluster_id: uuid.UUID, workspace_id: uuid.UUID) -> tuple[int, int, int]:
    """Requested CPU/memory of what is placed on the cluster, and how many of them are this workspace's."""
    cpu = mem = mine = 0
    rows = session.exec(
        select(Environment, App.workspace_id, Release)
        .join(App, col(App.id) == Environment.app_id)
        .join(Release, col(Release.id) == Environment.current_release_id, isouter=True)
        .where(Environment.cluster_id == cluster_id)
    ).all()
    for _env, ws_id, release in rows:
        if release is None:
            cpu, mem = cpu + DEFAULT_CPU_MILLIS, mem + DEFAULT_MEMORY_MB
        else:
            cpu, mem = cpu + release.replicas * release.cpu_millis, mem + release.replicas * release.memory_mb
        mine += ws_id == workspace_id
    return cpu, mem, mine


def _region(session: Session, clock: Clock, name: str) -> Region:
    region = session.exec(select(Region).where(Region.name == name)).first()
    if region is None:
        region = Region(name=name, created_at=clock.now())
        session.add(region)
        session.flush()
    return region


def _visible(principal: Principal, cluster: Cluster) -> bool:
    if principal.is_system or cluster.workspace_id is None:
        return principal.kind != "cluster" or principal.cluster_id == cluster.id
    return principal.role_in(cluster.workspace_id) is not None


def _require_manage(principal: Principal, cluster: Cluster) -> None:
    if cluster.workspace_id is None:
        if not principal.is_system:
            raise Forbidden("shared clusters are managed server-side")
        return
    require(principal, cluster.workspace_id, Role.ADMIN)


def _public(session: Session, cluster: Cluster, region: str) -> ClusterPublic:
    workloads = session.exec(
        select(func.count())
        .select_from(Environment)
        .where(Environment.cluster_id == cluster.id, Environment.current_release_id.is_not(None))  # type: ignore[union-attr]
    ).one()
    return ClusterPublic(
        id=cluster.id,
        name=cluster.name,
        region=region,
        kind=cluster.kind,
        shared=cluster.workspace_id is None,
        cordoned=cluster.cordoned,
        lease_state=cluster.lease_state,
        generation=cluster.generation,
        last_heartbeat_at=cluster.last_heartbeat_at,
        workloads=int(workloads),
    )
