"""Browser sign-in: GitHub OAuth (state + PKCE S256 + exact redirect URI) against a local server that speaks
GitHub's endpoints, and embedded mode's one-time link. Sessions are httpOnly cookies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from starbase.adapters import migrations
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.http import create_app
from starbase.services.embedded import prepare_embedded
from tests.github_server import USER, GitHubServer

PUBLIC = "http://starform.test"


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    with GitHubServer("client-123", "secret-456") as server:
        yield server


@pytest.fixture
def sb(tmp_path: Path, github: GitHubServer) -> Iterator[Starbase]:
    settings = load_settings(
        data_dir=tmp_path,
        public_url=PUBLIC,
        github_client_id="client-123",
        github_client_secret="secret-456",
        github_oauth_url=github.url,
        github_api_url=github.url,
    )
    migrations.upgrade(settings.resolved_database_url)
    container = bootstrap(settings)
    yield container
    container.close()


def start(client: TestClient) -> tuple[str, dict[str, list[str]]]:
    login = client.get("/auth/github/login", follow_redirects=False)
    assert login.status_code == 302
    assert "httponly" in login.headers["set-cookie"].lower()
    location = login.headers["location"]
    return location, parse_qs(urlsplit(location).query)


def test_github_sign_in_with_state_pkce_and_exact_redirect(sb: Starbase) -> None:
    client = TestClient(create_app(sb), base_url=PUBLIC)
    location, query = start(client)
    assert query["redirect_uri"] == [f"{PUBLIC}/auth/github/callback"]
    assert query["code_challenge_method"] == ["S256"] and query["state"][0]
    back = httpx.get(location, follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    done = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert done.status_code == 303, done.text
    cookie = done.headers["set-cookie"]
    assert "starform_session=" in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    me = client.get("/api/v1/me").json()
    assert me["kind"] == "user" and me["name"] == USER["login"].lower()


def test_a_forged_state_is_refused(sb: Starbase) -> None:
    client = TestClient(create_app(sb), base_url=PUBLIC)
    location, _ = start(client)
    back = urlsplit(httpx.get(location, follow_redirects=False).headers["location"])
    params = parse_qs(back.query)
    forged = client.get(f"{back.path}?code={params['code'][0]}&state=forged", follow_redirects=False)
    assert forged.status_code == 401
    assert "state" in forged.json()["error"]["message"]
    assert client.get("/api/v1/me").status_code == 401


def test_a_callback_without_the_started_flow_is_refused(sb: Starbase) -> None:
    fresh = TestClient(create_app(sb), base_url=PUBLIC)
    assert fresh.get("/auth/github/callback?code=x&state=y").status_code == 401


def test_provider_errors_are_reported(sb: Starbase) -> None:
    client = TestClient(create_app(sb), base_url=PUBLIC)
    _, query = start(client)
    refused = client.get(f"/auth/github/callback?code=not-issued&state={query['state'][0]}")
    assert refused.status_code == 401
    assert "incorrect or expired" in refused.json()["error"]["message"]
    denied = client.get("/auth/github/callback?error=access_denied&error_description=The+user+said+no")
    assert denied.status_code == 401


def test_embedded_sign_in_link_works_once(sb: Starbase) -> None:
    start_info = prepare_embedded(uow=sb.uow, clock=sb.clock)
    client = TestClient(create_app(sb), base_url=PUBLIC)
    signed = client.get(f"/auth/local?token={start_info.login_secret}", follow_redirects=False)
    assert signed.status_code == 303 and "httponly" in signed.headers["set-cookie"].lower()
    me = client.get("/api/v1/me").json()
    assert me["name"] == "admin" and me["default_workspace"] == "default"
    again = TestClient(create_app(sb), base_url=PUBLIC).get(f"/auth/local?token={start_info.login_secret}")
    assert again.status_code == 401
    session = client.cookies["starform_session"]
    client.post("/auth/logout", follow_redirects=False)
    replay = TestClient(create_app(sb), base_url=PUBLIC, cookies={"starform_session": session})
    assert replay.get("/api/v1/me").status_code == 401  # the session ended on the server, not just in the browser
