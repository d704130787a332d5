"""Reflex configuration for Stardeck. No ``db_url``: Starbase owns the database and its migrations."""

import reflex as rx

config = rx.Config(
    app_name="stardeck",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
