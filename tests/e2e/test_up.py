"""``starform up``: builds Stardeck (Reflex, prod mode, bun from the npm registry), serves the dashboard
and the API on one port, and leaves no process behind on Ctrl-C."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import Captured
from tests.servers import free_port

pytestmark = pytest.mark.slow


def test_up_serves_stardeck_and_the_api_then_stops_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    up = Captured(["starform", "up", "--port", str(port), "--data-dir", str(tmp_path / "up")], env)
    base = f"http://127.0.0.1:{port}"
    try:
        up.wait_for_line("Starform is up", timeout=600)
        link = up.wait_for_line("/auth/local?token=", timeout=5).split("Sign in: ", 1)[1].split()[0]
        assert link.startswith(f"http://localhost:{port}/auth/local?token=sf_login_")
        with httpx.Client(base_url=base) as browser:
            signed = browser.get(link.replace(f"http://localhost:{port}", ""), follow_redirects=False)
            assert signed.status_code == 303
            me = browser.get("/api/v1/me").json()
            assert me["name"] == "admin" and me["default_workspace"] == "default"
            assert browser.get("/api/v1/clusters").json()[0]["name"] == "local"
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        page = httpx.get(f"{base}/", timeout=30)
        assert page.status_code == 200
        assert "<title>Starform</title>" in page.text
        assert (tmp_path / "up" / "starform.db").exists()
        assert (tmp_path / "up" / "secret.key").exists()
        family = psutil.Process(up.process.pid).children(recursive=True)
        assert family, "starform up runs Stardeck as a child process"
    finally:
        code = up.stop(signal.SIGINT)
    assert code == 0, up.output[-3000:]
    _, alive = psutil.wait_procs(family, timeout=15)
    assert alive == [], f"left behind: {[(p.pid, p.name()) for p in alive]}"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/healthz", timeout=2)
