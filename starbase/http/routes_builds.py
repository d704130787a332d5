"""Routes for builds: start one (the Deploy button and ``starform deploy``), list, show, cancel, and read
its log as it grows (``after`` = the last cursor seen)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from starbase.http.deps import SB, Caller
from starbase.services import builds
from starbase.services.dto import BuildPublic, DeployRequest

router = APIRouter(tags=["builds"])


@router.post("/workspaces/{workspace}/apps/{app}/builds", status_code=status.HTTP_201_CREATED)
def start_build(workspace: str, app: str, body: DeployRequest, sb: SB, caller: Caller) -> BuildPublic:
    return builds.start_build(
        uow=sb.uow,
        clock=sb.clock,
        logs=sb.logs,
        principal=caller,
        workspace=workspace,
        app=app,
        ref=body.ref,
        trigger="api" if caller.kind == "token" else "ui",
    )


@router.get("/workspaces/{workspace}/apps/{app}/builds")
def list_builds(
    workspace: str, app: str, sb: SB, caller: Caller, limit: int = Query(50, ge=1, le=500)
) -> list[BuildPublic]:
    return builds.list_builds(uow=sb.uow, principal=caller, workspace=workspace, app=app, limit=limit)


@router.get("/builds/{build_id}")
def get_build(build_id: uuid.UUID, sb: SB, caller: Caller) -> BuildPublic:
    return builds.get_build(uow=sb.uow, principal=caller, build_id=build_id)


@router.post("/builds/{build_id}/cancel")
def cancel_build(build_id: uuid.UUID, sb: SB, caller: Caller) -> BuildPublic:
    return builds.cancel_build(uow=sb.uow, clock=sb.clock, logs=sb.logs, principal=caller, build_id=build_id)


@router.get("/builds/{build_id}/logs")
def build_logs(
    build_id: uuid.UUID, sb: SB, caller: Caller, after: int | None = None, limit: int = Query(1000, ge=1, le=5000)
) -> dict[str, object]:
    build, lines = builds.build_logs(
        uow=sb.uow, logs=sb.logs, principal=caller, build_id=build_id, after=after, limit=limit
    )
    return {
        "build": build.model_dump(mode="json"),
        "lines": [{"cursor": item.cursor, **item.line.model_dump(mode="json", exclude_none=True)} for item in lines],
    }
