"""The embedded path end to end with real processes: ``starform api`` (jobs on) and a ``shuttle run`` with
the local target behind Caddy. Real sample apps (Python, Node, static, Procfile) are deployed with the
CLI and answer at their URLs; a variable change rolls out with no failed request; a crashing release is
rolled back automatically; with Starbase gone for a while the apps keep running and nothing is deleted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import BIN, ROOT, run, wait_for
from tests.integration.builds_world import git_repo
from tests.servers import free_port

pytestmark = pytest.mark.slow


class Platform:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("STARFORM_", "SHUTTLE_"))}
        self.env.update(
            STARFORM_DATA_DIR=str(tmp / "data"), HOME=str(tmp / "home"), STARFORM_CONFIG=str(tmp / "cli.toml")
        )
        self.port, self.apps_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api: subprocess.Popen[bytes] | None = None
        self.shuttle: subprocess.Popen[bytes] | None = None

    def start_api(self) -> None:
        self.api = subprocess.Popen(
            [str(BIN / "starform"), "api", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "api.log").open("ab"),
        )
        wait_for(f"{self.url}/healthz", process=self.api, timeout=60)

    def stop_api(self) -> None:
        assert self.api is not None
        self.api.send_signal(signal.SIGTERM)
        self.api.wait(timeout=30)

    def start_shuttle(self, token: str) -> None:
        env = {
            **self.env,
            "SHUTTLE_STATE_DIR": str(self.tmp / "shuttle"),
            "SHUTTLE_APPS_PORT": str(self.apps_port),
            "SHUTTLE_CADDY_ADMIN_PORT": str(free_port()),
        }
        self.shuttle = subprocess.Popen(
            [
                str(BIN / "shuttle"),
                "run",
                "--target",
                "local",
                "--control-plane",
                self.url,
                "--token",
                token,
                "--interval",
                "1",
                "--stop-workloads-on-exit",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "shuttle.log").open("ab"),
            start_new_session=True,
        )

    def sf(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = run(["starform", *args], self.env, timeout=600)
        assert result.returncode == code, (args, result.stdout[-3000:], result.stderr[-3000:])
        return result

    def wait_running(self, app: str, timeout: float = 90) -> dict[str, object]:
        """Until Shuttle reports the app's current release running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = json.loads(self.sf("status", app, "-o", "json").stdout)
            if status["observed_release"] == status["release"] and status["status"] == "running":
                return status  # type: ignore[no-any-return]
            time.sleep(0.5)
        raise AssertionError(f"{app} did not settle: {status}")

    def get(self, app: str, path: str = "/") -> httpx.Response:
        return httpx.get(
            f"http://127.0.0.1:{self.apps_port}{path}", headers={"Host": f"{app}-acme.localhost"}, timeout=10
        )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("platform")
    p = Platform(tmp)
    assert run(["starform", "db", "upgrade"], p.env).returncode == 0
    p.start_api()
    token = json.loads(p.sf("admin", "token", "create", "--workspace", "acme", "--role", "owner", "-o", "json").stdout)
    p.env.update(STARFORM_URL=p.url, STARFORM_TOKEN=token["token"])
    cluster = json.loads(
        p.sf("clusters", "register", "local-1", "--region", "local", "--kind", "local", "-o", "json").stdout
    )
    p.start_shuttle(cluster["token"])
    try:
        yield p
    finally:
        if p.shuttle is not None:
            p.shuttle.send_signal(signal.SIGTERM)
            p.shuttle.wait(timeout=90)
        left = [x for x in psutil.process_iter(["cmdline"]) if _runs_under(x, tmp)]
        for process in left:
            process.kill()
        assert left == [], f"Shuttle left processes behind: {[x.info['cmdline'] for x in left]}"
        if p.api is not None and p.api.poll() is None:
            p.stop_api()


def _runs_under(process: psutil.Process, root: Path) -> bool:
    try:
        return process.cwd().startswith(str(root)) and process.pid != os.getpid()
    except psutil.Error:
        return False


