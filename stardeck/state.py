"""The shared state of every page: who is signed in (from the session cookie the API set), their
workspaces and the current one. Pages' substates inherit it. Imports nothing else from Stardeck."""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie
from typing import Any

import reflex as rx

from starbase.errors import StarbaseError
from starbase.services import auth
from starbase.services.access import Principal
from stardeck.backend import starbase

SESSION_COOKIE = "starform_session"
SIGN_IN = "/sign-in"


class SessionState(rx.State):
    user: str = ""
    workspaces: list[str] = []
    workspace: str = ""
    role: str = ""

    def principal(self) -> Principal:
        """The caller, from the httpOnly session cookie sent with the websocket handshake."""
        cookie = SimpleCookie()
        cookie.load(self.router.headers.cookie or "")
        token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
        sb = starbase()
        return auth.authenticate(uow=sb.uow, clock=sb.clock, bearer=None, session_token=token)

    def app_param(self) -> str:
        """The app a ``/apps/<name>`` page shows, from the page's URL."""
        parts = self.router.url.path.strip("/").split("/")
        return parts[1] if len(parts) >= 2 and parts[0] == "apps" else ""

    def query_param(self, key: str) -> str:
        return str(self.router.url.query_parameters.get(key, ""))

    @rx.event
    def require_session(self):  # type: ignore[no-untyped-def]
        """On every page but sign-in: who is here, or off to the sign-in page."""
        try:
            caller = self.principal()
        except StarbaseError:
            return rx.redirect(SIGN_IN)
        me = auth.whoami(uow=starbase().uow, principal=caller)
        self.user = me.name
        self.workspaces = [w.name for w in me.workspaces]
        if self.workspace not in self.workspaces:
            self.workspace = me.default_workspace or (self.workspaces[0] if self.workspaces else "")
        self.role = next((str(w.role) for w in me.workspaces if w.name == self.workspace), "")
        return None

    @rx.event
    def switch_workspace(self, name: str):  # type: ignore[no-untyped-def]
        if name in self.workspaces:
            self.workspace = name
        return rx.redirect("/")


def describe(error: StarbaseError) -> str:
    """An error as the user reads it: the field it names first."""
    return f"{error.field}: {error.message}" if error.field else error.message


async def keep_fresh(state: Any, *, period: float, limit: int) -> None:
    """The body of a page's background ``watch`` event: call the state's ``_refresh()`` every ``period``
    seconds while its ``watch_id`` is unchanged (loading the page again or leaving it changes it), at most
    ``limit`` times, so a closed tab does not poll forever."""
    async with state:
        mine = state.watch_id
    for _ in range(limit):
        await asyncio.sleep(period)
        async with state:
            if state.watch_id != mine:
                return
            try:
                state._refresh()
            except StarbaseError:
                return
