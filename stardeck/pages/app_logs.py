"""An app's Logs: the latest lines (since a time, matching a search), and a live tail that follows new
lines over the websocket until it is paused or the page is left."""

from __future__ import annotations

import asyncio

import reflex as rx

from starbase.errors import StarbaseError
from starbase.services import logs
from stardeck.backend import starbase
from stardeck.state import SessionState, describe

SHOWN = 500


class AppLogsState(SessionState):
    lines: list[dict[str, str]] = []
    search: str = ""
    since: str = "1h"
    live: bool = False
    cursor: int = 0
    error: str = ""

    def _read(self, after: int | None) -> None:
        sb = starbase()
        found = logs.read_logs(
            uow=sb.uow,
            logs=sb.logs,
            clock=sb.clock,
            principal=self.principal(),
            workspace=self.workspace,
            app=self.app_param(),
            since=self.since or None,
            search=self.search or None,
            after=after,
            limit=SHOWN,
        )
        rows = [
            {
                "ts": item.line.ts.strftime("%H:%M:%S"),
                "stream": item.line.stream,
                "replica": item.line.replica or "",
                "line": item.line.line,
            }
            for item in found
            if item.line.stream != "build"
        ]
        self.lines = (self.lines + rows)[-SHOWN:] if after is not None else rows
        if found:
            self.cursor = max(self.cursor, found[-1].cursor)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.live, self.cursor = False, 0
        return self.apply_filter({"search": self.search, "since": self.since})

    @rx.event
    def apply_filter(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.search, self.since = form.get("search", "").strip(), form.get("since", "").strip()
        self.cursor = 0
        try:
            self._read(after=None)
        except StarbaseError as e:
            self.error = describe(e)
            return rx.toast.error(self.error)
        self.error = ""
        return None

    @rx.event
    def refresh(self):  # type: ignore[no-untyped-def]
        return self.apply_filter({"search": self.search, "since": self.since})

    @rx.event
    def toggle_live(self):  # type: ignore[no-untyped-def]
        self.live = not self.live
        return AppLogsState.tail if self.live else None

    @rx.event
    def stop(self):  # type: ignore[no-untyped-def]
        self.live = False

    @rx.event(background=True)
    async def tail(self):  # type: ignore[no-untyped-def]
        """Follow new lines once a second while live is on."""
        while True:
            async with self:
                if not self.live:
                    return
                try:
                    self._read(after=self.cursor)
                except StarbaseError as e:
                    self.live, self.error = False, e.message
                    return
            await asyncio.sleep(1)


def logs_panel() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(name="search", placeholder="search", default_value=AppLogsState.search, id="logs-search"),
                rx.input(name="since", placeholder="since (15m, 2h, ISO time)", default_value=AppLogsState.since),
                rx.button("Apply", type="submit", variant="soft"),
                rx.button(
                    rx.cond(AppLogsState.live, "Pause", "Live tail"),
                    type="button",
                    on_click=AppLogsState.toggle_live,
                    color_scheme=rx.cond(AppLogsState.live, "amber", "green"),
                    id="logs-live",
                ),
                wrap="wrap",
            ),
            on_submit=AppLogsState.apply_filter,
        ),
        rx.cond(AppLogsState.error != "", rx.callout(AppLogsState.error, color_scheme="red")),
        rx.box(
            rx.cond(
                AppLogsState.lines.length() > 0,
                rx.foreach(
                    AppLogsState.lines,
                    lambda r: rx.text(
                        rx.text.span(r["ts"], " ", color_scheme="gray"),
                        rx.text.span(r["replica"], " ", color_scheme="blue"),
                        r["line"],
                        font_family="monospace",
                        size="1",
                        color_scheme=rx.cond(r["stream"] == "stderr", "red", "gray"),
                        class_name="log-line",
                    ),
                ),
                rx.text("No lines in this range. Deploy the app, or widen 'since'.", size="2", color_scheme="gray"),
            ),
            id="app-logs",
            max_height="420px",
            overflow_y="auto",
            width="100%",
            padding="8px",
            background="var(--gray-a3)",
            border_radius="6px",
        ),
        align="start",
        width="100%",
        on_mount=AppLogsState.refresh,
        on_unmount=AppLogsState.stop,
    )
