"""Team & tokens: the workspace's members and roles (invite by GitHub login, change a role, remove) and
API tokens (create — the secret is shown once — list, revoke)."""

from __future__ import annotations

import uuid

import reflex as rx

from starbase.errors import StarbaseError
from starbase.models import Role
from starbase.services import workspaces
from starbase.services.access import at_least
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState, describe

ROUTE = "/team"
ROLES = ["viewer", "member", "admin", "owner"]


class TeamState(SessionState):
    members: list[dict[str, str]] = []
    tokens: list[dict[str, str]] = []
    new_token: str = ""
    can_admin: bool = False
    error: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.can_admin = at_least(Role(self.role) if self.role else None, Role.ADMIN)
        self.new_token = ""
        self._refresh()
        return None

    def _refresh(self) -> None:
        sb, caller = starbase(), self.principal()
        common = {"uow": sb.uow, "principal": caller, "workspace": self.workspace}
        self.members = [
            {"login": m.login, "name": m.name or "", "role": m.role} for m in workspaces.list_members(**common)
        ]
        self.tokens = [
            {
                "id": str(t.id),
                "name": t.name,
                "role": t.role,
                "prefix": t.prefix,
                "used": t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
                "state": "revoked" if t.revoked_at else "active",
            }
            for t in (workspaces.list_tokens(**common) if self.can_admin else [])
        ]

    def _run(self, done: str, action):  # type: ignore[no-untyped-def]
        sb = starbase()
        try:
            result = action(
                sb, {"uow": sb.uow, "clock": sb.clock, "principal": self.principal(), "workspace": self.workspace}
            )
        except StarbaseError as e:
            self.error = describe(e)
            return None, rx.toast.error(self.error)
        self.error = ""
        self._refresh()
        return result, rx.toast.success(done)

    @rx.event
    def invite(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        login, role = form.get("login", "").strip(), form.get("role", "member")
        return self._run(
            f"Invited {login} as {role}", lambda _sb, c: workspaces.add_member(**c, login=login, role=role)
        )[1]

    @rx.event
    def set_role(self, login: str, role: str):  # type: ignore[no-untyped-def]
        return self._run(
            f"{login} is now {role}", lambda _sb, c: workspaces.set_member_role(**c, login=login, role=role)
        )[1]

    @rx.event
    def remove(self, login: str):  # type: ignore[no-untyped-def]
        return self._run(f"Removed {login}", lambda _sb, c: workspaces.remove_member(**c, login=login))[1]

    @rx.event
    def create_token(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        name, role = form.get("name", "").strip(), form.get("role", "member")
        made, toast = self._run(
            f"Token {name} created: copy it now, it is not shown again",
            lambda _sb, c: workspaces.create_token(**c, name=name, role=role),
        )
        self.new_token = made.token if made is not None else ""
        return toast

    @rx.event
    def revoke(self, token_id: str):  # type: ignore[no-untyped-def]
        return self._run("Token revoked", lambda _sb, c: workspaces.revoke_token(**c, token_id=uuid.UUID(token_id)))[1]


def _member(m: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(rx.code(m["login"])),
        rx.table.cell(m["name"]),
        rx.table.cell(
            rx.cond(
                TeamState.can_admin,
                rx.select(ROLES, value=m["role"], size="1", on_change=lambda r: TeamState.set_role(m["login"], r)),
                rx.badge(m["role"]),
            )
        ),
        rx.table.cell(
            rx.cond(
                TeamState.can_admin,
                rx.button(
                    "Remove", size="1", variant="ghost", color_scheme="red", on_click=TeamState.remove(m["login"])
                ),
            )
        ),
        id="member-" + m["login"].to(str),
    )


def _token(t: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(t["name"]),
        rx.table.cell(rx.badge(t["role"])),
        rx.table.cell(rx.code(t["prefix"], "…")),
        rx.table.cell(t["used"]),
        rx.table.cell(
            rx.cond(
                t["state"] == "active",
                rx.button("Revoke", size="1", variant="ghost", color_scheme="red", on_click=TeamState.revoke(t["id"])),
                rx.badge("revoked", color_scheme="gray"),
            )
        ),
        class_name="token-row",
    )


def _table(headers: tuple[str, ...], rows: rx.Var, render) -> rx.Component:  # type: ignore[no-untyped-def,type-arg]
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, render)),
        width="100%",
    )


def page() -> rx.Component:
    return template(
        rx.heading("Team", size="7"),
        _table(("Login", "Name", "Role", ""), TeamState.members, _member),
        rx.cond(
            TeamState.can_admin,
            rx.form(
                rx.hstack(
                    rx.input(name="login", placeholder="GitHub login", id="invite-login", required=True),
                    rx.select(ROLES, name="role", default_value="member"),
                    rx.button("Invite", type="submit", id="invite-submit"),
                ),
                on_submit=TeamState.invite,
                reset_on_submit=True,
                margin_y="12px",
            ),
        ),
        rx.cond(TeamState.error != "", rx.callout(TeamState.error, color_scheme="red", id="team-error")),
        rx.heading("API tokens", size="5", margin_top="24px"),
        rx.text("Tokens act for you in this workspace, capped at the role you give them.", size="2"),
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder="token name, e.g. ci", id="token-name", required=True),
                rx.select(ROLES, name="role", default_value="member"),
                rx.button("Create token", type="submit", id="token-create"),
            ),
            on_submit=TeamState.create_token,
            reset_on_submit=True,
            margin_y="12px",
        ),
        rx.cond(
            TeamState.new_token != "",
            rx.callout(
                rx.text("Copy this token now; it is not shown again: ", rx.code(TeamState.new_token, id="new-token")),
                color_scheme="green",
            ),
        ),
        _table(("Name", "Role", "Prefix", "Last used", ""), TeamState.tokens, _token),
    )
