"""Var Groups: shared variables attached to several apps. Create a group, set or unset its variables
(values masked; every change cuts a release for each attached app), attach and detach apps."""

from __future__ import annotations

import reflex as rx

from starbase.errors import StarbaseError
from starbase.models import Role
from starbase.services import apps, variables
from starbase.services.access import at_least
from starbase.services.dto import VarChange, VarGroupCreate
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState, describe

ROUTE = "/vargroups"


class VarGroupsState(SessionState):
    groups: list[dict[str, str]] = []
    app_names: list[str] = []
    can_edit: bool = False
    error: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.can_edit = at_least(Role(self.role) if self.role else None, Role.MEMBER)
        self._refresh()
        return None

    def _refresh(self) -> None:
        sb, caller = starbase(), self.principal()
        found = variables.list_groups(uow=sb.uow, principal=caller, workspace=self.workspace)
        self.groups = [
            {
                "name": g.name,
                "description": g.description or "",
                "vars": ", ".join(g.vars) or "no variables yet",
                "apps": ", ".join(g.apps) or "no apps attached",
            }
            for g in found
        ]
        self.app_names = [
            a.name
            for a in apps.list_apps(
                uow=sb.uow, principal=caller, workspace=self.workspace, apps_domain=sb.settings.apps_domain
            )
        ]

    def _run(self, done: str, action):  # type: ignore[no-untyped-def]
        try:
            result = action(starbase())
        except StarbaseError as e:
            self.error = describe(e)
            return rx.toast.error(self.error)
        self.error = ""
        self._refresh()
        made = getattr(result, "releases", None) or []
        suffix = f" ({', '.join(f'{r.app} {r.version}' for r in made)})" if made else ""
        return rx.toast.success(done + suffix)

    @rx.event
    def create(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        name = form.get("name", "").strip()
        body = VarGroupCreate(name=name, description=form.get("description", "").strip() or None)
        return self._run(
            f"Created {name}",
            lambda sb: variables.create_group(
                uow=sb.uow, clock=sb.clock, principal=self.principal(), workspace=self.workspace, body=body
            ),
        )

    @rx.event
    def set_var(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        group, name = form.get("group", ""), form.get("name", "").strip()
        change = VarChange(set={name: form.get("value", "")})
        return self._run(f"Set {name} in {group}", lambda sb: self._change(sb, group, change))

    @rx.event
    def unset_var(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        group, name = form.get("group", ""), form.get("name", "").strip()
        return self._run(f"Unset {name} in {group}", lambda sb: self._change(sb, group, VarChange(unset=[name])))

    def _change(self, sb, group: str, change: VarChange):  # type: ignore[no-untyped-def]
        return variables.change_group_vars(
            uow=sb.uow,
            box=sb.secrets,
            clock=sb.clock,
            principal=self.principal(),
            workspace=self.workspace,
            name=group,
            change=change,
        )

    @rx.event
    def attach(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        group, app, attach = form.get("group", ""), form.get("app", ""), form.get("action", "attach") == "attach"
        return self._run(
            f"{'Attached' if attach else 'Detached'} {group} {'to' if attach else 'from'} {app}",
            lambda sb: variables.attach_group(
                uow=sb.uow,
                box=sb.secrets,
                clock=sb.clock,
                principal=self.principal(),
                workspace=self.workspace,
                name=group,
                app=app,
                attach=attach,
            ),
        )


def _group_card(g: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    hidden = rx.el.input(type="hidden", name="group", value=g["name"])
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(g["name"], size="4"), rx.text(g["description"], size="2", color_scheme="gray")),
            rx.text("Variables: ", rx.code(g["vars"]), size="2"),
            rx.text("Apps: ", g["apps"], size="2"),
            rx.cond(
                VarGroupsState.can_edit,
                rx.vstack(
                    rx.form(
                        rx.hstack(
                            hidden,
                            rx.input(name="name", placeholder="NAME", required=True),
                            rx.input(name="value", placeholder="value", type="password"),
                            rx.button("Set", type="submit", size="2"),
                            wrap="wrap",
                        ),
                        on_submit=VarGroupsState.set_var,
                        reset_on_submit=True,
                    ),
                    rx.form(
                        rx.hstack(
                            hidden,
                            rx.select(VarGroupsState.app_names, name="app", placeholder="app"),
                            rx.select(["attach", "detach"], name="action", default_value="attach"),
                            rx.button("Apply", type="submit", size="2", variant="soft"),
                        ),
                        on_submit=VarGroupsState.attach,
                    ),
                ),
            ),
            align="start",
        ),
        width="100%",
        id="group-" + g["name"].to(str),
    )


def page() -> rx.Component:
    return template(
        rx.heading("Var Groups", size="7"),
        rx.text("Variables shared by several apps. An app's own value wins over a group's.", size="2"),
        rx.cond(
            VarGroupsState.can_edit,
            rx.form(
                rx.hstack(
                    rx.input(name="name", placeholder="group name", id="group-name", required=True),
                    rx.input(name="description", placeholder="description"),
                    rx.button("New group", type="submit", id="group-create"),
                ),
                on_submit=VarGroupsState.create,
                reset_on_submit=True,
                margin_y="12px",
            ),
        ),
        rx.cond(VarGroupsState.error != "", rx.callout(VarGroupsState.error, color_scheme="red", id="groups-error")),
        rx.cond(
            VarGroupsState.groups.length() > 0,
            rx.vstack(rx.foreach(VarGroupsState.groups, _group_card), width="100%"),
            rx.text("No groups yet. From a terminal: starform vargroups create NAME", size="2", color_scheme="gray"),
        ),
    )
