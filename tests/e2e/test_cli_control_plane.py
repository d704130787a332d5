"""The ``starform`` CLI against a running ``starform api``: a workspace bootstrapped server-side, then the
resource commands as a user types them, with JSON for scripts and the documented exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import UTC, datetime

import httpx

from tests.e2e.conftest import Captured, run


def sf(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    result = run(["starform", *args], env)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return result


def js(env: dict[str, str], *args: str) -> object:
    return json.loads(sf(env, *args, "-o", "json").stdout)


def test_a_user_manages_apps_variables_and_releases_from_the_cli(api: dict[str, str]) -> None:
    made = js(api, "admin", "token", "create", "--workspace", "acme", "--role", "owner")
    assert set(made) >= {"token", "workspace", "role"} and made["workspace"] == "acme"  # type: ignore[index]
    token = made["token"]  # type: ignore[index]
    sf(api, "login", "--url", api["API_URL"], "--token", token)

    created = js(api, "apps", "create", "web", "--repo", "https://git.example/web.git")
    assert created["name"] == "web"  # type: ignore[index]
    shown = js(api, "apps", "show", "web")
    assert {"name", "workspace", "url", "status", "release", "replicas"} <= set(shown)  # type: ignore[arg-type]
    assert shown["url"] == "http://web-acme.localhost" and shown["release"] is None  # type: ignore[index]
    assert [a["name"] for a in js(api, "apps", "list")] == ["web"]  # type: ignore[union-attr,index]

    release = js(api, "env", "set", "web", "SECRET_KEY=hunter2", "DEBUG=0")
    assert release["version"] == "v1" and release["description"] == "Set DEBUG, SECRET_KEY"  # type: ignore[index]
    listed = sf(api, "env", "list", "web")
    assert "SECRET_KEY" in listed.stdout and "hunter2" not in listed.stdout
    sf(api, "vargroups", "create", "shared")
    sf(api, "vargroups", "set", "shared", "REGION=eu")
    attached = sf(api, "vargroups", "attach", "shared", "web")
    assert "web v2: Attach var group shared" in attached.stderr
    sf(api, "env", "unset", "web", "DEBUG")
    scaled = js(api, "scale", "web", "--replicas", "2")
    assert scaled["version"] == "v4"  # type: ignore[index]
    back = js(api, "rollback", "web", "--to", "v2")
    assert back["rollback_of"] == "v2" and back["version"] == "v5"  # type: ignore[index]
    versions = [r["version"] for r in js(api, "releases", "list", "web")]  # type: ignore[union-attr,index]
    assert versions == ["v5", "v4", "v3", "v2", "v1"]
    assert js(api, "status", "web")["status"] == "unplaced"  # type: ignore[index]

    cluster = js(api, "clusters", "register", "edge-1", "--region", "eu")
    assert {"id", "name", "token"} <= set(cluster) and cluster["token"].startswith("sf_cluster_")  # type: ignore[arg-type,index]
    assert [c["name"] for c in js(api, "clusters", "list")] == ["edge-1"]  # type: ignore[union-attr,index]
    assert js(api, "apps", "show", "web")["status"] == "new"  # type: ignore[index]  # placed now, no build yet
    events = js(api, "events", "list", "--app", "web")
    assert isinstance(events, list) and {"app.created", "release.created", "environment.placed"} <= {
        e["type"] for e in events
    }
    plain = sf(api, "apps", "list", "-o", "plain").stdout.strip().split("\t")
    assert plain[0] == "web"
    everywhere = js(api, "apps", "show", "web", "--workspace", "acme")  # global option after the action
    assert everywhere["name"] == "web"  # type: ignore[index]

    def ship(text: str) -> None:
        line = {
            "ts": datetime.now(UTC).isoformat(),
            "workspace": "acme",
            "app": "web",
            "stream": "stdout",
            "line": text,
            "replica": "web-1",
        }
        response = httpx.post(
            f"{api['API_URL']}/api/v1/logs/ingest",
            content=json.dumps(line),
            headers={"Authorization": f"Bearer {cluster['token']}"},
        )  # type: ignore[index]
        assert response.status_code == 202 and response.json()["accepted"] == 1

    ship("GET / 200")
    ship("GET /missing 404")
    assert [entry["line"] for entry in js(api, "logs", "web")] == ["GET / 200", "GET /missing 404"]  # type: ignore[union-attr,index]
    assert "GET /missing 404" in sf(api, "logs", "web", "--search", "404").stdout
    assert "GET / 200" not in sf(api, "logs", "web", "--search", "404").stdout
    follower = Captured(["starform", "logs", "web", "--follow", "--interval", "0.2"], api)
    try:
        follower.wait_for_line("GET /missing 404", timeout=30)
        ship("POST /login 302")
        assert "[web-1] POST /login 302" in follower.wait_for_line("POST /login 302", timeout=30)
    finally:
        follower.stop(signal.SIGINT)


def test_cli_exit_codes_and_one_line_errors(api: dict[str, str]) -> None:
    token = js(api, "admin", "token", "create", "--workspace", "acme", "--role", "viewer")["token"]  # type: ignore[index]
    api = {**api, "STARFORM_URL": api["API_URL"], "STARFORM_TOKEN": token}
    bad_name = sf(api, "apps", "create", "Bad_Name", "--repo", "https://g.example/r", code=2)
    assert bad_name.stderr.startswith("starform: error: ")
    forbidden = sf(api, "apps", "create", "web", "--repo", "https://g.example/r", code=1)
    assert "needs 'member'" in forbidden.stderr and len(forbidden.stderr.strip().splitlines()) == 1
    missing = sf(api, "apps", "show", "nope", code=1)
    assert "not found" in missing.stderr
    sf(api, "apps", "list", "-o", "yaml", code=2)
    no_token = {k: v for k, v in api.items() if k != "STARFORM_TOKEN"}
    result = sf(no_token, "apps", "list", code=2)
    assert "token" in result.stderr
