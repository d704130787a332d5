"""Sign-in: "Sign in with GitHub" when it is configured; otherwise how to get embedded mode's one-time link."""

from __future__ import annotations

import reflex as rx

ROUTE = "/sign-in"


def page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Sign in to Starform", size="6"),
                rx.link(rx.button("Sign in with GitHub", size="3"), href="/auth/github/login", id="github-sign-in"),
                rx.text(
                    "Running Starform on this machine? `starform up` printed a one-time sign-in link; "
                    "open it here. A new one appears each time it starts.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="4",
            ),
            size="4",
            max_width="460px",
        ),
        min_height="80vh",
    )
