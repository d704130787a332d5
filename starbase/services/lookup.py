"""Finding resources by name through the tenant filter: a workspace the caller cannot see, or anything
in it, is "not found"."""

from __future__ import annotations

from sqlmodel import Session, select

from starbase.errors import NotFound
from starbase.models import App, Environment, Role, VarGroup, Workspace
from starbase.services.access import Principal, require

DEFAULT_ENVIRONMENT = "production"


def workspace_for(session: Session, principal: Principal, name: str, minimum: Role) -> Workspace:
    ws = session.exec(select(Workspace).where(Workspace.name == name)).first()
    if ws is None or principal.role_in(ws.id) is None:
        raise NotFound(f"workspace '{name}' not found", field="workspace")
    require(principal, ws.id, minimum)
    return ws


def app_for(session: Session, principal: Principal, workspace: str, name: str, minimum: Role) -> tuple[Workspace, App]:
    ws = workspace_for(session, principal, workspace, Role.VIEWER)
    app = session.exec(select(App).where(App.workspace_id == ws.id, App.name == name)).first()
    if app is None:
        raise NotFound(f"app '{name}' not found in workspace '{workspace}'", field="app")
    require(principal, ws.id, minimum)
    return ws, app


def environment_of(session: Session, app: App, name: str = DEFAULT_ENVIRONMENT) -> Environment:
    env = session.exec(select(Environment).where(Environment.app_id == app.id, Environment.name == name)).first()
    if env is None:
        raise NotFound(f"environment '{name}' of app '{app.name}' not found", field="environment")
    return env


def group_for(
    session: Session, principal: Principal, workspace: str, name: str, minimum: Role
) -> tuple[Workspace, VarGroup]:
    ws = workspace_for(session, principal, workspace, Role.VIEWER)
    group = session.exec(select(VarGroup).where(VarGroup.workspace_id == ws.id, VarGroup.name == name)).first()
    if group is None:
        raise NotFound(f"var group '{name}' not found in workspace '{workspace}'", field="group")
    require(principal, ws.id, minimum)
    return ws, group
