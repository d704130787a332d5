"""The Reflex app: pages are registered here, and Starbase's HTTP API is mounted beside them so one port
serves the dashboard, its websocket, ``/healthz`` and ``/api/v1``."""

from __future__ import annotations

import reflex as rx

from starbase.http import create_app
from stardeck.pages import home

app = rx.App(api_transformer=create_app())
app.add_page(home.page, route=home.ROUTE, title="Starform")
