"""One app: overview (status as Shuttle observed it, replicas, URL, release and commit), the Deploy button
(not for viewers), builds with a live log tail that follows a running build, releases with rollback, and
variables (masked)."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from starbase.errors import StarbaseError
from starbase.models import Role
from starbase.services import apps, builds, release_ops, releases, variables
from starbase.services.access import at_least
from starbase.services.dto import RollbackRequest
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState

ROUTE = "/apps/[name]"
FINISHED = ("succeeded", "failed", "cancelled", "timed_out")


class AppState(SessionState):
    app: dict[str, str] = {}
    builds: list[dict[str, str]] = []
    releases: list[dict[str, str]] = []
    env: list[dict[str, str]] = []
    log_lines: list[str] = []
    following: str = ""
    can_deploy: bool = False

    def _name(self) -> str:
        return str(self.router.page.params.get("name", ""))

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.can_deploy = at_least(Role(self.role), Role.MEMBER) if self.role else False
        try:
            self._refresh()
        except StarbaseError as e:
            return rx.toast.error(e.message)
        return None

    def _refresh(self) -> None:
        sb, caller, name = starbase(), self.principal(), self._name()
        common = {"uow": sb.uow, "principal": caller, "workspace": self.workspace}
        found = apps.get_app(**common, name=name, apps_domain=sb.settings.apps_domain, apps_port=sb.settings.apps_port)
        self.app = {
            "name": found.name,
            "status": found.status,
            "release": found.release or "-",
            "url": found.url,
            "replicas": f"{found.ready_replicas}/{found.replicas}",
            "repo": found.repo_url,
            "branch": found.branch,
        }
        self.builds = [
            {
                "id": str(b.id),
                "state": b.state,
                "ref": b.ref,
                "commit": (b.commit_sha or "")[:7],
                "release": b.release or "-",
                "error": b.error or "",
            }
            for b in builds.list_builds(**common, app=name, limit=10)
        ]
        self.releases = [
            {"version": r.version, "description": r.description, "current": "yes" if r.current else ""}
            for r in releases.list_releases(**common, app=name)
        ]
        self.env = [
            {"name": v.name, "value": v.value, "source": v.source}
            for v in variables.list_app_vars(**common, box=sb.secrets, app=name)
        ]

    @rx.event
    def deploy(self):  # type: ignore[no-untyped-def]
        sb = starbase()
        try:
            build = builds.start_build(
                uow=sb.uow,
                clock=sb.clock,
                logs=sb.logs,
                principal=self.principal(),
                workspace=self.workspace,
                app=self._name(),
                trigger="ui",
            )
        except StarbaseError as e:
            return rx.toast.error(e.message)
        self.following, self.log_lines = str(build.id), []
        self._refresh()
        return [rx.toast.success(f"Build of {build.ref} queued"), AppState.follow_build]

    @rx.event
    def rollback(self, version: str):  # type: ignore[no-untyped-def]
        sb = starbase()
        try:
            made = release_ops.rollback(
                uow=sb.uow,
                box=sb.secrets,
                clock=sb.clock,
                principal=self.principal(),
                workspace=self.workspace,
                app=self._name(),
                body=RollbackRequest(to=version),
            )
        except StarbaseError as e:
            return rx.toast.error(e.message)
        self._refresh()
        return rx.toast.success(f"Rolled back to {version} as {made.version}")

    @rx.event(background=True)
    async def follow_build(self):  # type: ignore[no-untyped-def]
        """Tail the running build's log until it ends, without reloading the page."""
        cursor = 0
        while True:
            async with self:
                build_id, caller = self.following, self.principal()
            if not build_id:
                return
            sb = starbase()
            build, lines = builds.build_logs(
                uow=sb.uow, logs=sb.logs, principal=caller, build_id=uuid.UUID(build_id), after=cursor
            )
            async with self:
                self.log_lines = (self.log_lines + [item.line.line for item in lines])[-500:]
                if lines:
                    cursor = lines[-1].cursor
                if build.state in FINISHED and not lines:
                    self.following = ""
                    self._refresh()
                    return
            await asyncio.sleep(0.5)


def _overview() -> rx.Component:
    return rx.hstack(
        rx.badge(AppState.app["status"], id="app-status", size="3"),
        rx.text("Release ", rx.code(AppState.app["release"], id="app-release")),
        rx.text("Replicas ", AppState.app["replicas"]),
        rx.link(AppState.app["url"], href=AppState.app["url"], is_external=True),
        rx.spacer(),
        rx.cond(AppState.can_deploy, rx.button("Deploy", on_click=AppState.deploy, id="deploy-button")),
        spacing="4",
        align="center",
        width="100%",
    )


def _builds() -> rx.Component:
    return rx.vstack(
        rx.heading("Builds", size="4"),
        rx.foreach(
            AppState.builds,
            lambda b: rx.hstack(
                rx.badge(b["state"], class_name="build-state"),
                rx.code(b["commit"]),
                rx.text(b["ref"]),
                rx.text("→ ", b["release"]),
                rx.text(b["error"], color_scheme="red", size="1"),
                spacing="3",
            ),
        ),
        rx.cond(
            AppState.log_lines.length() > 0,
            rx.box(
                rx.foreach(AppState.log_lines, lambda line: rx.text(line, font_family="monospace", size="1")),
                id="build-log",
                max_height="320px",
                overflow_y="auto",
                width="100%",
                padding="8px",
                background="var(--gray-a3)",
                border_radius="6px",
            ),
        ),
        align="start",
        width="100%",
    )


def _releases() -> rx.Component:
    return rx.vstack(
        rx.heading("Releases", size="4"),
        rx.foreach(
            AppState.releases,
            lambda r: rx.hstack(
                rx.code(r["version"]),
                rx.text(r["description"], size="2"),
                rx.badge(r["current"]),
                rx.cond(
                    (r["current"] == "") & AppState.can_deploy,
                    rx.button("Rollback", size="1", variant="soft", on_click=AppState.rollback(r["version"])),
                ),
                spacing="3",
                align="center",
                class_name="release-row",
            ),
        ),
        align="start",
        width="100%",
    )


def _variables() -> rx.Component:
    return rx.vstack(
        rx.heading("Variables", size="4"),
        rx.foreach(
            AppState.env,
            lambda v: rx.hstack(rx.code(v["name"]), rx.text(v["value"]), rx.badge(v["source"]), spacing="3"),
        ),
        align="start",
        width="100%",
    )


def page() -> rx.Component:
    return template(
        rx.heading(AppState.app["name"], size="7", id="app-name"),
        rx.text(AppState.app["repo"], " · ", AppState.app["branch"], size="2", color_scheme="gray"),
        _overview(),
        rx.divider(),
        _builds(),
        rx.divider(),
        _releases(),
        rx.divider(),
        _variables(),
    )
