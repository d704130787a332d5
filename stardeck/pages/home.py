"""The landing page of a fresh install: says what Starform is and where the API lives.
(The Apps page, sign-in and the rest arrive with the control plane.)"""

from __future__ import annotations

import reflex as rx

ROUTE = "/"


def page() -> rx.Component:
    return rx.container(
        rx.color_mode.button(position="top-right"),
        rx.vstack(
            rx.heading("Starform", size="9", id="brand"),
            rx.text("Push a repository. Starform builds it and runs it.", size="5"),
            rx.hstack(
                rx.link("API health", href="/healthz"),
                rx.link("API reference", href="/api/v1/docs"),
                spacing="4",
            ),
            spacing="5",
            justify="center",
            min_height="85vh",
        ),
    )
