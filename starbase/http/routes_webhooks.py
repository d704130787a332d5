"""``POST /webhooks/github``: push events start builds (signature checked, deliveries deduplicated)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from starbase.http.deps import SB
from starbase.services import webhooks

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/github", status_code=status.HTTP_202_ACCEPTED)
async def github(request: Request, sb: SB) -> dict[str, Any]:
    secret = sb.settings.github_webhook_secret
    return await run_in_threadpool(
        webhooks.handle_github,
        uow=sb.uow,
        clock=sb.clock,
        logs=sb.logs,
        secret=secret.get_secret_value() if secret else None,
        body=await request.body(),
        signature=request.headers.get("x-hub-signature-256"),
        event=request.headers.get("x-github-event"),
        delivery=request.headers.get("x-github-delivery"),
    )
