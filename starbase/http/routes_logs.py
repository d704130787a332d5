"""Routes for logs: Shuttle's NDJSON ingest (cluster token) and reading an app's lines."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from starbase.contracts import LogLine
from starbase.errors import Invalid
from starbase.http.deps import SB, Caller
from starbase.services import logs

router = APIRouter(tags=["logs"])
MAX_LINES_PER_BATCH = 10_000


@router.post("/logs/ingest", status_code=status.HTTP_202_ACCEPTED)
async def ingest(request: Request, sb: SB, caller: Caller) -> dict[str, int]:
    """NDJSON: one ``{ts, workspace, app, stream, line, ...}`` object per line."""
    body = await request.body()
    lines = []
    for number, raw in enumerate(body.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(LogLine.model_validate_json(raw))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise Invalid(f"line {number}: {first['msg']}", field=f"lines[{number}].{where}") from e
        if len(lines) > MAX_LINES_PER_BATCH:
            raise Invalid(f"at most {MAX_LINES_PER_BATCH} lines per batch", field="body")
    return await run_in_threadpool(logs.ingest_logs, uow=sb.uow, logs=sb.logs, principal=caller, lines=lines)


@router.get("/workspaces/{workspace}/apps/{app}/logs")
def read(
    workspace: str,
    app: str,
    sb: SB,
    caller: Caller,
    since: str | None = None,
    search: str | None = None,
    after: int | None = None,
    limit: int = Query(500, ge=1, le=logs.MAX_LINES),
) -> list[dict[str, object]]:
    """An app's lines, oldest first; ``cursor`` of the last one is the ``after`` of the next call (tail)."""
    found = logs.read_logs(
        uow=sb.uow,
        logs=sb.logs,
        clock=sb.clock,
        principal=caller,
        workspace=workspace,
        app=app,
        since=since,
        search=search,
        after=after,
        limit=limit,
    )
    return [{"cursor": item.cursor, **item.line.model_dump(mode="json", exclude_none=True)} for item in found]
