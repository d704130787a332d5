"""Stardeck's state handlers run as plain Python against the unit container: what each page shows,
what each role may do, and that the user is told the outcome (toasts, field-named errors)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from starbase.contracts import LogLine
from starbase.errors import StarbaseError
from starbase.models import Build
from starbase.ports import MetricSample
from starbase.services.dto import MASK
from stardeck import backend
from stardeck.pages.app_detail import AppState
from stardeck.pages.app_logs import AppLogsState
from stardeck.pages.app_settings import AppSettingsState
from stardeck.pages.apps import AppsState
from stardeck.pages.clusters import ClustersState
from stardeck.pages.mission_control import MissionControlState
from stardeck.pages.team import TeamState
from stardeck.pages.vargroups import VarGroupsState
from tests.unit.stardeck_states import state_for, toast_text
from tests.unit.world import SECRET, World


@pytest.fixture
def deck(world: World) -> Iterator[World]:
    backend.use(world.sb)
    world.deploy(1)
    yield world
    backend.use(None)


WEB = {"path": "/apps/web", "params": {"name": "web"}}


def test_signed_out_visitors_are_sent_to_sign_in(deck: World) -> None:
    state = state_for(AppsState, deck.sb, None)
    assert "/sign-in" in str(state.load())
    assert state.apps == []


def test_apps_page_lists_apps_and_names_the_bad_field(deck: World) -> None:
    state = state_for(AppsState, deck.sb, "member-user")
    state.load()
    assert [(a["name"], a["release"]) for a in state.apps] == [("web", "v3")]
    state.create({"name": "Bad_Name", "repo_url": "https://git.example/x.git"})
    assert state.new_error_field == "name" and state.new_error
    assert "Created api" in toast_text(state.create({"name": "api", "repo_url": "https://git.example/x.git"}))


def test_app_page_role_decides_deploy_and_rollback(deck: World) -> None:
    viewer = state_for(AppState, deck.sb, "viewer-user", **WEB)
    viewer.load()
    assert viewer.app["name"] == "web" and viewer.app["release"] == "v3"
    assert viewer.can_deploy is False
    assert "member" in toast_text(viewer.deploy())
    with deck.sb.uow:
        assert deck.sb.uow.session.exec(select(Build)).all() == []
    member = state_for(AppState, deck.sb, "member-user", **WEB)
    member.load()
    assert member.can_deploy is True
    assert "Rolled back to v2 as v4" in toast_text(member.rollback("v2"))
    assert member.releases[0]["version"] == "v4" and member.releases[0]["current"] == "yes"


def test_variables_are_masked_and_edits_say_which_release_they_create(deck: World) -> None:
    member = state_for(AppSettingsState, deck.sb, "member-user", **WEB)
    member.load()
    assert member.next_version == "v4"
    assert {v["name"]: v["value"] for v in member.env} == {"API_KEY": MASK, "GROUP_KEY": MASK}
    assert member.can_reveal is False
    member.toggle_reveal()
    assert member.revealed is False and SECRET not in str(member.env)
    assert "release v4 created" in toast_text(member.set_var({"name": "DEBUG", "value": "1"}))
    assert member.next_version == "v5" and "DEBUG" in [v["name"] for v in member.env]
    member.set_var({"name": "1BAD", "value": "x"})
    assert member.error.startswith("vars.1BAD") and "not a valid variable name" in member.error
    assert "release v5 created" in toast_text(member.unset_var("DEBUG"))

    admin = state_for(AppSettingsState, deck.sb, "admin-user", **WEB)
    admin.load()
    admin.toggle_reveal()
    assert admin.revealed is True and {"name": "API_KEY", "value": SECRET} in [
        {"name": v["name"], "value": v["value"]} for v in admin.env
    ]


def test_scale_creates_a_release_and_rejects_nonsense(deck: World) -> None:
    member = state_for(AppSettingsState, deck.sb, "member-user", **WEB)
    member.load()
    assert member.replicas == "1"
    assert "release v4 created" in toast_text(member.scale({"replicas": "3"}))
    assert member.replicas == "3"
    member.scale({"replicas": "many"})
    assert member.error.startswith("replicas")
    member.scale({"replicas": "1000"})
    assert member.error.startswith("replicas") and member.replicas == "3"


def test_logs_search_and_since(deck: World) -> None:
    now = deck.sb.clock.now()
    deck.sb.logs.append(
        [
            LogLine(ts=now - timedelta(hours=3), workspace="acme", app="web", stream="stdout", line="old request"),
            LogLine(ts=now, workspace="acme", app="web", stream="stdout", line="GET /health 200"),
            LogLine(ts=now, workspace="acme", app="web", stream="stderr", line="boom: trace"),
        ]
    )
    state = state_for(AppLogsState, deck.sb, "viewer-user", **WEB)
    state.load()
    assert [r["line"] for r in state.lines] == ["GET /health 200", "boom: trace"]
    state.apply_filter({"search": "boom", "since": "1h"})
    assert [r["line"] for r in state.lines] == ["boom: trace"]
    state.apply_filter({"search": "", "since": "4h"})
    assert len(state.lines) == 3
    state.apply_filter({"search": "", "since": "yesterday-ish"})
    assert state.error.startswith("since")


def test_var_groups_page(deck: World) -> None:
    member = state_for(VarGroupsState, deck.sb, "member-user")
    member.load()
    assert [g["name"] for g in member.groups] == ["shared"] and member.groups[0]["apps"] == "web"
    assert "web v4" in toast_text(member.set_var({"group": "shared", "name": "REGION", "value": "eu"}))
    member.create({"name": "Not A Label"})
    assert member.error.startswith("name")
    member.create({"name": "db", "description": "database"})
    member.attach({"group": "db", "app": "web", "action": "attach"})
    assert next(g for g in member.groups if g["name"] == "db")["apps"] == "web"
    viewer = state_for(VarGroupsState, deck.sb, "viewer-user")
    viewer.load()
    assert viewer.can_edit is False


def test_team_page_invites_and_shows_a_token_once(deck: World) -> None:
    admin = state_for(TeamState, deck.sb, "admin-user")
    admin.load()
    assert {m["login"] for m in admin.members} >= {"owner-user", "viewer-user"}
    admin.invite({"login": "Newbie", "role": "member"})
    assert {"login": "newbie", "name": "", "role": "member"} in admin.members
    admin.set_role("newbie", "viewer")
    assert next(m for m in admin.members if m["login"] == "newbie")["role"] == "viewer"
    admin.create_token({"name": "ci", "role": "member"})
    token = admin.new_token
    assert token and token.startswith(next(t["prefix"] for t in admin.tokens if t["name"] == "ci"))
    admin.load()
    assert admin.new_token == "" and token not in str(admin.tokens)
    admin.create_token({"name": "root", "role": "owner"})
    assert admin.new_token == "" and "needs 'owner'" in admin.error
    viewer = state_for(TeamState, deck.sb, "viewer-user")
    viewer.load()
    assert viewer.can_admin is False
    viewer.invite({"login": "sneaky", "role": "owner"})
    assert viewer.error and "sneaky" not in [m["login"] for m in viewer.members]


def test_clusters_page(deck: World) -> None:
    state = state_for(ClustersState, deck.sb, "viewer-user")
    state.load()
    assert [(c["name"], c["lease"]) for c in state.clusters] == [("shared-1", "pending")]


def test_mission_control_builds_figures_and_changes_range(deck: World) -> None:
    now = deck.sb.clock.now()
    labels = {"workspace": "acme", "app": "web", "environment": "production", "cluster": "shared-1"}
    deck.sb.metrics.write([MetricSample("app_cpu_millis", labels, 120.0, now - timedelta(minutes=m)) for m in (1, 30)])
    state = state_for(MissionControlState, deck.sb, "viewer-user", path="/mission-control")
    state.load()
    assert [a["name"] for a in state.apps] == ["web"] and state.apps[0]["href"] == "/apps/web?workspace=acme"
    assert state.status_fig.data and sum(sum(t.y) for t in state.status_fig.data) == 1
    assert sum(len(t.y) for t in state.cpu_fig.data) >= 1
    assert any(e["type"] == "release.created" for e in state.events)
    state.set_range("cpu", "7d")
    assert state.ranges["cpu"] == "7d"
    state.set_range("cpu", "forever")
    assert state.ranges["cpu"] == "7d"


class _Page:
    """Just what ``keep_fresh`` uses of a Reflex state: ``async with``, ``watch_id`` and ``_refresh``."""

    def __init__(self, *, stop_after: int | None = None, fail_after: int | None = None) -> None:
        self.watch_id, self.refreshes = 1, 0
        self.stop_after, self.fail_after = stop_after, fail_after

    async def __aenter__(self) -> _Page:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    def _refresh(self) -> None:
        self.refreshes += 1
        if self.refreshes == self.stop_after:
            self.watch_id += 1  # the page was loaded again or left
        if self.refreshes == self.fail_after:
            raise StarbaseError("gone")


def test_keep_fresh_stops_when_the_page_changes_fails_or_hits_its_limit() -> None:
    import asyncio

    from stardeck.state import keep_fresh

    capped, left, failing = _Page(), _Page(stop_after=2), _Page(fail_after=1)
    for page in (capped, left, failing):
        asyncio.run(keep_fresh(page, period=0, limit=5))
    assert (capped.refreshes, left.refreshes, failing.refreshes) == (5, 2, 1)
