"""Apps: create (with its ``production`` environment, placed on a cluster), list, show with the status
Shuttle observed, update build settings, delete (out of desired state first, in the same transaction)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from starbase.errors import Conflict
from starbase.models import App, Cluster, Environment, Release, Role, Severity, WorkloadStatus, Workspace
from starbase.ports import Clock, UnitOfWork
from starbase.services import validate
from starbase.services.access import Principal
from starbase.services.clusters import bump_generation, place
from starbase.services.dto import AppCreate, AppPublic, AppUpdate, StatusPublic
from starbase.services.events import record_audit, record_event
from starbase.services.lookup import app_for, environment_of, workspace_for


def app_url(app: str, workspace: str, *, apps_domain: str, apps_port: int | None = None) -> str:
    port = f":{apps_port}" if apps_port and apps_port not in (80, 443) else ""
    return f"http://{app}-{workspace}.{apps_domain}{port}"


def create_app(
    *,
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    workspace: str,
    body: AppCreate,
    apps_domain: str,
    apps_port: int | None = None,
) -> AppPublic:
    name = validate.dns_label(body.name)
    repo_url = validate.repo_url(body.repo_url)
    branch = validate.branch(body.branch)
    health_path = validate.health_path(body.health_path)
    region = validate.dns_label(body.region, field="region") if body.region else None
    with uow:
        session = uow.session
        ws = workspace_for(session, principal, workspace, Role.MEMBER)
        if session.exec(select(App).where(App.workspace_id == ws.id, App.name == name)).first() is not None:
            raise Conflict(f"app '{name}' already exists in workspace '{workspace}'", field="name")
        now = clock.now()
        app = App(
            workspace_id=ws.id,
            name=name,
            repo_url=repo_url,
            branch=branch,
            root_dir=body.root_dir,
            build_command=body.build_command,
            start_command=body.start_command,
            health_path=health_path,
            created_at=now,
            updated_at=now,
        )
        session.add(app)
        session.flush()
        env = Environment(app_id=app.id, created_at=now)
        session.add(env)
        session.flush()
        record_event(
            session,
            clock,
            type="app.created",
            category="app",
            resource_kind="app",
            resource_id=app.id,
            resource_name=name,
            workspace_id=ws.id,
            new_state="new",
            message=f"app {name} created",
            principal=principal,
            data={"app": name},
        )
        if place(session, clock, principal, env, app, region) is None:
            record_event(
                session,
                clock,
                type="environment.unplaced",
                category="scheduling",
                resource_kind="environment",
                resource_id=env.id,
                resource_name=f"{name}/{env.name}",
                workspace_id=ws.id,
                severity=Severity.WARNING,
                reason="no_cluster_fits",
                message=f"no cluster can take {name} yet: register one with `starform clusters register`",
                principal=principal,
                data={"app": name},
            )
        record_audit(
            session,
            clock,
            principal,
            action="app.create",
            resource_kind="app",
            workspace_id=ws.id,
            resource_id=app.id,
            resource_name=name,
            data={"repo_url": repo_url, "branch": branch},
        )
        uow.commit()
        return _public(session, ws, app, apps_domain=apps_domain, apps_port=apps_port)


def list_apps(
    *, uow: UnitOfWork, principal: Principal, workspace: str, apps_domain: str, apps_port: int | None = None
) -> list[AppPublic]:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        apps = uow.session.exec(select(App).where(App.workspace_id == ws.id).order_by(App.name)).all()
        return [_public(uow.session, ws, a, apps_domain=apps_domain, apps_port=apps_port) for a in apps]


def get_app(
    *,
    uow: UnitOfWork,
    principal: Principal,
    workspace: str,
    name: str,
    apps_domain: str,
    apps_port: int | None = None,
) -> AppPublic:
    with uow:
        ws, app = app_for(uow.session, principal, workspace, name, Role.VIEWER)
        return _public(uow.session, ws, app, apps_domain=apps_domain, apps_port=apps_port)


def update_app(
    *,
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    workspace: str,
    name: str,
    body: AppUpdate,
    apps_domain: str,
    apps_port: int | None = None,
) -> AppPublic:
    changes = body.model_dump(exclude_unset=True)
    checks = {"repo_url": validate.repo_url, "branch": validate.branch, "health_path": validate.health_path}
    for key, check in checks.items():
        if changes.get(key) is not None:
            check(changes[key])
    with uow:
        ws, app = app_for(uow.session, principal, workspace, name, Role.MEMBER)
        for key, value in changes.items():
            if value is not None or key in ("build_command", "start_command"):
                setattr(app, key, value)
        app.updated_at = clock.now()
        record_audit(
            uow.session,
            clock,
            principal,
            action="app.update",
            resource_kind="app",
            workspace_id=ws.id,
            resource_id=app.id,
            resource_name=name,
            data={"fields": sorted(changes)},
        )
        uow.commit()
        return _public(uow.session, ws, app, apps_domain=apps_domain, apps_port=apps_port)


def delete_app(*, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, name: str) -> None:
    """The app leaves its clusters' desired state (generation grows) and its rows go, atomically."""
    with uow:
        session = uow.session
        ws, app = app_for(session, principal, workspace, name, Role.ADMIN)
        for env in session.exec(select(Environment).where(Environment.app_id == app.id)).all():
            if env.cluster_id is not None and env.current_release_id is not None:
                bump_generation(session, env.cluster_id)
            env.current_release_id = None
        session.flush()
        record_event(
            session,
            clock,
            type="app.deleted",
            category="app",
            resource_kind="app",
            resource_id=app.id,
            resource_name=name,
            workspace_id=ws.id,
            new_state="deleted",
            message=f"app {name} deleted",
            principal=principal,
            data={"app": name},
        )
        record_audit(
            session,
            clock,
            principal,
            action="app.delete",
            resource_kind="app",
            workspace_id=ws.id,
            resource_id=app.id,
            resource_name=name,
        )
        session.delete(app)
        uow.commit()


