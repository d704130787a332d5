"""Routes for the caller, workspaces, members, tokens, events and the audit log."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from starbase.http.deps import SB, Caller
from starbase.services import auth, events, workspaces
from starbase.services.dto import (
    AuditPublic,
    EventPublic,
    Me,
    MemberAdd,
    MemberPublic,
    MemberUpdate,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    WorkspaceCreate,
    WorkspacePublic,
)

router = APIRouter(tags=["workspaces"])
WS = "/workspaces/{workspace}"


@router.get("/me")
def me(sb: SB, caller: Caller) -> Me:
    return auth.whoami(uow=sb.uow, principal=caller)


@router.get("/workspaces")
def list_workspaces(sb: SB, caller: Caller) -> list[WorkspacePublic]:
    return workspaces.list_workspaces(uow=sb.uow, principal=caller)


@router.post("/workspaces", status_code=status.HTTP_201_CREATED)
def create_workspace(body: WorkspaceCreate, sb: SB, caller: Caller) -> WorkspacePublic:
    return workspaces.create_workspace(uow=sb.uow, clock=sb.clock, principal=caller, body=body)


@router.get(WS + "/members")
def list_members(workspace: str, sb: SB, caller: Caller) -> list[MemberPublic]:
    return workspaces.list_members(uow=sb.uow, principal=caller, workspace=workspace)


@router.post(WS + "/members", status_code=status.HTTP_201_CREATED)
def add_member(workspace: str, body: MemberAdd, sb: SB, caller: Caller) -> MemberPublic:
    return workspaces.add_member(
        uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, login=body.login, role=body.role
    )


@router.patch(WS + "/members/{login}")
def set_member_role(workspace: str, login: str, body: MemberUpdate, sb: SB, caller: Caller) -> MemberPublic:
    return workspaces.set_member_role(
        uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, login=login, role=body.role
    )


@router.delete(WS + "/members/{login}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(workspace: str, login: str, sb: SB, caller: Caller) -> None:
    workspaces.remove_member(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, login=login)


@router.get(WS + "/tokens")
def list_tokens(workspace: str, sb: SB, caller: Caller) -> list[TokenPublic]:
    return workspaces.list_tokens(uow=sb.uow, principal=caller, workspace=workspace)


@router.post(WS + "/tokens", status_code=status.HTTP_201_CREATED)
def create_token(workspace: str, body: TokenCreate, sb: SB, caller: Caller) -> TokenCreated:
    return workspaces.create_token(
        uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, name=body.name, role=body.role
    )


@router.delete(WS + "/tokens/{token_id}")
def revoke_token(workspace: str, token_id: uuid.UUID, sb: SB, caller: Caller) -> TokenPublic:
    return workspaces.revoke_token(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, token_id=token_id)


@router.get(WS + "/events")
def list_events(
    workspace: str, sb: SB, caller: Caller, app: str | None = None, limit: int = Query(100, ge=1, le=1000)
) -> list[EventPublic]:
    return events.list_events(uow=sb.uow, principal=caller, workspace=workspace, app=app, limit=limit)


@router.get(WS + "/audit")
def list_audit(workspace: str, sb: SB, caller: Caller, limit: int = Query(100, ge=1, le=1000)) -> list[AuditPublic]:
    return events.list_audit(uow=sb.uow, principal=caller, workspace=workspace, limit=limit)
