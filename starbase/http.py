"""Starbase's HTTP API (FastAPI). Served alone by ``starform api`` and mounted by Stardeck through Reflex's
``api_transformer``. Routes translate requests into use-case calls and ``StarbaseError`` into
``{"error": {"code", "message", "field"?}}`` with the error's status; nothing else happens here.

The container is built lazily on first use when none is given, so importing this module (as Reflex does
when it compiles Stardeck) connects to nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from starbase.bootstrap import Starbase, bootstrap
from starbase.errors import Invalid, StarbaseError
from starbase.services import system

API_PREFIX = "/api/v1"


class _LazyContainer:
    def __init__(self, factory: Callable[[], Starbase]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._value: Starbase | None = None

    def get(self) -> Starbase:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
        return self._value


def create_app(starbase: Starbase | None = None, *, factory: Callable[[], Starbase] = bootstrap) -> FastAPI:
    """The ASGI app. Pass ``starbase`` to use a ready container, else ``factory`` builds one on first use."""
    container = _LazyContainer(lambda: starbase) if starbase is not None else _LazyContainer(factory)
    app = FastAPI(
        title="Starform API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.container = container
    _install_error_handlers(app)
    app.include_router(_probes(container))
    app.include_router(APIRouter(prefix=API_PREFIX))
    return app


def _probes(container: _LazyContainer) -> APIRouter:
    router = APIRouter(tags=["probes"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up (no dependency is checked)."""
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz() -> dict[str, str | None]:
        """The database answers and has a schema."""
        return {"status": "ok", **system.check_ready(uow=container.get().uow)}

    return router


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarbaseError)
    async def _starbase_error(_request: Request, exc: StarbaseError) -> JSONResponse:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        error = Invalid(str(first.get("msg", "invalid")), field=".".join(loc) or "body")
        return JSONResponse(error.to_dict(), status_code=422)
