"""Variables: an app's own, and Var Groups shared by the apps they are attached to. Values are sealed
at rest, masked in every answer unless an admin asks to reveal them, and never logged. Every change cuts
a new release for each affected app, recording the names that changed (never the values)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session, col, select

from starbase.crypto import SecretBox
from starbase.errors import Conflict, NotFound
from starbase.models import App, AppVariable, Role, VarGroup, VarGroupAttachment, Variable
from starbase.ports import Clock, UnitOfWork
from starbase.services import validate
from starbase.services.access import Principal, require
from starbase.services.dto import (
    MASK,
    ReleasePublic,
    VarChange,
    VarGroupChanged,
    VarGroupCreate,
    VarGroupPublic,
    VarPublic,
)
from starbase.services.events import record_audit
from starbase.services.lookup import app_for, environment_of, group_for, workspace_for
from starbase.services.release_ops import releases_for_group_change
from starbase.services.releases import cut_release, release_public

Var = TypeVar("Var", AppVariable, Variable)


def describe(change: VarChange) -> tuple[str, list[dict[str, str]]]:
    parts = []
    if change.set:
        parts.append("Set " + ", ".join(sorted(change.set)))
    if change.unset:
        parts.append("Unset " + ", ".join(sorted(change.unset)))
    changes = [{"action": "set", "name": n} for n in sorted(change.set)]
    changes += [{"action": "unset", "name": n} for n in sorted(change.unset)]
    return "; ".join(parts), changes


def list_app_vars(
    *, uow: UnitOfWork, box: SecretBox, principal: Principal, workspace: str, app: str, reveal: bool = False
) -> list[VarPublic]:
    with uow:
        ws, found = app_for(uow.session, principal, workspace, app, Role.VIEWER)
        if reveal:
            require(principal, ws.id, Role.ADMIN)
        show = (lambda v: v.reveal(box)) if reveal else (lambda _v: MASK)
        own = {v.name: v for v in uow.session.exec(select(AppVariable).where(AppVariable.app_id == found.id)).all()}
        out = [VarPublic(name=n, value=show(v), source="app") for n, v in own.items()]
        attached = uow.session.exec(
            select(VarGroup)
            .join(VarGroupAttachment, col(VarGroupAttachment.group_id) == VarGroup.id)
            .where(VarGroupAttachment.app_id == found.id)
            .order_by(col(VarGroupAttachment.position))
        ).all()
        for group in attached:
            for var in uow.session.exec(select(Variable).where(Variable.group_id == group.id)).all():
                out.append(VarPublic(name=var.name, value=show(var), source=group.name, overridden=var.name in own))
        return sorted(out, key=lambda v: (v.name, v.source != "app"))


def change_app_vars(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    app: str,
    change: VarChange,
) -> ReleasePublic:
    validate.var_changes(change.set, change.unset)
    with uow:
        session = uow.session
        ws, found = app_for(session, principal, workspace, app, Role.MEMBER)
        existing = session.exec(select(AppVariable).where(AppVariable.app_id == found.id)).all()
        _apply(
            session,
            box,
            clock,
            change,
            existing,
            lambda key: AppVariable(app_id=found.id, name=key),
            owner=f"app '{app}'",
        )
        description, changes = describe(change)
        env = environment_of(session, found)
        release = cut_release(
            session, box, clock, principal, app=found, env=env, description=description, changes=changes
        )
        record_audit(
            session,
            clock,
            principal,
            action="env.change",
            resource_kind="app",
            workspace_id=ws.id,
            resource_id=found.id,
            resource_name=app,
            data={"changes": changes, "release": release.name},
        )
        uow.commit()
        return release_public(session, release, found, env)


def _apply(
    session: Session,
    box: SecretBox,
    clock: Clock,
    change: VarChange,
    existing: Sequence[Var],
    new: Callable[[str], Var],
    *,
    owner: str,
) -> None:
    """Seal the set values (new rows where needed) and delete the unset ones; refuse unknown names first."""
    by_name = {v.name: v for v in existing}
    missing = [n for n in change.unset if n not in by_name]
    if missing:
        raise NotFound(f"{owner} has no variable {', '.join(missing)}", field=f"unset.{missing[0]}")
    for key, value in change.set.items():
        var = by_name.get(key) or new(key)
        var.seal(box, value)
        var.updated_at = clock.now()
        session.add(var)
    for key in change.unset:
        session.delete(by_name[key])
    session.flush()


# --- var groups --------------------------------------------------------------------------------------


def create_group(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, body: VarGroupCreate
) -> VarGroupPublic:
    name = validate.dns_label(body.name)
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.MEMBER)
        if uow.session.exec(select(VarGroup).where(VarGroup.workspace_id == ws.id, VarGroup.name == name)).first():
            raise Conflict(f"var group '{name}' already exists", field="name")
        group = VarGroup(workspace_id=ws.id, name=name, description=body.description, created_at=clock.now())
        uow.session.add(group)
        uow.session.flush()
        record_audit(
            uow.session,
            clock,
            principal,
            action="vargroup.create",
            resource_kind="vargroup",
            workspace_id=ws.id,
            resource_id=group.id,
            resource_name=name,
        )
        uow.commit()
        return group_public(uow.session, group)


def list_groups(*, uow: UnitOfWork, principal: Principal, workspace: str) -> list[VarGroupPublic]:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        groups = uow.session.exec(select(VarGroup).where(VarGroup.workspace_id == ws.id).order_by(VarGroup.name)).all()
        return [group_public(uow.session, g) for g in groups]


def get_group(*, uow: UnitOfWork, principal: Principal, workspace: str, name: str) -> VarGroupPublic:
    with uow:
        _ws, group = group_for(uow.session, principal, workspace, name, Role.VIEWER)
        return group_public(uow.session, group)


def change_group_vars(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    name: str,
    change: VarChange,
) -> VarGroupChanged:
    validate.var_changes(change.set, change.unset)
    with uow:
        session = uow.session
        ws, group = group_for(session, principal, workspace, name, Role.MEMBER)
        existing = session.exec(select(Variable).where(Variable.group_id == group.id)).all()
        _apply(
            session,
            box,
            clock,
            change,
            existing,
            lambda key: Variable(group_id=group.id, name=key),
            owner=f"var group '{name}'",
        )
        description, changes = describe(change)
        releases = releases_for_group_change(
            session,
            box,
            clock,
            principal,
            group=group,
            description=f"{description} (var group {name})",
            changes=changes,
        )
        record_audit(
            session,
            clock,
            principal,
            action="vargroup.change",
            resource_kind="vargroup",
            workspace_id=ws.id,
            resource_id=group.id,
            resource_name=name,
            data={"changes": changes, "releases": [f"{r.app} {r.version}" for r in releases]},
        )
        uow.commit()
        return VarGroupChanged(group=group_public(session, group), releases=releases)


def attach_group(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    clock: Clock,
    principal: Principal,
    workspace: str,
    name: str,
    app: str,
    attach: bool,
) -> VarGroupChanged:
    with uow:
        session = uow.session
        ws, group = group_for(session, principal, workspace, name, Role.MEMBER)
        _ws, found = app_for(session, principal, workspace, app, Role.MEMBER)
        link = session.exec(
            select(VarGroupAttachment).where(
                VarGroupAttachment.group_id == group.id, VarGroupAttachment.app_id == found.id
            )
        ).first()
        if attach and link is not None:
            raise Conflict(f"var group '{name}' is already attached to '{app}'", field="app")
        if not attach and link is None:
            raise NotFound(f"var group '{name}' is not attached to '{app}'", field="app")
        if attach:
            position = len(session.exec(select(VarGroupAttachment).where(VarGroupAttachment.app_id == found.id)).all())
            session.add(
                VarGroupAttachment(group_id=group.id, app_id=found.id, position=position, created_at=clock.now())
            )
        else:
            session.delete(link)
        session.flush()
        verb = "Attach" if attach else "Detach"
        releases = releases_for_group_change(
            session,
            box,
            clock,
            principal,
            group=group,
            description=f"{verb} var group {name}",
            changes=[{"action": verb.lower(), "group": name}],
            apps=[found],
        )
        record_audit(
            session,
            clock,
            principal,
            action=f"vargroup.{verb.lower()}",
            resource_kind="vargroup",
            workspace_id=ws.id,
            resource_id=group.id,
            resource_name=name,
            data={"app": app},
        )
        uow.commit()
        return VarGroupChanged(group=group_public(session, group), releases=releases)


def delete_group(
    *, uow: UnitOfWork, box: SecretBox, clock: Clock, principal: Principal, workspace: str, name: str
) -> VarGroupChanged:
    with uow:
        session = uow.session
        ws, group = group_for(session, principal, workspace, name, Role.ADMIN)
        public = group_public(session, group)
        apps = list(
            session.exec(
                select(App)
                .join(VarGroupAttachment, col(VarGroupAttachment.app_id) == App.id)
                .where(VarGroupAttachment.group_id == group.id)
            ).all()
        )
        session.delete(group)
        session.flush()
        releases = releases_for_group_change(
            session,
            box,
            clock,
            principal,
            group=group,
            apps=apps,
            description=f"Delete var group {name}",
            changes=[{"action": "detach", "group": name}],
        )
        record_audit(
            session,
            clock,
            principal,
            action="vargroup.delete",
            resource_kind="vargroup",
            workspace_id=ws.id,
            resource_name=name,
        )
        uow.commit()
        return VarGroupChanged(group=public, releases=releases)


def group_public(session: Session, group: VarGroup) -> VarGroupPublic:
    names = sorted(v.name for v in session.exec(select(Variable).where(Variable.group_id == group.id)).all())
    apps = sorted(
        a.name
        for a in session.exec(
            select(App)
            .join(VarGroupAttachment, col(VarGroupAttachment.app_id) == App.id)
            .where(VarGroupAttachment.group_id == group.id)
        ).all()
    )
    return VarGroupPublic(
        id=group.id, name=group.name, description=group.description, vars=names, apps=apps, created_at=group.created_at
    )
