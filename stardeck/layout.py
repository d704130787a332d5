"""The page template: a navigation bar (brand, pages, workspace switcher, user) above each page."""

from __future__ import annotations

import reflex as rx

from stardeck.state import SessionState

NAV = (
    ("Apps", "/"),
    ("Mission Control", "/mission-control"),
    ("Var Groups", "/vargroups"),
    ("Clusters", "/clusters"),
    ("Events", "/events"),
    ("Team", "/team"),
)


def navbar() -> rx.Component:
    return rx.flex(
        rx.link(
            rx.hstack(rx.image(src="/logo.svg", width="28px", height="28px", alt=""), rx.heading("Starform", size="5")),
            href="/",
            underline="none",
            align="center",
        ),
        *[rx.link(label, href=href, size="2") for label, href in NAV],
        rx.spacer(display=["none", "none", "block"]),
        rx.select(
            SessionState.workspaces,
            value=SessionState.workspace,
            on_change=SessionState.switch_workspace,
            size="1",
            id="workspace-switcher",
        ),
        rx.text(SessionState.user, size="2", id="signed-in-user"),
        rx.el.form(
            rx.button("Sign out", size="1", variant="ghost", type="submit", id="sign-out"),
            method="post",
            action="/auth/logout",
        ),
        rx.color_mode.button(size="1"),
        align="center",
        wrap="wrap",
        spacing="4",
        row_gap="8px",
        padding="12px 24px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.box(navbar(), rx.container(*children, size="4", padding_top="24px"), width="100%")
