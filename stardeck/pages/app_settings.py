"""An app's Variables (masked, revealed only for admins; the app's own values and those of attached Var
Groups; every edit says which release it creates) and Scale (replicas, CPU, memory: a new release too)."""

from __future__ import annotations

import reflex as rx

from starbase.errors import StarbaseError
from starbase.models import Role
from starbase.services import apps, release_ops, releases, variables
from starbase.services.access import at_least
from starbase.services.dto import ScaleChange, VarChange
from stardeck.backend import starbase
from stardeck.state import SessionState, describe


class AppSettingsState(SessionState):
    env: list[dict[str, str]] = []
    revealed: bool = False
    next_version: str = "v1"
    replicas: str = "1"
    can_edit: bool = False
    can_reveal: bool = False
    error: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        role = Role(self.role) if self.role else None
        self.can_edit, self.can_reveal = at_least(role, Role.MEMBER), at_least(role, Role.ADMIN)
        self.revealed = False
        try:
            self._refresh()
        except StarbaseError as e:
            return rx.toast.error(e.message)
        return None

    @rx.event
    def refresh(self):  # type: ignore[no-untyped-def]
        """When a tab opens: the latest release number and values (builds may have landed meanwhile)."""
        try:
            self._refresh()
        except StarbaseError as e:
            return rx.toast.error(e.message)
        return None

    def _refresh(self) -> None:
        sb, caller = starbase(), self.principal()
        common = {"uow": sb.uow, "principal": caller, "workspace": self.workspace, "app": self.app_param()}
        self.env = [
            {"name": v.name, "value": v.value, "source": v.source, "overridden": "overridden" if v.overridden else ""}
            for v in variables.list_app_vars(**common, box=sb.secrets, reveal=self.revealed)
        ]
        found = releases.list_releases(**common)
        latest = max((r.number for r in found), default=0)
        self.next_version = f"v{latest + 1}"
        shown = apps.get_app(
            uow=sb.uow,
            principal=caller,
            workspace=self.workspace,
            name=self.app_param(),
            apps_domain=sb.settings.apps_domain,
        )
        self.replicas = str(shown.replicas)

    @rx.event
    def toggle_reveal(self):  # type: ignore[no-untyped-def]
        self.revealed = not self.revealed and self.can_reveal
        try:
            self._refresh()
        except StarbaseError as e:
            self.revealed = False
            return rx.toast.error(e.message)
        return None

    def _change(self, change: VarChange, done: str):  # type: ignore[no-untyped-def]
        sb = starbase()
        try:
            made = variables.change_app_vars(
                uow=sb.uow,
                box=sb.secrets,
                clock=sb.clock,
                principal=self.principal(),
                workspace=self.workspace,
                app=self.app_param(),
                change=change,
            )
        except StarbaseError as e:
            self.error = describe(e)
            return rx.toast.error(self.error)
        self.error = ""
        self._refresh()
        return rx.toast.success(f"{done}: release {made.version} created")

    @rx.event
    def set_var(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        name = form.get("name", "").strip()
        return self._change(VarChange(set={name: form.get("value", "")}), f"Set {name}")

    @rx.event
    def unset_var(self, name: str):  # type: ignore[no-untyped-def]
        return self._change(VarChange(unset=[name]), f"Unset {name}")

    @rx.event
    def scale(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        raw = form.get("replicas", "").strip()
        if not raw.isdigit():
            self.error = f"replicas: must be a whole number; got {raw!r}"
            return rx.toast.error(self.error)
        sb = starbase()
        try:
            made = release_ops.scale(
                uow=sb.uow,
                box=sb.secrets,
                clock=sb.clock,
                principal=self.principal(),
                workspace=self.workspace,
                app=self.app_param(),
                body=ScaleChange(replicas=int(raw)),
            )
        except StarbaseError as e:
            self.error = describe(e)
            return rx.toast.error(self.error)
        self.error = ""
        self._refresh()
        return rx.toast.success(f"Scaled to {raw} replicas: release {made.version} created")


def _var_row(v: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(rx.code(v["name"])),
        rx.table.cell(rx.text(v["value"], font_family="monospace", size="2", class_name="var-value")),
        rx.table.cell(rx.badge(v["source"], variant="soft"), rx.text(v["overridden"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                AppSettingsState.can_edit & (v["source"] == "app"),
                rx.button(
                    "Unset",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=AppSettingsState.unset_var(v["name"]),
                ),
            )
        ),
        id="var-" + v["name"].to(str),
    )


def variables_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Variables", size="4"),
            rx.spacer(),
            rx.cond(
                AppSettingsState.can_reveal,
                rx.button(
                    rx.cond(AppSettingsState.revealed, "Hide values", "Reveal values"),
                    size="1",
                    variant="soft",
                    on_click=AppSettingsState.toggle_reveal,
                    id="reveal-vars",
                ),
            ),
            width="100%",
        ),
        rx.cond(
            AppSettingsState.env.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Name", "Value", "From", "")])),
                rx.table.body(rx.foreach(AppSettingsState.env, _var_row)),
                width="100%",
            ),
            rx.text("No variables yet. From a terminal: starform env set NAME=value --app <app>", size="2"),
        ),
        rx.cond(
            AppSettingsState.can_edit,
            rx.form(
                rx.hstack(
                    rx.input(name="name", placeholder="NAME", id="var-name", required=True),
                    rx.input(name="value", placeholder="value", id="var-value", type="password"),
                    rx.button("Save", type="submit", id="var-save"),
                    rx.text(
                        "this creates release ", rx.code(AppSettingsState.next_version), size="2", id="next-release"
                    ),
                    align="center",
                    wrap="wrap",
                ),
                on_submit=AppSettingsState.set_var,
                reset_on_submit=True,
            ),
        ),
        rx.cond(
            AppSettingsState.error != "", rx.callout(AppSettingsState.error, color_scheme="red", id="settings-error")
        ),
        align="start",
        width="100%",
        on_mount=AppSettingsState.refresh,
    )


def scale_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Scale", size="4"),
        rx.text("Replicas now: ", rx.code(AppSettingsState.replicas, id="replicas-now"), size="2"),
        rx.cond(
            AppSettingsState.can_edit,
            rx.form(
                rx.hstack(
                    rx.input(
                        name="replicas", type="number", min=0, max=100, placeholder="replicas", id="scale-replicas"
                    ),
                    rx.button("Scale", type="submit", id="scale-submit"),
                    rx.text("this creates release ", rx.code(AppSettingsState.next_version), size="2"),
                    align="center",
                ),
                on_submit=AppSettingsState.scale,
            ),
        ),
        align="start",
        width="100%",
        on_mount=AppSettingsState.refresh,
    )
