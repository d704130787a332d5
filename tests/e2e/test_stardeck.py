"""Stardeck in a real browser (Debian's Chromium) against `starform up`: the one-time link signs in, the
Apps page lists the workspace's apps with the status Shuttle observed, and signed-out visitors are sent
to the sign-in page. Screenshots of each page land in tests/artifacts/screenshots."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from starbase.bootstrap import bootstrap
from starbase.config import load_settings
from starbase.services.auth import authenticate, create_login_link, redeem_login_link
from starbase.services.workspaces import add_member
from tests.e2e.browser import SHOTS, chromium
from tests.e2e.conftest import Captured, run
from tests.integration.builds_world import git_repo
from tests.servers import free_port

pytestmark = pytest.mark.slow


def viewer_link(data: Path) -> str:
    """A viewer of the default workspace and a one-time sign-in link for them, made server-side."""
    sb = bootstrap(load_settings(data_dir=data))
    try:
        admin = authenticate(
            uow=sb.uow,
            clock=sb.clock,
            bearer=None,
            session_token=redeem_login_link(
                uow=sb.uow, clock=sb.clock, secret=create_login_link(uow=sb.uow, clock=sb.clock, login="admin")
            ),
        )
        add_member(uow=sb.uow, clock=sb.clock, principal=admin, workspace="default", login="vera", role="viewer")
        secret = create_login_link(uow=sb.uow, clock=sb.clock, login="vera")
    finally:
        sb.close()
    return f"/auth/local?token={secret}"


def link_again(data: Path, port: int) -> str:
    """Another one-time sign-in link for the admin (each link works once)."""
    sb = bootstrap(load_settings(data_dir=data))
    try:
        return (
            f"http://localhost:{port}/auth/local?token={create_login_link(uow=sb.uow, clock=sb.clock, login='admin')}"
        )
    finally:
        sb.close()


def test_sign_in_with_the_local_link_and_see_the_apps(env: dict[str, str], tmp_path: Path) -> None:
    port, apps_port = free_port(), free_port()
    data = tmp_path / "up"
    up = Captured(["starform", "up", "--port", str(port), "--data-dir", str(data), "--apps-port", str(apps_port)], env)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        up.wait_for_line("Starform is up", timeout=600)
        link = up.wait_for_line("/auth/local?token=", timeout=5).split("Sign in: ", 1)[1].split()[0]
        cli = {
            **env,
            "STARFORM_DATA_DIR": str(data),
            "STARFORM_URL": f"http://127.0.0.1:{port}",
            "STARFORM_CONFIG": str(tmp_path / "cli.toml"),
        }
        cli["STARFORM_TOKEN"] = json.loads(
            run(
                ["starform", "admin", "token", "create", "--workspace", "default", "--role", "owner", "-o", "json"], cli
            ).stdout
        )["token"]
        assert run(["starform", "apps", "create", "api", "--repo", "https://git.example/api.git"], cli).returncode == 0
        repo = git_repo("static", tmp_path / "repos")
        with chromium() as browser:
            stranger = browser.new_page()
            stranger.goto(f"http://localhost:{port}/")
            stranger.wait_for_url("**/sign-in", timeout=60_000)
            stranger.get_by_text("Sign in to Starform").wait_for(timeout=30_000)
            stranger.screenshot(path=str(SHOTS / "sign-in.png"), full_page=True)
            page = browser.new_page()
            page.goto(link)
            page.wait_for_url(f"http://localhost:{port}/", timeout=60_000)
            page.locator("#app-api").wait_for(timeout=60_000)
            assert page.locator("#signed-in-user").inner_text() == "admin"
            assert page.locator("#app-api .app-status").inner_text() == "new"
            assert f"api-default.localhost:{apps_port}" in page.locator("#app-api").inner_text()

            page.fill("#new-app-name", "Bad_Name")
            page.fill("#new-app-repo", repo)
            page.click("#new-app-submit")
            page.locator("#new-app-error").wait_for(timeout=30_000)
            assert "name" in page.locator("#new-app-error").inner_text()
            page.fill("#new-app-name", "web")  # from a local git repository
            page.click("#new-app-submit")
            page.wait_for_url("**/apps/web", timeout=30_000)
            page.wait_for_function(  # the empty state says what to do next
                "document.querySelector('#builds-empty')?.innerText.includes('starform deploy web')", timeout=30_000
            )
            page.locator("#deploy-button").click()
            page.get_by_text("--> succeeded").wait_for(timeout=120_000)  # the live log tail, no reload
            page.wait_for_function(  # the finished build shows how long it took
                "document.querySelector('.build-duration')?.innerText.endsWith(' s')", timeout=30_000
            )
            page.screenshot(path=str(SHOTS / "app-build.png"), full_page=True)
            # the page follows Shuttle's report by itself: no reload
            page.wait_for_function(
                "document.querySelector('#app-status')?.innerText.trim().toLowerCase() === 'running'", timeout=90_000
            )
            page.screenshot(path=str(SHOTS / "app-running.png"), full_page=True)
            page.goto(f"http://localhost:{port}/")
            page.locator("#app-web").wait_for(timeout=30_000)
            page.screenshot(path=str(SHOTS / "apps.png"), full_page=True)
            page.goto(f"http://localhost:{port}/apps/web")
            page.locator("#app-status").wait_for(timeout=30_000)
            assert page.locator("#app-release").inner_text() == "v1"
            site = browser.new_page()
            site.goto(f"http://web-default.localhost:{apps_port}/")
            assert "hello from a static site" in site.content()

            page.click("#tab-variables")
            page.wait_for_function(
                "document.querySelector('#next-release')?.innerText === 'this creates release v2'", timeout=30_000
            )
            page.fill("#var-name", "GREETING")
            page.fill("#var-value", "hello")
            page.click("#var-save")
            page.locator("#var-GREETING").wait_for(timeout=30_000)
            assert page.locator("#var-GREETING .var-value").inner_text() == "••••••"
            page.get_by_text("release v2 created").wait_for(timeout=30_000)  # the toast
            page.screenshot(path=str(SHOTS / "app-variables.png"), full_page=True)
            page.click("#tab-releases")
            page.locator("#release-v2").get_by_text("current").wait_for(timeout=30_000)
            page.locator("#release-v1 .rollback-button").click()
            page.click("#confirm-rollback")
            page.locator("#release-v3").get_by_text("current").wait_for(timeout=30_000)
            assert "Rollback" in page.locator("#release-v3").inner_text()
            page.wait_for_function(
                "document.querySelector('#app-release')?.innerText === 'v3'"
                " && document.querySelector('#app-status')?.innerText.trim().toLowerCase() === 'running'",
                timeout=90_000,
            )
            page.screenshot(path=str(SHOTS / "app-releases.png"), full_page=True)
            page.click("#tab-logs")
            page.locator("#app-logs").wait_for(timeout=30_000)

            page.goto(f"http://localhost:{port}/mission-control")
            page.locator("#chart-status .js-plotly-plot").wait_for(timeout=60_000)
            page.locator("#mc-apps").get_by_text("web").first.wait_for(timeout=30_000)
            page.screenshot(path=str(SHOTS / "mission-control.png"), full_page=True)
            page.goto(f"http://localhost:{port}/team")
            page.fill("#token-name", "ci")
            page.click("#token-create")
            page.locator("#new-token").wait_for(timeout=30_000)
            assert page.locator("#new-token").inner_text().startswith("sf_")
            page.screenshot(path=str(SHOTS / "team.png"), full_page=True)
            page.goto(f"http://localhost:{port}/vargroups")
            page.fill("#group-name", "shared")
            page.click("#group-create")
            page.locator("#group-shared").wait_for(timeout=30_000)
            page.screenshot(path=str(SHOTS / "vargroups.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(link_again(data, port))
            phone.wait_for_url(f"http://localhost:{port}/", timeout=60_000)
            phone.goto(f"http://localhost:{port}/apps/web")
            phone.locator("#app-status").wait_for(timeout=30_000)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
            phone.screenshot(path=str(SHOTS / "app-phone.png"), full_page=True)
            phone.emulate_media(color_scheme="dark")
            phone.goto(f"http://localhost:{port}/")
            phone.locator("#app-web").wait_for(timeout=30_000)
            phone.screenshot(path=str(SHOTS / "apps-phone-dark.png"), full_page=True)

            page.goto(f"http://localhost:{port}/clusters")
            page.locator("#cluster-local").wait_for(timeout=30_000)
            assert "ready" in page.locator("#cluster-local").inner_text()
            page.screenshot(path=str(SHOTS / "clusters.png"), full_page=True)
            page.goto(f"http://localhost:{port}/events")
            page.locator(".event-row").first.wait_for(timeout=30_000)
            assert page.get_by_text("release.created").count() > 0
            page.screenshot(path=str(SHOTS / "events.png"), full_page=True)

            viewer = browser.new_page()
            viewer.goto(f"http://localhost:{port}{viewer_link(data)}")
            viewer.wait_for_url(f"http://localhost:{port}/", timeout=60_000)
            viewer.goto(f"http://localhost:{port}/apps/web")
            viewer.locator("#app-name").wait_for(timeout=30_000)
            viewer.click("#tab-releases")
            viewer.locator("#release-v1").wait_for(timeout=30_000)
            assert viewer.locator("#deploy-button").count() == 0
            assert viewer.locator(".rollback-button").count() == 0
            viewer.click("#tab-variables")
            viewer.locator("#var-GREETING").wait_for(timeout=30_000)
            assert viewer.locator("#var-save").count() == 0 and viewer.locator("#reveal-vars").count() == 0
            viewer.screenshot(path=str(SHOTS / "app-viewer.png"), full_page=True)
    finally:
        assert up.stop(signal.SIGINT) == 0, up.output[-3000:]
