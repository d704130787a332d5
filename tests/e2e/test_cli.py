"""The ``starform`` and ``shuttle`` commands as a user runs them: migrations, the API server, and bad
settings that stop start-up with one clear line."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx

from starbase.adapters import migrations
from tests.e2e.conftest import BIN, ROOT, run, wait_for
from tests.servers import free_port

PROD_KEY = "e2e-production-key-0123456789abcdef012345"


def assert_one_clear_line(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"starform: error: {setting}: ")
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_the_embedded_database(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["starform", "db", "upgrade"], env)
    assert result.returncode == 0, result.stderr
    assert f"schema revision {migrations.head_revision()}" in result.stderr
    assert (tmp_path / "data" / "starform.db").exists()
    again = run(["starform", "db", "upgrade"], env)
    assert again.returncode == 0, again.stderr


def test_unparsable_database_url_stops_with_one_line(env: dict[str, str]) -> None:
    env["STARFORM_DATABASE_URL"] = "postgres//missing-colon"
    assert_one_clear_line(run(["starform", "db", "upgrade"], env), "STARFORM_DATABASE_URL")
    assert_one_clear_line(run(["starform", "api"], env), "STARFORM_DATABASE_URL")


def test_production_without_a_secret_key_stops_with_one_line(env: dict[str, str]) -> None:
    env["STARFORM_MODE"] = "production"
    env["STARFORM_DATABASE_URL"] = "postgresql://starform@127.0.0.1/starform"
    assert_one_clear_line(run(["starform", "api"], env), "STARFORM_SECRET_KEY")


def test_unknown_command_is_bad_usage(env: dict[str, str]) -> None:
    result = run(["starform", "no-such-command"], env)
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_api_serves_probes_and_stops_on_sigterm(env: dict[str, str]) -> None:
    assert run(["starform", "db", "upgrade"], env).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "starform"), "api", "--port", str(port), "--no-jobs"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", process=server, timeout=60).json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
        assert ready.json()["schema_revision"] == migrations.head_revision()
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught (exit status -SIGTERM)
    assert server.returncode in (0, -signal.SIGTERM), stderr.decode()[-2000:]
    assert b'"message": "Application shutdown complete."' in stderr
    assert b'"message": "starbase api starting"' in stderr  # structured JSON logs


def test_api_in_production_mode_on_postgresql(env: dict[str, str], postgres: Callable[[], str]) -> None:
    env.update(STARFORM_MODE="production", STARFORM_DATABASE_URL=postgres(), STARFORM_SECRET_KEY=PROD_KEY)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "starform"), "api", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process=server, timeout=60)
        before = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert before.status_code == 503
        assert before.json()["error"]["code"] == "upstream_unavailable"
        assert run(["starform", "db", "upgrade"], env).returncode == 0
        after = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert after.status_code == 200, after.text
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_shuttle_refuses_a_bad_setting_naming_it(env: dict[str, str]) -> None:
    env["SHUTTLE_INTERVAL"] = "soon"
    result = run(["shuttle", "config"], env)
    assert result.returncode == 2
    assert result.stderr.startswith("shuttle: error: SHUTTLE_INTERVAL: ")
    assert "Traceback" not in result.stderr
