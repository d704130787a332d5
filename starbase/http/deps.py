"""What every route needs: the container, the caller (bearer token or session cookie), and the probes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from starbase.bootstrap import Starbase
from starbase.errors import Unauthenticated
from starbase.services import auth, system
from starbase.services.access import Principal

API_PREFIX = "/api/v1"
SESSION_COOKIE = "starform_session"


class LazyContainer:
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


async def container(request: Request) -> Starbase:
    return request.app.state.container.get()


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    return value.strip()


def principal(request: Request, sb: Annotated[Starbase, Depends(container)]) -> Principal:
    bearer = bearer_token(request)
    caller = auth.authenticate(
        uow=sb.uow, clock=sb.clock, bearer=bearer, session_token=request.cookies.get(SESSION_COOKIE)
    )
    return caller.with_correlation(getattr(request.state, "correlation_id", "") or "")


SB = Annotated[Starbase, Depends(container)]
Caller = Annotated[Principal, Depends(principal)]


def probes() -> APIRouter:
    router = APIRouter(tags=["probes"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (no dependency is checked)."""
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(sb: SB) -> dict[str, str | None]:
        """The database answers and has a schema."""
        return {"status": "ok", **system.check_ready(uow=sb.uow)}

    return router