def app_status(*, uow: UnitOfWork, principal: Principal, workspace: str, name: str) -> StatusPublic:
    with uow:
        _ws, app = app_for(uow.session, principal, workspace, name, Role.VIEWER)
        return _status(uow.session, app)


def _status(session: Session, app: App) -> StatusPublic:
    env = environment_of(session, app)
    release = session.get(Release, env.current_release_id) if env.current_release_id else None
    cluster = session.get(Cluster, env.cluster_id) if env.cluster_id else None
    observed = None
    if env.cluster_id is not None:
        observed = session.exec(
            select(WorkloadStatus).where(
                WorkloadStatus.environment_id == env.id, WorkloadStatus.cluster_id == env.cluster_id
            )
        ).first()
    observed_release = session.get(Release, observed.release_id) if observed and observed.release_id else None
    return StatusPublic(
        app=app.name,
        environment=env.name,
        status=_derive(env, release, observed, cluster),
        release=release.name if release else None,
        observed_release=observed_release.name if observed_release else None,
        ready_replicas=observed.ready_replicas if observed else 0,
        desired_replicas=release.replicas if release else 0,
        restarts=observed.restarts if observed else 0,
        crash_looping=observed.crash_looping if observed else False,
        last_exit_reason=observed.last_exit_reason if observed else None,
        cluster=cluster.name if cluster else None,
        observed_at=observed.observed_at if observed else None,
    )


def _derive(env: Environment, release: Release | None, observed: WorkloadStatus | None, cluster: Cluster | None) -> str:
    """The status users see comes from Shuttle's report; before one arrives, it says what is pending."""
    if cluster is None:
        return "unplaced"
    if release is None or release.artifact_digest is None:
        return "new"
    if observed is None:
        return "deploying"
    if observed.release_id != release.id and observed.phase not in ("crash_looping", "failed"):
        return "deploying"
    return observed.phase


def _public(session: Session, ws: Workspace, app: App, *, apps_domain: str, apps_port: int | None) -> AppPublic:
    status = _status(session, app)
    env = environment_of(session, app)
    last = session.exec(
        select(Release.created_at)
        .where(Release.environment_id == env.id, Release.artifact_digest.is_not(None))  # type: ignore[union-attr]
        .order_by(col(Release.number).desc())
    ).first()
    return AppPublic(
        id=app.id,
        name=app.name,
        workspace=ws.name,
        repo_url=app.repo_url,
        branch=app.branch,
        url=app_url(app.name, ws.name, apps_domain=apps_domain, apps_port=apps_port),
        status=status.status,
        release=status.release,
        replicas=status.desired_replicas,
        ready_replicas=status.ready_replicas,
        cluster=status.cluster,
        root_dir=app.root_dir,
        build_command=app.build_command,
        start_command=app.start_command,
        health_path=app.health_path,
        created_at=app.created_at,
        last_deployed_at=last,
    )
