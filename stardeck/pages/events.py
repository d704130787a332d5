"""Events: the workspace's structured feed (newest first), filterable by app."""

from __future__ import annotations

import reflex as rx

from starbase.errors import StarbaseError
from starbase.services import events
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState

ROUTE = "/events"
SEVERITY_COLORS = {"info": "gray", "warning": "amber", "error": "red"}


class EventsState(SessionState):
    events: list[dict[str, str]] = []
    app_filter: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        return self._fetch()

    @rx.event
    def filter_app(self, app: str):  # type: ignore[no-untyped-def]
        self.app_filter = app.strip()
        return self._fetch()

    def _fetch(self):  # type: ignore[no-untyped-def]
        try:
            found = events.list_events(
                uow=starbase().uow,
                principal=self.principal(),
                workspace=self.workspace,
                app=self.app_filter or None,
                limit=200,
            )
        except StarbaseError as e:
            return rx.toast.error(e.message)
        self.events = [
            {
                "at": e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "severity": e.severity,
                "type": e.type,
                "message": e.message,
                "actor": e.actor or "",
            }
            for e in found
        ]
        return None


def page() -> rx.Component:
    return template(
        rx.heading("Events", size="7"),
        rx.input(placeholder="filter by app", on_blur=EventsState.filter_app, id="events-filter", width="240px"),
        rx.vstack(
            rx.foreach(
                EventsState.events,
                lambda e: rx.hstack(
                    rx.text(e["at"], size="1", color_scheme="gray", font_family="monospace"),
                    rx.badge(e["severity"], color_scheme=rx.match(e["severity"], *SEVERITY_COLORS.items(), "gray")),
                    rx.code(e["type"]),
                    rx.text(e["message"], size="2"),
                    rx.text(e["actor"], size="1", color_scheme="gray"),
                    spacing="3",
                    class_name="event-row",
                ),
            ),
            align="start",
            spacing="1",
            id="events-feed",
        ),
    )
