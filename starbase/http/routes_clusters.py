"""Routes for clusters: registration, listing, cordoning, and Shuttle's two endpoints (desired state with
ETag/304, and reports)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse

from starbase.contracts import ClusterReport, DesiredState
from starbase.errors import NotFound
from starbase.http.deps import SB, Caller, bearer_token, principal
from starbase.services import clusters, desired_state, reports
from starbase.services.dto import ClusterPublic, ClusterRegister, ClusterRegistered

router = APIRouter(tags=["clusters"])


@router.get("/clusters")
def list_clusters(sb: SB, caller: Caller) -> list[ClusterPublic]:
    return clusters.list_clusters(uow=sb.uow, principal=caller)


@router.post("/workspaces/{workspace}/clusters", status_code=status.HTTP_201_CREATED)
def register_cluster(workspace: str, body: ClusterRegister, sb: SB, caller: Caller) -> ClusterRegistered:
    """Register a cluster private to the workspace; the answer holds its Shuttle token, once."""
    return clusters.register_cluster(uow=sb.uow, clock=sb.clock, principal=caller, workspace=workspace, body=body)


@router.post("/clusters/{name}/cordon")
def cordon(name: str, sb: SB, caller: Caller) -> ClusterPublic:
    return clusters.set_cordoned(uow=sb.uow, clock=sb.clock, principal=caller, name=name, cordoned=True)


@router.post("/clusters/{name}/uncordon")
def uncordon(name: str, sb: SB, caller: Caller) -> ClusterPublic:
    return clusters.set_cordoned(uow=sb.uow, clock=sb.clock, principal=caller, name=name, cordoned=False)


@router.get(
    "/clusters/{cluster_id}/desired-state",
    responses={200: {"model": DesiredState}, 304: {"description": "unchanged since If-None-Match"}},
)
def get_desired_state(cluster_id: uuid.UUID, request: Request, sb: SB) -> Response:
    """The cluster's desired state (cluster token only). ``ETag`` is its content hash."""
    compiled = desired_state.desired_state(
        uow=sb.uow,
        box=sb.secrets,
        cluster_id=cluster_id,
        token=bearer_token(request),
        apps_domain=sb.settings.apps_domain,
        cache=sb.desired_cache,
    )
    if compiled is None:
        principal(request, sb)  # 401 for a bad or missing token ...
        raise NotFound("cluster not found", field="cluster_id")  # ... 404 for any other caller
    headers = {"ETag": compiled.etag, "Cache-Control": "no-cache", "X-Starform-Generation": str(compiled.generation)}
    tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if compiled.etag in tags or "*" in tags:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content=compiled.body, media_type="application/json", headers=headers)


@router.post("/clusters/{cluster_id}/reports", status_code=status.HTTP_202_ACCEPTED)
def post_report(cluster_id: uuid.UUID, body: ClusterReport, sb: SB, caller: Caller) -> dict[str, int]:
    """What Shuttle observed (cluster token only)."""
    return reports.ingest_report(
        uow=sb.uow,
        box=sb.secrets,
        clock=sb.clock,
        principal=caller,
        cluster_id=cluster_id,
        report=body,
        metrics=sb.metrics,
    )


@router.get("/clusters/{cluster_id}/artifacts/{digest}", response_class=FileResponse)
def get_artifact(cluster_id: uuid.UUID, digest: str, request: Request, sb: SB) -> FileResponse:
    """A slug for the cluster's own Shuttle (only artifacts of releases placed on it)."""
    path = desired_state.artifact_for_cluster(
        uow=sb.uow, artifacts=sb.artifacts, cluster_id=cluster_id, token=bearer_token(request), digest=digest
    )
    if path is None:
        principal(request, sb)
        raise NotFound("artifact not found", field="digest")
    return FileResponse(path, media_type="application/gzip")
