"""Routes for apps, their variables, releases, scale and observed status, and Var Groups."""

from __future__ import annotations

from fastapi import APIRouter, status

from starbase.http.deps import SB, Caller
from starbase.services import apps, release_ops, releases, variables
from starbase.services.dto import (
    AppCreate,
    AppPublic,
    AppUpdate,
    ReleasePublic,
    RollbackRequest,
    ScaleChange,
    StatusPublic,
    VarChange,
    VarGroupChanged,
    VarGroupCreate,
    VarGroupPublic,
    VarPublic,
)

router = APIRouter(tags=["apps"])
APPS = "/workspaces/{workspace}/apps"
APP = APPS + "/{app}"
GROUPS = "/workspaces/{workspace}/vargroups"


def _urls(sb: SB) -> dict[str, object]:
    return {"apps_domain": sb.settings.apps_domain, "apps_port": sb.settings.apps_port}


@router.get(APPS)
def list_apps(workspace: str, sb: SB, caller: Caller) -> list[AppPublic]:
    return apps.list_apps(uow=sb.uow, principal=caller, workspace=workspace, **_urls(sb))  # type: ignore[arg-type]


@router.post(APPS, status_code=status.HTTP_201_CREATED)
def create_app(workspace: str, body: AppCreate, sb: SB, caller: Caller) -> AppPublic:
    return apps.create_app(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, body=body, **_urls(sb))  # type: ignore[arg-type]


@router.get(APP)
def get_app(workspace: str, app: str, sb: SB, caller: Caller) -> AppPublic:
    return apps.get_app(uow=sb.uow, principal=caller, workspace=workspace, name=app, **_urls(sb))  # type: ignore[arg-type]


@router.patch(APP)
def update_app(workspace: str, app: str, body: AppUpdate, sb: SB, caller: Caller) -> AppPublic:
    return apps.update_app(
        uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, name=app, body=body, **_urls(sb)
    )  # type: ignore[arg-type]


@router.delete(APP, status_code=status.HTTP_204_NO_CONTENT)
def delete_app(workspace: str, app: str, sb: SB, caller: Caller) -> None:
    apps.delete_app(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, name=app)


@router.get(APP + "/status")
def app_status(workspace: str, app: str, sb: SB, caller: Caller) -> StatusPublic:
    return apps.app_status(uow=sb.uow, principal=caller, workspace=workspace, name=app)


@router.get(APP + "/env")
def list_env(workspace: str, app: str, sb: SB, caller: Caller, reveal: bool = False) -> list[VarPublic]:
    return variables.list_app_vars(
        uow=sb.uow, box=sb.secrets, principal=caller, workspace=workspace, app=app, reveal=reveal
    )


@router.patch(APP + "/env")
def change_env(workspace: str, app: str, body: VarChange, sb: SB, caller: Caller) -> ReleasePublic:
    return variables.change_app_vars(
        uow=sb.uow, box=sb.secrets, clock=sb.clock, principal=caller, workspace=workspace, app=app, change=body
    )


@router.get(APP + "/releases")
def list_releases(workspace: str, app: str, sb: SB, caller: Caller) -> list[ReleasePublic]:
    return releases.list_releases(uow=sb.uow, principal=caller, workspace=workspace, app=app)


@router.post(APP + "/rollback", status_code=status.HTTP_201_CREATED)
def rollback(workspace: str, app: str, body: RollbackRequest, sb: SB, caller: Caller) -> ReleasePublic:
    return release_ops.rollback(
        uow=sb.uow, box=sb.secrets, clock=sb.clock, principal=caller, workspace=workspace, app=app, body=body
    )


@router.post(APP + "/scale", status_code=status.HTTP_201_CREATED)
def scale(workspace: str, app: str, body: ScaleChange, sb: SB, caller: Caller) -> ReleasePublic:
    return release_ops.scale(
        uow=sb.uow, box=sb.secrets, clock=sb.clock, principal=caller, workspace=workspace, app=app, body=body
    )


@router.get(GROUPS)
def list_groups(workspace: str, sb: SB, caller: Caller) -> list[VarGroupPublic]:
    return variables.list_groups(uow=sb.uow, principal=caller, workspace=workspace)


@router.post(GROUPS, status_code=status.HTTP_201_CREATED)
def create_group(workspace: str, body: VarGroupCreate, sb: SB, caller: Caller) -> VarGroupPublic:
    return variables.create_group(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, body=body)


@router.get(GROUPS + "/{group}")
def get_group(workspace: str, group: str, sb: SB, caller: Caller) -> VarGroupPublic:
    return variables.get_group(uow=sb.uow, principal=caller, workspace=workspace, name=group)


@router.delete(GROUPS + "/{group}")
def delete_group(workspace: str, group: str, sb: SB, caller: Caller) -> VarGroupChanged:
    return variables.delete_group(
        uow=sb.uow, box=sb.secrets, clock=sb.clock, principal=caller, workspace=workspace, name=group
    )


@router.patch(GROUPS + "/{group}/vars")
def change_group_vars(workspace: str, group: str, body: VarChange, sb: SB, caller: Caller) -> VarGroupChanged:
    return variables.change_group_vars(
        uow=sb.uow, box=sb.secrets, clock=sb.clock, principal=caller, workspace=workspace, name=group, change=body
    )


@router.put(GROUPS + "/{group}/apps/{app}")
def attach_group(workspace: str, group: str, app: str, sb: SB, caller: Caller) -> VarGroupChanged:
    return variables.attach_group(
        uow=sb.uow,
        box=sb.secrets,
        clock=sb.clock,
        principal=caller,
        workspace=workspace,
        name=group,
        app=app,
        attach=True,
    )


@router.delete(GROUPS + "/{group}/apps/{app}")
def detach_group(workspace: str, group: str, app: str, sb: SB, caller: Caller) -> VarGroupChanged:
    return variables.attach_group(
        uow=sb.uow,
        box=sb.secrets,
        clock=sb.clock,
        principal=caller,
        workspace=workspace,
        name=group,
        app=app,
        attach=False,
    )
