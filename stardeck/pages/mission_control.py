"""Mission Control: the bird's-eye view across every workspace the user can see — apps by status per
cluster, deploys per day by outcome, build duration p50/p95, CPU and memory per app, cluster leases and
the latest events. Charts come from ``stardeck.charts``; each has its own time range, and the page
refreshes itself while open."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import plotly.graph_objects as go
import reflex as rx

from starbase.errors import StarbaseError
from starbase.services import overview
from stardeck import charts
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState, keep_fresh

ROUTE = "/mission-control"
RANGES = {"1h": 1, "24h": 24, "7d": 24 * 7, "30d": 24 * 30}
CHARTS = ("status", "deploys", "durations", "cpu", "memory", "leases")
REFRESH_S, REFRESH_MAX = 5.0, 720


def clip(ov: overview.Overview, hours: int) -> overview.Overview:
    """The same overview over a shorter range (one read serves every chart's own range)."""
    since = ov.until - timedelta(hours=hours)
    return replace(
        ov,
        since=since,
        builds=[b for b in ov.builds if b.created_at >= since],
        usage=[u for u in ov.usage if u.ts >= since],
    )


def figures(ov: overview.Overview, ranges: dict[str, str], *, dark: bool = False) -> dict[str, go.Figure]:
    """Every chart of the page, each over its own range."""
    view = {name: clip(ov, RANGES.get(ranges.get(name, "24h"), 24)) for name in CHARTS}
    return {
        "status": charts.status_figure(view["status"], dark=dark),
        "deploys": charts.deploys_figure(view["deploys"], dark=dark),
        "durations": charts.durations_figure(view["durations"], dark=dark),
        "cpu": charts.usage_figure(view["cpu"], "app_cpu_millis", dark=dark),
        "memory": charts.usage_figure(view["memory"], "app_memory_mb", dark=dark),
        "leases": charts.leases_figure(view["leases"], dark=dark),
    }


class MissionControlState(SessionState):
    ranges: dict[str, str] = {name: "24h" for name in CHARTS}
    status_fig: go.Figure = go.Figure()
    deploys_fig: go.Figure = go.Figure()
    durations_fig: go.Figure = go.Figure()
    cpu_fig: go.Figure = go.Figure()
    memory_fig: go.Figure = go.Figure()
    leases_fig: go.Figure = go.Figure()
    apps: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    refreshed: str = ""
    watch_id: int = 0

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        try:
            self._refresh()
        except StarbaseError as e:
            return rx.toast.error(e.message)
        self.watch_id += 1
        return MissionControlState.watch

    def _refresh(self) -> None:
        sb = starbase()
        longest = max(RANGES[r] for r in self.ranges.values())
        ov = overview.mission_control(
            uow=sb.uow,
            metrics=sb.metrics,
            clock=sb.clock,
            principal=self.principal(),
            hours=longest,
            apps_domain=sb.settings.apps_domain,
            apps_port=sb.settings.apps_port,
        )
        figs = figures(ov, self.ranges)
        self.status_fig, self.deploys_fig, self.durations_fig = figs["status"], figs["deploys"], figs["durations"]
        self.cpu_fig, self.memory_fig, self.leases_fig = figs["cpu"], figs["memory"], figs["leases"]
        self.apps = [
            {
                "workspace": a.workspace,
                "name": a.name,
                "status": a.status,
                "href": f"/apps/{a.name}?workspace={a.workspace}",
            }
            for a in ov.apps
        ]
        self.events = [
            {
                "when": e.created_at.strftime("%m-%d %H:%M:%S"),
                "workspace": ws,
                "type": e.type,
                "severity": e.severity,
                "message": e.message,
            }
            for ws, e in ov.events
        ]
        self.refreshed = ov.until.strftime("%H:%M:%S")

    @rx.event
    def set_range(self, chart: str, value: str):  # type: ignore[no-untyped-def]
        if chart in CHARTS and value in RANGES:
            self.ranges[chart] = value
            self._refresh()

    @rx.event
    def unwatch(self):  # type: ignore[no-untyped-def]
        self.watch_id += 1

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Every chart and the events, current while the page is open."""
        await keep_fresh(self, period=REFRESH_S, limit=REFRESH_MAX)


def _chart(name: str, fig: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.card(
        rx.vstack(
            rx.segmented_control.root(
                *[rx.segmented_control.item(label, value=label) for label in RANGES],
                value=MissionControlState.ranges[name],
                on_change=lambda v: MissionControlState.set_range(name, v),
                size="1",
                id=f"range-{name}",
            ),
            rx.plotly(data=fig, width="100%", height="280px", config={"displayModeBar": False}),
            width="100%",
        ),
        id=f"chart-{name}",
        width="100%",
    )


def _app_links() -> rx.Component:
    return rx.flex(
        rx.foreach(
            MissionControlState.apps,
            lambda a: rx.link(
                rx.badge(a["workspace"], "/", a["name"], " · ", a["status"], variant="soft"), href=a["href"]
            ),
        ),
        wrap="wrap",
        gap="2",
        id="mc-apps",
    )


def _events() -> rx.Component:
    return rx.card(
        rx.heading("Latest events", size="3"),
        rx.foreach(
            MissionControlState.events,
            lambda e: rx.hstack(
                rx.text(e["when"], size="1", color_scheme="gray"),
                rx.badge(e["severity"], color_scheme=rx.cond(e["severity"] == "error", "red", "gray")),
                rx.code(e["type"], size="1"),
                rx.text(e["workspace"], ": ", e["message"], size="1"),
                class_name="mc-event",
            ),
        ),
        width="100%",
    )


def page() -> rx.Component:
    return template(
        rx.vstack(
            rx.hstack(
                rx.heading("Mission Control", size="7"),
                rx.spacer(),
                rx.text("updated ", MissionControlState.refreshed, size="1", color_scheme="gray", id="mc-refreshed"),
                width="100%",
                align="center",
            ),
            _app_links(),
            rx.grid(
                _chart("status", MissionControlState.status_fig),
                _chart("deploys", MissionControlState.deploys_fig),
                _chart("durations", MissionControlState.durations_fig),
                _chart("leases", MissionControlState.leases_fig),
                _chart("cpu", MissionControlState.cpu_fig),
                _chart("memory", MissionControlState.memory_fig),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            _events(),
            width="100%",
            spacing="4",
            on_unmount=MissionControlState.unwatch,
        )
    )
