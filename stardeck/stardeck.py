"""The Reflex app: pages are registered here, and Starbase's HTTP API is mounted beside them so one port
serves the dashboard, its websocket, ``/healthz``, ``/auth/*`` and ``/api/v1``."""

from __future__ import annotations

import reflex as rx

from starbase.http import create_app
from stardeck.backend import starbase
from stardeck.pages import app_detail, apps, clusters, events, mission_control, sign_in, team, vargroups
from stardeck.pages.app_logs import AppLogsState
from stardeck.pages.app_settings import AppSettingsState

app = rx.App(
    api_transformer=create_app(factory=starbase),
    theme=rx.theme(accent_color="violet", gray_color="slate", radius="medium"),
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
app.add_page(sign_in.page, route=sign_in.ROUTE, title="Sign in · Starform")
app.add_page(apps.page, route=apps.ROUTE, title="Starform", on_load=apps.AppsState.load)
app.add_page(
    app_detail.page,
    route=app_detail.ROUTE,
    title="App · Starform",
    on_load=[app_detail.AppState.load, AppSettingsState.load, AppLogsState.load],
)
app.add_page(
    vargroups.page, route=vargroups.ROUTE, title="Var Groups · Starform", on_load=vargroups.VarGroupsState.load
)
app.add_page(clusters.page, route=clusters.ROUTE, title="Clusters · Starform", on_load=clusters.ClustersState.load)
app.add_page(events.page, route=events.ROUTE, title="Events · Starform", on_load=events.EventsState.load)
app.add_page(team.page, route=team.ROUTE, title="Team · Starform", on_load=team.TeamState.load)
app.add_page(
    mission_control.page,
    route=mission_control.ROUTE,
    title="Mission Control · Starform",
    on_load=mission_control.MissionControlState.load,
)
