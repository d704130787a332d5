"""Apps: every app of the current workspace with its status as Shuttle observed it, its release, last
deploy and URL; an empty workspace explains the next step."""

from __future__ import annotations

import reflex as rx

from starbase.errors import StarbaseError
from starbase.services import apps
from starbase.services.dto import AppCreate
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState, keep_fresh

ROUTE = "/"
WATCH_S, WATCH_MAX = 3.0, 1200
STATUS_COLORS = {
    "running": "green",
    "deploying": "blue",
    "crash_looping": "red",
    "failed": "red",
    "new": "gray",
    "unplaced": "amber",
    "degraded": "amber",
}


class AppsState(SessionState):
    apps: list[dict[str, str]] = []
    new_error: str = ""
    new_error_field: str = ""
    watch_id: int = 0

    @rx.event
    def create(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """The "New app" form: the API's own validation message is shown next to the field it names."""
        sb = starbase()
        body = {
            "name": form.get("name", "").strip(),
            "repo_url": form.get("repo_url", "").strip(),
            "branch": form.get("branch", "").strip() or "main",
        }
        try:
            created = apps.create_app(
                uow=sb.uow,
                clock=sb.clock,
                principal=self.principal(),
                workspace=self.workspace,
                body=AppCreate(**body),
                apps_domain=sb.settings.apps_domain,
                apps_port=sb.settings.apps_port,
            )
        except StarbaseError as e:
            self.new_error, self.new_error_field = e.message, e.field or ""
            return None
        self.new_error = self.new_error_field = ""
        return [rx.toast.success(f"Created {created.name}: deploy it next"), rx.redirect(f"/apps/{created.name}")]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        if not self.workspace:
            self.apps = []
            return None
        self._refresh()
        self.watch_id += 1
        return AppsState.watch

    @rx.event
    def unwatch(self):  # type: ignore[no-untyped-def]
        self.watch_id += 1

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Status and releases as Shuttle reports them, while the page is open (no reload)."""
        await keep_fresh(self, period=WATCH_S, limit=WATCH_MAX)

    def _refresh(self) -> None:
        sb = starbase()
        found = apps.list_apps(
            uow=sb.uow,
            principal=self.principal(),
            workspace=self.workspace,
            apps_domain=sb.settings.apps_domain,
            apps_port=sb.settings.apps_port,
        )
        self.apps = [
            {
                "name": a.name,
                "status": a.status,
                "release": a.release or "-",
                "url": a.url,
                "deployed": a.last_deployed_at.strftime("%Y-%m-%d %H:%M") if a.last_deployed_at else "-",
            }
            for a in found
        ]


def _row(app: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(rx.link(app["name"], href="/apps/" + app["name"])),
        rx.table.cell(
            rx.badge(
                app["status"],
                class_name="app-status",
                color_scheme=rx.match(app["status"], *STATUS_COLORS.items(), "gray"),
            )
        ),
        rx.table.cell(app["release"]),
        rx.table.cell(app["deployed"]),
        rx.table.cell(rx.link(app["url"], href=app["url"], is_external=True)),
        id="app-" + app["name"],
    )


def _new_app() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="name", placeholder="name (e.g. web)", id="new-app-name"),
            rx.input(
                name="repo_url",
                placeholder="https://github.com/you/repo.git",
                id="new-app-repo",
                width=["100%", "320px"],
            ),
            rx.input(name="branch", placeholder="main", id="new-app-branch", width="120px"),
            rx.button("New app", type="submit", id="new-app-submit"),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            AppsState.new_error != "",
            rx.text(
                AppsState.new_error_field, ": ", AppsState.new_error, color_scheme="red", size="2", id="new-app-error"
            ),
        ),
        on_submit=AppsState.create,
        reset_on_submit=False,
    )


def page() -> rx.Component:
    return template(
        rx.box(on_unmount=AppsState.unwatch),
        rx.heading("Apps", size="7"),
        rx.cond(AppsState.role != "viewer", _new_app()),
        rx.cond(
            AppsState.apps.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("App", "Status", "Release", "Last deploy", "URL")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(AppsState.apps, _row)),
                    width="100%",
                    id="apps-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.callout(
                rx.text(
                    "No apps yet. Create one from a Git repository: ",
                    rx.code("starform apps create NAME --repo URL"),
                    " then ",
                    rx.code("starform deploy NAME --wait"),
                    ".",
                ),
                icon="rocket",
                id="apps-empty",
            ),
        ),
    )
