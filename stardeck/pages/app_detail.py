"""One app: overview (status as Shuttle observed it, replicas, URL, release and commit) kept fresh while the
page is open, the Deploy button (not for viewers), builds with a live log tail that follows a running
build, releases with a confirmed rollback; the Variables, Scale and Logs tabs come from their modules."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from starbase.errors import StarbaseError
from starbase.models import Role
from starbase.services import apps, builds, release_ops, releases
from starbase.services.access import at_least
from starbase.services.dto import RollbackRequest
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.pages.app_logs import logs_panel
from stardeck.pages.app_settings import scale_panel, variables_panel
from stardeck.state import SessionState, keep_fresh

ROUTE = "/apps/[name]"
FINISHED = ("succeeded", "failed", "cancelled", "timed_out")
WATCH_S, WATCH_MAX = 2.0, 1800  # refresh every 2 s, for at most an hour per page visit


class AppState(SessionState):
    app: dict[str, str] = {}
    builds: list[dict[str, str]] = []
    releases: list[dict[str, str]] = []
    log_lines: list[str] = []
    following: str = ""
    can_deploy: bool = False
    watch_id: int = 0
    webhook_url: str = ""
    shown: str = "-"  # the app the lists below belong to, once loaded (no empty state before that)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        wanted = self.query_param("workspace")
        if wanted:
            self.workspace = wanted  # Mission Control links name the app's workspace; checked just below
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.can_deploy = at_least(Role(self.role), Role.MEMBER) if self.role else False
        try:
            self._refresh()
        except StarbaseError as e:
            return rx.toast.error(e.message)
        self.watch_id += 1
        return AppState.watch

    @rx.event
    def unwatch(self):  # type: ignore[no-untyped-def]
        self.watch_id += 1

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Keep status, builds and releases current while the page is open (no reload)."""
        await keep_fresh(self, period=WATCH_S, limit=WATCH_MAX)

    def _refresh(self) -> None:
        sb, caller, name = starbase(), self.principal(), self.app_param()
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
        self.webhook_url = sb.settings.public_url.rstrip("/") + "/webhooks/github"
        self.shown = found.name
        self.builds = [
            {
                "id": str(b.id),
                "state": b.state,
                "ref": b.ref,
                "commit": (b.commit_sha or "")[:7],
                "release": b.release or "-",
                "error": b.error or "",
                "when": b.created_at.strftime("%m-%d %H:%M"),
                "duration": f"{b.duration_s:.1f} s" if b.duration_s is not None else "",
            }
            for b in builds.list_builds(**common, app=name, limit=10)
        ]
        self.releases = [
            {"version": r.version, "description": r.description, "current": "yes" if r.current else ""}
            for r in releases.list_releases(**common, app=name)
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
                app=self.app_param(),
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
                app=self.app_param(),
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
        wrap="wrap",
        overflow_wrap="anywhere",
    )


def _builds() -> rx.Component:
    return rx.vstack(
        rx.cond(
            (AppState.builds.length() == 0) & (AppState.app["name"] == AppState.shown),
            rx.callout(
                rx.text(
                    "No builds yet. Click Deploy, run ",
                    rx.code("starform deploy ", AppState.app["name"]),
                    ", or add a GitHub webhook: payload URL ",
                    rx.code(AppState.webhook_url),
                    ", content type application/json, secret: the platform's STARFORM_GITHUB_WEBHOOK_SECRET.",
                ),
                icon="rocket",
                id="builds-empty",
            ),
        ),
        rx.foreach(
            AppState.builds,
            lambda b: rx.hstack(
                rx.badge(b["state"], class_name="build-state"),
                rx.code(b["commit"]),
                rx.text(b["ref"]),
                rx.text("→ ", b["release"]),
                rx.text(b["when"], size="1", color_scheme="gray"),
                rx.text(b["duration"], size="1", color_scheme="gray", class_name="build-duration"),
                rx.text(b["error"], color_scheme="red", size="1"),
                spacing="3",
                wrap="wrap",
                align="center",
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


def _rollback_button(version: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Rollback", size="1", variant="soft", class_name="rollback-button")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Roll back to ", version, "?"),
            rx.alert_dialog.description(
                "This creates a new release with the build and configuration of ", version, ". Nothing is rebuilt."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Roll back", color_scheme="red", on_click=AppState.rollback(version), id="confirm-rollback"
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="12px",
            ),
        ),
    )


def _releases() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            AppState.releases,
            lambda r: rx.hstack(
                rx.code(r["version"]),
                rx.text(r["description"], size="2"),
                rx.cond(r["current"] != "", rx.badge("current", color_scheme="green")),
                rx.cond((r["current"] == "") & AppState.can_deploy, _rollback_button(r["version"])),
                spacing="3",
                align="center",
                class_name="release-row",
                id="release-" + r["version"].to(str),
            ),
        ),
        align="start",
        width="100%",
    )


def _tabs() -> rx.Component:
    tabs = (
        ("builds", "Builds", _builds()),
        ("releases", "Releases", _releases()),
        ("variables", "Variables", variables_panel()),
        ("scale", "Scale", scale_panel()),
        ("logs", "Logs", logs_panel()),
    )
    return rx.tabs.root(
        rx.tabs.list(
            *[rx.tabs.trigger(label, value=key, id=f"tab-{key}") for key, label, _ in tabs], overflow_x="auto"
        ),
        *[rx.tabs.content(body, value=key, padding_top="16px") for key, _, body in tabs],
        default_value="builds",
        width="100%",
    )


def page() -> rx.Component:
    return template(
        rx.vstack(
            rx.heading(AppState.app["name"], size="7", id="app-name"),
            rx.text(AppState.app["repo"], " · ", AppState.app["branch"], size="2", color_scheme="gray"),
            _overview(),
            _tabs(),
            spacing="4",
            width="100%",
            on_unmount=AppState.unwatch,
        )
    )
