"""Releases: immutable ``vN`` = artifact + sealed snapshot of the resolved config (variables, scale, run
settings). Any config change cuts a new release; a rollback cuts a new release from an older one's
artifact and snapshot without rebuilding. Cutting a release moves the environment's pointer and grows
its cluster's desired-state generation in the same transaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlmodel import Session, col, func, select

from starbase.contracts import Artifact
from starbase.crypto import SecretBox
from starbase.models import (
    App,
    AppVariable,
    Deployment,
    Environment,
    Release,
    Role,
    VarGroupAttachment,
    Variable,
    Workspace,
)
from starbase.ports import BuildPlan, Clock, UnitOfWork
from starbase.services.access import Principal
from starbase.services.clusters import DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MB, bump_generation
from starbase.services.dto import ReleasePublic
from starbase.services.events import record_audit, record_event
from starbase.services.lookup import app_for, environment_of

DEFAULT_CONFIG: dict[str, Any] = {
    "env": {},
    "replicas": 1,
    "cpu_millis": DEFAULT_CPU_MILLIS,
    "memory_mb": DEFAULT_MEMORY_MB,
    "command": [],
    "port": 8080,
    "health_path": "/",
}
LIMITS = {"replicas": (0, 100), "cpu_millis": (10, 64_000), "memory_mb": (16, 262_144)}


def resolve_vars(session: Session, box: SecretBox, app: App) -> dict[str, str]:
    """Attached groups in ``position`` order (later wins), then the app's own values on top."""
    resolved: dict[str, str] = {}
    groups = session.exec(
        select(VarGroupAttachment)
        .where(VarGroupAttachment.app_id == app.id)
        .order_by(col(VarGroupAttachment.position), col(VarGroupAttachment.created_at))
    ).all()
    for attachment in groups:
        for var in session.exec(select(Variable).where(Variable.group_id == attachment.group_id)).all():
            resolved[var.name] = var.reveal(box)
    for var in session.exec(select(AppVariable).where(AppVariable.app_id == app.id)).all():
        resolved[var.name] = var.reveal(box)
    return dict(sorted(resolved.items()))


def release_config(box: SecretBox, release: Release | None) -> dict[str, Any]:
    if release is None:
        return json.loads(json.dumps(DEFAULT_CONFIG))
    return {**DEFAULT_CONFIG, **json.loads(release.reveal(box))}


def current_release(session: Session, env: Environment) -> Release | None:
    return None if env.current_release_id is None else session.get(Release, env.current_release_id)


def cut_release(
    session: Session,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    *,
    app: App,
    env: Environment,
    description: str,
    changes: list[dict[str, Any]],
    config: dict[str, Any] | None = None,
    artifact: tuple[str | None, str | None, str | None] | None = None,
    build_id: uuid.UUID | None = None,
    rollback_of: Release | None = None,
    overrides: dict[str, Any] | None = None,
) -> Release:
    """Record release vN+1 and make it current. ``config`` defaults to the current one with variables
    resolved afresh and ``overrides`` (scale, run settings of a new build) on top; ``artifact`` (kind, ref,
    digest) defaults to the current release's."""
    previous = current_release(session, env)
    if config is None:
        config = release_config(box, previous)
        config["env"] = resolve_vars(session, box, app)
        config["health_path"] = app.health_path
        if app.start_command:  # run by a shell, like a plan's start command, so $PORT expands
            config["command"] = ["bash", "-c", app.start_command]
        config.update(overrides or {})
    if artifact is None:
        artifact = (
            (previous.artifact_kind, previous.artifact_ref, previous.artifact_digest)
            if previous
            else (None, None, None)
        )
    number = (session.exec(select(func.max(Release.number)).where(Release.environment_id == env.id)).one() or 0) + 1
    body = json.dumps(config, sort_keys=True)
    release = Release(
        app_id=app.id,
        environment_id=env.id,
        number=number,
        build_id=build_id,
        artifact_kind=artifact[0],
        artifact_ref=artifact[1],
        artifact_digest=artifact[2],
        config_sealed=b"",
        config_digest=box.fingerprint(body),
        changes=changes,
        description=description[:1024],
        rollback_of_id=rollback_of.id if rollback_of else None,
        created_by=principal.name,
        created_at=clock.now(),
        replicas=config["replicas"],
        cpu_millis=config["cpu_millis"],
        memory_mb=config["memory_mb"],
    )
    release.seal(box, body)
    session.add(release)
    session.flush()
    env.current_release_id = release.id
    if env.cluster_id is not None and release.artifact_digest is not None:
        generation = bump_generation(session, env.cluster_id)
        session.add(
            Deployment(
                release_id=release.id,
                environment_id=env.id,
                cluster_id=env.cluster_id,
                generation=generation,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    record_event(
        session,
        clock,
        type="release.created",
        category="deploy",
        resource_kind="release",
        resource_id=release.id,
        resource_name=f"{app.name} {release.name}",
        workspace_id=app.workspace_id,
        new_state=release.name,
        previous_state=previous.name if previous else None,
        message=f"{app.name} {release.name}: {description}",
        principal=principal,
        data={"app": app.name, "changes": changes},
    )
    return release


def release_public(session: Session, release: Release, app: App, env: Environment) -> ReleasePublic:
    rollback_of = session.get(Release, release.rollback_of_id) if release.rollback_of_id else None
    return ReleasePublic(
        id=release.id,
        app=app.name,
        version=release.name,
        number=release.number,
        description=release.description,
        changes=release.changes,
        artifact_digest=release.artifact_digest,
        current=env.current_release_id == release.id,
        healthy=release.healthy_at is not None,
        rollback_of=rollback_of.name if rollback_of else None,
        created_by=release.created_by,
        created_at=release.created_at,
    )


def list_releases(*, uow: UnitOfWork, principal: Principal, workspace: str, app: str) -> list[ReleasePublic]:
    with uow:
        _ws, found = app_for(uow.session, principal, workspace, app, Role.VIEWER)
        env = environment_of(uow.session, found)
        rows = uow.session.exec(
            select(Release).where(Release.environment_id == env.id).order_by(col(Release.number).desc())
        ).all()
        return [release_public(uow.session, r, found, env) for r in rows]


def audit_app(
    session: Session, clock: Clock, principal: Principal, ws: Workspace, app: App, action: str, data: dict[str, Any]
) -> None:
    record_audit(
        session,
        clock,
        principal,
        action=action,
        resource_kind="app",
        workspace_id=ws.id,
        resource_id=app.id,
        resource_name=app.name,
        data=data,
    )


def release_artifact(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    app: str,
    artifact: Artifact,
    description: str,
    build_id: uuid.UUID | None = None,
    plan: BuildPlan | None = None,
) -> ReleasePublic:
    """A successful build becomes the next release: its artifact with the current config."""
    with uow:
        ws, found = app_for(uow.session, principal, workspace, app, Role.MEMBER)
        env = environment_of(uow.session, found)
        overrides = None
        if plan is not None:  # run settings come from the build's plan
            overrides = {
                "port": plan.port,
                "command": ["bash", "-c", plan.start] if plan.start else [],
                "static_dir": plan.static_dir,
            }
        release = cut_release(
            uow.session,
            box,
            clock,
            principal,
            app=found,
            env=env,
            description=description,
            changes=[{"action": "deploy", "digest": artifact.digest}],
            artifact=(artifact.kind, artifact.ref, artifact.digest),
            build_id=build_id,
            overrides=overrides,
        )
        audit_app(uow.session, clock, principal, ws, found, "app.release", {"release": release.name})
        uow.commit()
        return release_public(uow.session, release, found, env)
