"""GitHub push webhooks: HMAC checked in constant time, deliveries deduplicated, ping answered, a push to an
app's branch starts a build of the pushed commit, anything else is ignored with 202."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.crypto import SecretBox
from starbase.db import make_engine
from starbase.services.webhooks import normalise_repo
from tests.fakes import FakeClock
from tests.unit.conftest import TEST_KEY
from tests.unit.world import World, build_world

SECRET = "webhook-secret-for-tests"
SHA = "1f" * 20


@pytest.fixture
def hooked(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in ("STARFORM_MODE", "STARFORM_DATABASE_URL", "STARFORM_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    sb: Starbase = bootstrap(
        load_settings(database_url="sqlite://", secret_key=TEST_KEY, github_webhook_secret=SECRET),
        engine=engine,
        clock=FakeClock(),
        secrets=SecretBox(TEST_KEY),
    )
    world = build_world(sb)
    world.call(
        "owner", "PATCH", "/api/v1/workspaces/acme/apps/web", json={"repo_url": "https://github.com/Acme/Web.git"}
    )
    yield world
    sb.close()


def send(
    client: TestClient, body: dict[str, object], *, event: str = "push", delivery: str = "d-1", secret: str = SECRET
):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/github",
        content=raw,
        headers={
            "X-Hub-Signature-256": signature,
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "Content-Type": "application/json",
        },
    )


def push(branch: str = "main", after: str = SHA) -> dict[str, object]:
    return {
        "ref": f"refs/heads/{branch}",
        "after": after,
        "pusher": {"name": "ada"},
        "repository": {"clone_url": "https://github.com/acme/web.git", "ssh_url": "git@github.com:acme/web.git"},
    }


def test_a_push_to_the_app_branch_starts_a_build_of_that_commit(hooked: World) -> None:
    response = send(hooked.client, push())
    assert response.status_code == 202
    [started] = response.json()["builds"]
    assert started["app"] == "web"
    [build] = hooked.call("viewer", "GET", "/api/v1/workspaces/acme/apps/web/builds").json()
    assert (build["state"], build["ref"], build["commit_sha"], build["trigger"]) == ("queued", SHA, SHA, "push")


def test_a_redelivery_is_ignored(hooked: World) -> None:
    assert len(send(hooked.client, push(), delivery="same").json()["builds"]) == 1
    again = send(hooked.client, push(), delivery="same")
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert len(hooked.call("viewer", "GET", "/api/v1/workspaces/acme/apps/web/builds").json()) == 1


def test_bad_or_missing_signatures_are_401_and_change_nothing(hooked: World) -> None:
    assert send(hooked.client, push(), secret="wrong").status_code == 401
    unsigned = hooked.client.post("/webhooks/github", content=b"{}", headers={"X-GitHub-Event": "push"})
    assert unsigned.status_code == 401
    assert hooked.call("viewer", "GET", "/api/v1/workspaces/acme/apps/web/builds").json() == []


def test_ping_other_events_other_branches_and_deletions_are_answered_and_ignored(hooked: World) -> None:
    assert send(hooked.client, {"zen": "hi"}, event="ping", delivery="p").json() == {"status": "pong"}
    assert send(hooked.client, {}, event="issues", delivery="i").json()["status"] == "ignored"
    assert send(hooked.client, push(branch="feature"), delivery="f").json()["builds"] == []
    assert send(hooked.client, push(after="0" * 40), delivery="x").json()["status"] == "ignored"
    assert hooked.call("viewer", "GET", "/api/v1/workspaces/acme/apps/web/builds").json() == []


def test_webhooks_are_404_when_no_secret_is_configured(world: World) -> None:
    assert send(world.client, push()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/web.git",
        "git@github.com:Acme/web.git",
        "https://token@github.com/acme/web/",
        "ssh://git@github.com/acme/web",
    ],
)
def test_repository_urls_compare_in_any_form(url: str) -> None:
    assert normalise_repo(url) == "github.com/acme/web"