SAMPLES = [
    ("py", "flask", "hello from flask"),
    ("node", "node-express", "hello from express"),
    ("site", "static", "hello from a static site"),
    ("proc", "procfile-only", "hello from procfile"),
]


@pytest.mark.parametrize(("app", "sample", "answer"), SAMPLES)
def test_sample_apps_deploy_and_answer_at_their_url(platform: Platform, app: str, sample: str, answer: str) -> None:
    platform.sf("apps", "create", app, "--repo", git_repo(sample, platform.tmp / "repos"))
    deployed = platform.sf("deploy", app, "--wait", "--timeout", "120")
    assert f"{app} v1 is running" in deployed.stderr
    assert answer in platform.get(app).text
    shown = json.loads(platform.sf("apps", "show", app, "-o", "json").stdout)
    assert shown["status"] == "running" and shown["release"] == "v1"


def test_logs_of_a_running_app_reach_starform_logs(platform: Platform) -> None:
    platform.get("py")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "Booting worker" in platform.sf("logs", "py").stdout:
            return
        time.sleep(1)
    raise AssertionError("gunicorn's output never reached `starform logs`")


def test_a_variable_change_rolls_out_with_no_failed_request(platform: Platform) -> None:
    results: list[int | str] = []
    stop = threading.Event()

    def hammer() -> None:
        # a connection per request, as INFRA.md measured: Caddy's graceful reload closes idle keep-alive
        # connections, which a pooled client without retries would count as failures of the rollout
        while not stop.is_set():
            try:
                results.append(
                    httpx.get(
                        f"http://127.0.0.1:{platform.apps_port}/", headers={"Host": "py-acme.localhost"}, timeout=10
                    ).status_code
                )
            except httpx.HTTPError as e:
                results.append(repr(e))

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        platform.sf("env", "set", "py", "GREETING=hello-again")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = json.loads(platform.sf("status", "py", "-o", "json").stdout)
            if status["observed_release"] == "v2" and status["status"] == "running":
                break
            time.sleep(0.5)
        time.sleep(1)
    finally:
        stop.set()
        worker.join()
    assert status["observed_release"] == "v2" and status["status"] == "running"
    assert len(results) > 50
    assert [r for r in results if r != 200] == []


def test_a_crashing_release_is_rolled_back_and_the_old_one_keeps_serving(platform: Platform) -> None:
    repo = platform.tmp / "repos" / "procfile-only"
    (repo / "Procfile").write_text("web: python3 -c \"import sys; print('boom: no DATABASE_URL'); sys.exit(3)\"\n")
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "crash"], cwd=repo, check=True
    )
    failed = platform.sf("deploy", "proc", "--wait", "--timeout", "120", code=1)
    assert "starform: error:" in failed.stderr
    assert "hello from procfile" in platform.get("proc").text
    releases = json.loads(platform.sf("releases", "list", "proc", "-o", "json").stdout)
    assert releases[0]["rollback_of"] == "v1" and releases[0]["current"]
    assert platform.wait_running("proc")["observed_release"] == releases[0]["version"]
    assert "hello from procfile" in platform.get("proc").text
    assert "boom: no DATABASE_URL" in releases[0]["description"]
    events = json.loads(platform.sf("events", "list", "--app", "proc", "-o", "json").stdout)
    assert any(e["type"] == "release.rolled_back" for e in events)


def _app_processes() -> set[int]:
    return {
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if any(k in " ".join(p.info["cmdline"] or []) for k in ("gunicorn", "http.server", "index.js"))
    }


def test_with_starbase_away_apps_keep_running_and_nothing_is_deleted(platform: Platform) -> None:
    for app, _, _ in SAMPLES:
        platform.wait_running(app)
    before = _app_processes()
    assert before
    platform.stop_api()
    time.sleep(5)  # several Shuttle ticks fail meanwhile
    for app, _, answer in SAMPLES:
        assert answer in platform.get(app).text
    assert _app_processes() == before
    platform.start_api()
    time.sleep(3)
    assert _app_processes() == before
    assert platform.shuttle is not None and platform.shuttle.poll() is None
