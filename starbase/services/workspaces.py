"""Workspaces, their members (roles owner/admin/member/viewer) and API tokens (shown once, kept hashed)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from starbase.crypto import hash_token, new_token
from starbase.errors import Conflict, Forbidden, Invalid, NotFound
from starbase.models import ApiToken, Member, Role, User, Workspace
from starbase.ports import Clock, UnitOfWork
from starbase.services import validate
from starbase.services.access import RANK, SYSTEM, Principal, at_least, parse_role, require
from starbase.services.dto import MemberPublic, TokenCreated, TokenPublic, WorkspaceCreate, WorkspacePublic
from starbase.services.events import record_audit
from starbase.services.lookup import workspace_for


def create_workspace(*, uow: UnitOfWork, clock: Clock, principal: Principal, body: WorkspaceCreate) -> WorkspacePublic:
    name = validate.dns_label(body.name)
    if principal.user_id is None:
        raise Forbidden("only a user (signed in, or with a personal token) can create a workspace")
    with uow:
        if uow.session.exec(select(Workspace).where(Workspace.name == name)).first() is not None:
            raise Conflict(f"workspace '{name}' already exists", field="name")
        ws = Workspace(name=name, display_name=body.display_name, created_at=clock.now())
        uow.session.add(ws)
        uow.session.flush()
        uow.session.add(Member(workspace_id=ws.id, user_id=principal.user_id, role=Role.OWNER, created_at=clock.now()))
        record_audit(
            uow.session,
            clock,
            principal,
            action="workspace.create",
            resource_kind="workspace",
            workspace_id=ws.id,
            resource_id=ws.id,
            resource_name=name,
        )
        uow.commit()
        return WorkspacePublic(
            id=ws.id, name=ws.name, display_name=ws.display_name, role=Role.OWNER, created_at=ws.created_at
        )


def list_workspaces(*, uow: UnitOfWork, principal: Principal) -> list[WorkspacePublic]:
    with uow:
        rows = uow.session.exec(select(Workspace).order_by(Workspace.name)).all()
        return [
            WorkspacePublic(
                id=w.id, name=w.name, display_name=w.display_name, role=principal.role_in(w.id), created_at=w.created_at
            )
            for w in rows
            if principal.role_in(w.id) is not None
        ]


# --- members -----------------------------------------------------------------------------------------


def list_members(*, uow: UnitOfWork, principal: Principal, workspace: str) -> list[MemberPublic]:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        rows = uow.session.exec(
            select(Member, User).join(User, col(User.id) == Member.user_id).where(Member.workspace_id == ws.id)
        ).all()
        return sorted(
            (MemberPublic(login=u.login, name=u.name, role=m.role, created_at=m.created_at) for m, u in rows),
            key=lambda m: (-RANK[m.role], m.login),
        )


def add_member(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, login: str, role: str
) -> MemberPublic:
    """Invite by GitHub login: the user is created on first sight and signs in with that login later."""
    wanted = parse_role(role)
    login = login.strip().lower()
    if not login or len(login) > 64:
        raise Invalid("is required (at most 64 characters)", field="login")
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.ADMIN)
        _may_grant(principal, ws.id, wanted)
        user = uow.session.exec(select(User).where(User.login == login)).first()
        if user is None:
            user = User(login=login, created_at=clock.now())
            uow.session.add(user)
            uow.session.flush()
        elif _membership(uow.session, ws.id, user.id) is not None:
            raise Conflict(f"'{login}' is already a member of '{workspace}'", field="login")
        member = Member(workspace_id=ws.id, user_id=user.id, role=wanted, created_at=clock.now())
        uow.session.add(member)
        record_audit(
            uow.session,
            clock,
            principal,
            action="member.add",
            resource_kind="member",
            workspace_id=ws.id,
            resource_name=login,
            data={"role": wanted},
        )
        uow.commit()
        return MemberPublic(login=user.login, name=user.name, role=wanted, created_at=member.created_at)


def set_member_role(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, login: str, role: str
) -> MemberPublic:
    wanted = parse_role(role)
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.ADMIN)
        user, member = _member_by_login(uow.session, ws.id, login)
        _may_grant(principal, ws.id, wanted)
        _may_grant(principal, ws.id, member.role)
        if member.role == Role.OWNER and wanted != Role.OWNER:
            _keep_an_owner(uow.session, ws.id)
        member.role = wanted
        record_audit(
            uow.session,
            clock,
            principal,
            action="member.set_role",
            resource_kind="member",
            workspace_id=ws.id,
            resource_name=login,
            data={"role": wanted},
        )
        uow.commit()
        return MemberPublic(login=user.login, name=user.name, role=wanted, created_at=member.created_at)


def remove_member(*, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, login: str) -> None:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.ADMIN)
        _user, member = _member_by_login(uow.session, ws.id, login)
        _may_grant(principal, ws.id, member.role)
        if member.role == Role.OWNER:
            _keep_an_owner(uow.session, ws.id)
        uow.session.delete(member)
        record_audit(
            uow.session,
            clock,
            principal,
            action="member.remove",
            resource_kind="member",
            workspace_id=ws.id,
            resource_name=login,
        )
        uow.commit()


def _may_grant(principal: Principal, workspace_id: uuid.UUID, role: Role) -> None:
    mine = principal.role_in(workspace_id)
    if not at_least(mine, role) or (role == Role.OWNER and mine != Role.OWNER):
        raise Forbidden(f"your role '{mine}' may not grant or change the role '{role}'")


def _keep_an_owner(session: Session, workspace_id: uuid.UUID) -> None:
    owners = session.exec(select(Member).where(Member.workspace_id == workspace_id, Member.role == Role.OWNER)).all()
    if len(owners) <= 1:
        raise Conflict("a workspace keeps at least one owner", field="role")


def _membership(session: Session, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Member | None:
    return session.exec(select(Member).where(Member.workspace_id == workspace_id, Member.user_id == user_id)).first()


def _member_by_login(session: Session, workspace_id: uuid.UUID, login: str) -> tuple[User, Member]:
    user = session.exec(select(User).where(User.login == login.strip().lower())).first()
    member = None if user is None else _membership(session, workspace_id, user.id)
    if user is None or member is None:
        raise NotFound(f"'{login}' is not a member", field="login")
    return user, member


# --- tokens ------------------------------------------------------------------------------------------


def create_token(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, name: str, role: str
) -> TokenCreated:
    """A token acts for the caller's user in one workspace, capped at ``role`` (at most the caller's)."""
    wanted = parse_role(role)
    if not name.strip() or len(name) > 100:
        raise Invalid("is required (at most 100 characters)", field="name")
    if principal.user_id is None:
        raise Forbidden("only a user can create tokens")
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        require(principal, ws.id, wanted)
        created = _issue_token(uow.session, clock, ws, principal.user_id, name.strip(), wanted)
        record_audit(
            uow.session,
            clock,
            principal,
            action="token.create",
            resource_kind="token",
            workspace_id=ws.id,
            resource_id=created.id,
            resource_name=created.name,
            data={"role": wanted},
        )
        uow.commit()
        return created


def list_tokens(*, uow: UnitOfWork, principal: Principal, workspace: str) -> list[TokenPublic]:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.ADMIN)
        rows = uow.session.exec(
            select(ApiToken).where(ApiToken.workspace_id == ws.id).order_by(col(ApiToken.created_at))
        ).all()
        return [_token_public(t, ws.name) for t in rows]


def revoke_token(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, workspace: str, token_id: uuid.UUID
) -> TokenPublic:
    with uow:
        ws = workspace_for(uow.session, principal, workspace, Role.VIEWER)
        token = uow.session.get(ApiToken, token_id)
        if token is None or token.workspace_id != ws.id:
            raise NotFound("token not found", field="token")
        if token.user_id != principal.user_id:
            require(principal, ws.id, Role.ADMIN)
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            record_audit(
                uow.session,
                clock,
                principal,
                action="token.revoke",
                resource_kind="token",
                workspace_id=ws.id,
                resource_id=token.id,
                resource_name=token.name,
            )
        uow.commit()
        return _token_public(token, ws.name)


def admin_create_token(
    *, uow: UnitOfWork, clock: Clock, workspace: str, role: str, name: str = "admin", login: str = "admin"
) -> TokenCreated:
    """Server-side bootstrap (``starform admin token create``): the workspace and user are created when
    missing, the user gets at least ``role`` there, and a token with that role is printed once."""
    wanted = parse_role(role)
    validate.dns_label(workspace, field="workspace")
    with uow:
        session = uow.session
        ws = session.exec(select(Workspace).where(Workspace.name == workspace)).first()
        if ws is None:
            ws = Workspace(name=workspace, created_at=clock.now())
            session.add(ws)
            session.flush()
        user = session.exec(select(User).where(User.login == login)).first()
        if user is None:
            user = User(login=login, is_local_admin=True, created_at=clock.now())
            session.add(user)
            session.flush()
        member = _membership(session, ws.id, user.id)
        if member is None:
            session.add(Member(workspace_id=ws.id, user_id=user.id, role=wanted, created_at=clock.now()))
        elif RANK[member.role] < RANK[wanted]:
            member.role = wanted
        created = _issue_token(session, clock, ws, user.id, name, wanted)
        record_audit(
            session,
            clock,
            SYSTEM,
            action="token.create",
            resource_kind="token",
            workspace_id=ws.id,
            resource_id=created.id,
            resource_name=name,
            data={"role": wanted, "for": login},
        )
        uow.commit()
        return created


def _issue_token(
    session: Session, clock: Clock, ws: Workspace, user_id: uuid.UUID, name: str, role: Role
) -> TokenCreated:
    secret = new_token("api")
    token = ApiToken(
        workspace_id=ws.id,
        user_id=user_id,
        name=name,
        role=role,
        prefix=secret[:12],
        token_hash=hash_token(secret),
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    return TokenCreated(**_token_public(token, ws.name).model_dump(), token=secret)


def _token_public(token: ApiToken, workspace: str) -> TokenPublic:
    data: dict[str, Any] = {
        k: getattr(token, k) for k in ("id", "name", "role", "prefix", "created_at", "last_used_at", "revoked_at")
    }
    return TokenPublic(workspace=workspace, **data)
