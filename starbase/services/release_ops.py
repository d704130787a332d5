"""Changes that cut releases from existing ones: rollback (to a chosen or the previous release, by a user
or by auto-rollback), scale, and the releases a Var Group change makes for every attached app."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from starbase.crypto import SecretBox
from starbase.errors import Conflict, Invalid, NotFound
from starbase.models import App, Environment, Release, Role, VarGroup, VarGroupAttachment
from starbase.ports import Clock, UnitOfWork
from starbase.services import validate
from starbase.services.access import Principal
from starbase.services.dto import ReleasePublic, RollbackRequest, ScaleChange
from starbase.services.events import record_audit
from starbase.services.lookup import app_for, environment_of
from starbase.services.releases import (
    LIMITS,
    audit_app,
    current_release,
    cut_release,
    release_config,
    release_public,
)


def rollback(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    app: str,
    body: RollbackRequest,
) -> ReleasePublic:
    with uow:
        _ws, found = app_for(uow.session, principal, workspace, app, Role.MEMBER)
        env = environment_of(uow.session, found)
        current = current_release(uow.session, env)
        if current is None:
            raise Conflict(f"app '{app}' has no release to roll back from", field="to")
        target = _rollback_target(uow.session, env, current, body.to)
        release = rollback_to(
            uow.session, box, clock, principal, app=found, env=env, target=target, reason=f"Rollback to {target.name}"
        )
        record_audit(
            uow.session,
            clock,
            principal,
            action="release.rollback",
            resource_kind="app",
            workspace_id=found.workspace_id,
            resource_id=found.id,
            resource_name=app,
            data={"to": target.name, "release": release.name},
        )
        uow.commit()
        return release_public(uow.session, release, found, env)


def rollback_to(
    session: Session,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    *,
    app: App,
    env: Environment,
    target: Release,
    reason: str,
) -> Release:
    return cut_release(
        session,
        box,
        clock,
        principal,
        app=app,
        env=env,
        description=reason,
        changes=[{"action": "rollback", "to": target.name}],
        config=release_config(box, target),
        artifact=(target.artifact_kind, target.artifact_ref, target.artifact_digest),
        build_id=target.build_id,
        rollback_of=target,
    )


def _rollback_target(session: Session, env: Environment, current: Release, to: str | None) -> Release:
    if to is None:
        target = session.exec(
            select(Release)
            .where(Release.environment_id == env.id, Release.number < current.number)
            .order_by(col(Release.number).desc())
        ).first()
        if target is None:
            raise Conflict(f"{current.name} is the first release: there is nothing before it", field="to")
        return target
    if not to.startswith("v") or not to[1:].isdigit():
        raise Invalid(f"{to!r} is not a release: use vN, e.g. v3", field="to")
    target = session.exec(
        select(Release).where(Release.environment_id == env.id, Release.number == int(to[1:]))
    ).first()
    if target is None:
        raise NotFound(f"release {to} not found", field="to")
    if target.id == current.id:
        raise Conflict(f"{to} is already the current release", field="to")
    return target


def scale(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    app: str,
    body: ScaleChange,
) -> ReleasePublic:
    wanted = {k: v for k, v in body.model_dump().items() if v is not None}
    if not wanted:
        raise Invalid("give replicas, cpu_millis or memory_mb", field="replicas")
    for key, value in wanted.items():
        low, high = LIMITS[key]
        validate.within(value, low=low, high=high, field=key)
    with uow:
        ws, found = app_for(uow.session, principal, workspace, app, Role.MEMBER)
        env = environment_of(uow.session, found)
        summary = ", ".join(f"{k}={v}" for k, v in wanted.items())
        release = cut_release(
            uow.session,
            box,
            clock,
            principal,
            app=found,
            env=env,
            description=f"Scale: {summary}",
            changes=[{"action": "scale", **wanted}],
            overrides=wanted,
        )
        audit_app(uow.session, clock, principal, ws, found, "app.scale", wanted)
        uow.commit()
        return release_public(uow.session, release, found, env)


def releases_for_group_change(
    session: Session,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    *,
    group: VarGroup,
    description: str,
    changes: list[dict[str, Any]],
    apps: list[App] | None = None,
) -> list[ReleasePublic]:
    """A new release for every app the group is attached to (or the given ``apps``)."""
    if apps is None:
        apps = list(
            session.exec(
                select(App)
                .join(VarGroupAttachment, col(VarGroupAttachment.app_id) == App.id)
                .where(VarGroupAttachment.group_id == group.id)
                .order_by(App.name)
            ).all()
        )
    out = []
    for app in apps:
        env = environment_of(session, app)
        release = cut_release(
            session, box, clock, principal, app=app, env=env, description=description, changes=changes
        )
        out.append(release_public(session, release, app, env))
    return out
