"""Starbase's HTTP API (FastAPI). Served alone by ``starform api`` and mounted by Stardeck through Reflex's
``api_transformer``. Routes translate requests into use-case calls and ``StarbaseError`` into
``{"error": {"code", "message", "field"?}}`` with the error's status; nothing else happens here.

The container is built lazily on first use when none is given, so importing this package (as Reflex does
when it compiles Stardeck) connects to nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starbase.bootstrap import Starbase, bootstrap
from starbase.errors import Invalid, PayloadTooLarge, StarbaseError
from starbase.http import (
    routes_apps,
    routes_auth,
    routes_builds,
    routes_clusters,
    routes_logs,
    routes_webhooks,
    routes_workspaces,
)
from starbase.http.deps import API_PREFIX, LazyContainer, probes

MAX_BODY_BYTES = 1024 * 1024
MAX_INGEST_BYTES = 16 * 1024 * 1024


def create_app(starbase: Starbase | None = None, *, factory: Callable[[], Starbase] = bootstrap) -> FastAPI:
    """The ASGI app. Pass ``starbase`` to use a ready container, else ``factory`` builds one on first use."""
    app = FastAPI(
        title="Starform API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.container = LazyContainer((lambda: starbase) if starbase is not None else factory)
    _install_error_handlers(app)
    app.add_middleware(LimitsAndCorrelation)
    app.include_router(probes())
    for module in (routes_workspaces, routes_apps, routes_builds, routes_clusters, routes_logs):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(routes_auth.router)
    app.include_router(routes_webhooks.router)
    return app


class LimitsAndCorrelation:
    """Pure ASGI middleware: refuse oversized bodies up front (413) and give every request a correlation
    id (``X-Request-ID``, taken from the request when it has one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = MAX_INGEST_BYTES if scope["path"].endswith("/logs/ingest") else MAX_BODY_BYTES
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            error = PayloadTooLarge(f"request body is over {limit // 1024} KiB", field="body")
            await JSONResponse(error.to_dict(), status_code=error.status)(scope, receive, send)
            return
        correlation = (headers.get(b"x-request-id") or uuid.uuid4().hex.encode())[:64]
        scope.setdefault("state", {})["correlation_id"] = correlation.decode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", correlation)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarbaseError)
    async def _starbase_error(_request: Request, exc: StarbaseError) -> JSONResponse:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            error = Invalid("the request body is not valid JSON", field="body")
            return JSONResponse(error.to_dict(), status_code=400)
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        error = Invalid(str(first.get("msg", "invalid")), field=".".join(loc) or "body")
        return JSONResponse(error.to_dict(), status_code=422)
