"""Stardeck state handlers as plain Python: a substate instance inside a fresh state tree, with the
router data a browser's websocket would carry (the session cookie, the page's parameters), calling the
unit container that ``stardeck.backend.use`` hands to every handler."""

from __future__ import annotations

from typing import TypeVar

import reflex as rx
from reflex.istate.data import RouterData

import stardeck.stardeck  # noqa: F401  (registers every page's state)
from starbase.bootstrap import Starbase
from starbase.services.auth import create_login_link, redeem_login_link
from stardeck.state import SESSION_COOKIE

S = TypeVar("S", bound=rx.State)


def session_for(sb: Starbase, login: str) -> str:
    secret = create_login_link(uow=sb.uow, clock=sb.clock, login=login)
    return redeem_login_link(uow=sb.uow, clock=sb.clock, secret=secret)


def state_for(
    cls: type[S],
    sb: Starbase,
    login: str | None,
    *,
    path: str = "/",
    params: dict[str, str] | None = None,
    workspace: str = "acme",
) -> S:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    cookie = f"{SESSION_COOKIE}={session_for(sb, login)}" if login else ""
    data = {"headers": {"cookie": cookie}, "pathname": path, "asPath": path, "query": params or {}}
    state.router = RouterData.from_router_data(data)
    state.workspace = workspace  # type: ignore[attr-defined]
    return state  # type: ignore[return-value]


def toast_text(result: object) -> str:
    """The message of the toast(s) a handler returned, for asserting on what the user is told."""
    items = result if isinstance(result, list) else [result]
    return " ".join(str(getattr(item, "args", item)) for item in items if item is not None)
