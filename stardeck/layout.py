"""The page template: a navigation bar (brand, pages, workspace switcher, user) above each page."""

from __future__ import annotations

import reflex as rx

from stardeck.state import SessionState

NAV = (("Apps", "/"), ("Clusters", "/clusters"), ("Events", "/events"))  # grows as pages arrive


def navbar() -> rx.Component:
    return rx.hstack(
        rx.link(rx.heading("Starform", size="5"), href="/", underline="none"),
        *[rx.link(label, href=href, size="2") for label, href in NAV],
        rx.spacer(),
        rx.select(
            SessionState.workspaces,
            value=SessionState.workspace,
            on_change=SessionState.switch_workspace,
            size="1",
            id="workspace-switcher",
        ),
        rx.text(SessionState.user, size="2", id="signed-in-user"),
        rx.color_mode.button(size="1"),
        align="center",
        spacing="4",
        padding="12px 24px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.box(navbar(), rx.container(*children, size="4", padding_top="24px"), width="100%")
