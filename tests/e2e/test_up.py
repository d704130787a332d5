"""``starform up``: builds Stardeck (Reflex, prod mode, bun from the npm registry), serves the dashboard
and the API on one port, and leaves no process behind on Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import Captured, run
from tests.integration.builds_world import git_repo
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


def _processes(marker: str, under: Path | None = None) -> list[psutil.Process]:
    """Processes whose command line has ``marker`` (and, with ``under``, that run in that directory)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        if marker not in " ".join(p.info["cmdline"] or []):
            continue
        try:
            if under is None or p.cwd().startswith(str(under)):
                found.append(p)
        except psutil.Error:
            continue
    return found


def test_restarting_up_brings_apps_back_without_duplicates(env: dict[str, str], tmp_path: Path) -> None:
    port, apps_port = free_port(), free_port()
    data = tmp_path / "up"
    command = ["starform", "up", "--port", str(port), "--data-dir", str(data), "--apps-port", str(apps_port)]
    cli = {
        **env,
        "STARFORM_DATA_DIR": str(data),
        "STARFORM_URL": f"http://127.0.0.1:{port}",
        "STARFORM_CONFIG": str(tmp_path / "cli.toml"),
    }
    up = Captured(command, env)
    try:
        up.wait_for_line("Starform is up", timeout=600)
        made = run(
            ["starform", "admin", "token", "create", "--workspace", "default", "--role", "owner", "-o", "json"], cli
        )
        cli["STARFORM_TOKEN"] = json.loads(made.stdout)["token"]
        repo = git_repo("procfile-only", tmp_path / "repos")
        assert run(["starform", "apps", "create", "proc", "--repo", repo], cli).returncode == 0
        deployed = run(["starform", "deploy", "proc", "--wait", "--timeout", "120"], cli, timeout=300)
        assert deployed.returncode == 0, deployed.stderr
        url = f"http://127.0.0.1:{apps_port}/"
        assert "hello from procfile" in httpx.get(url, headers={"Host": "proc-default.localhost"}).text
        assert len(_processes("http.server", data)) == 1
    finally:
        assert up.stop(signal.SIGINT) == 0, up.output[-3000:]
    assert _processes("http.server", data) == [], "starform up stopped the apps it ran"
    again = Captured(command, env)
    try:
        again.wait_for_line("Starform is up", timeout=600)
        deadline = time.monotonic() + 60
        answer = ""
        while time.monotonic() < deadline and "hello from procfile" not in answer:
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(url, headers={"Host": "proc-default.localhost"}, timeout=5).text
            time.sleep(0.5)
        assert "hello from procfile" in answer
        assert len(_processes("http.server", data)) == 1
    finally:
        assert again.stop(signal.SIGINT) == 0, again.output[-3000:]
    assert _processes("http.server", data) == []
    assert _processes(str(data)) == []
