"""``starform deploy --wait`` against ``starform api`` with its job scheduler: the build log streams stage by
stage, the release is cut, and the command returns once the app is observed running (a test thread stands
in for Shuttle, reporting what it would observe) — or fails with the build's reason."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import httpx

from tests.e2e.test_cli_control_plane import js, sf
from tests.integration.builds_world import git_repo


def stand_in_shuttle(api: dict[str, str], cluster: dict[str, str], stop: threading.Event) -> None:
    """Reports every workload of the cluster's desired state as running, like a healthy Shuttle would."""
    headers = {"Authorization": f"Bearer {cluster['token']}"}
    while not stop.is_set():
        state = httpx.get(f"{api['API_URL']}/api/v1/clusters/{cluster['id']}/desired-state", headers=headers).json()
        workloads = [
            {
                "workspace": w["workspace"],
                "app": w["app"],
                "environment": w["environment"],
                "release": w["release"],
                "release_id": w["release_id"],
                "phase": "running",
                "ready_replicas": w["replicas"],
                "desired_replicas": w["replicas"],
            }
            for w in state["workloads"]
        ]
        report = {
            "cluster_id": cluster["id"],
            "generation": state["generation"],
            "agent_version": "stand-in",
            "observed_at": datetime.now(UTC).isoformat(),
            "workloads": workloads,
        }
        httpx.post(f"{api['API_URL']}/api/v1/clusters/{cluster['id']}/reports", json=report, headers=headers)
        stop.wait(0.5)


def test_deploy_wait_streams_the_build_and_returns_when_running(api: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    token = js(api, "admin", "token", "create", "--workspace", "acme", "--role", "owner")["token"]  # type: ignore[index]
    api = {**api, "STARFORM_URL": api["API_URL"], "STARFORM_TOKEN": token}
    cluster = js(api, "clusters", "register", "edge-1", "--region", "eu")
    sf(api, "apps", "create", "site", "--repo", git_repo("static", tmp_path))
    sf(api, "apps", "create", "broken", "--repo", git_repo("python-no-start", tmp_path))
    stop = threading.Event()
    shuttle = threading.Thread(target=stand_in_shuttle, args=(api, cluster, stop), daemon=True)
    shuttle.start()
    try:
        started = time.monotonic()
        deployed = sf(api, "deploy", "site", "--wait", "--timeout", "60")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        shuttle.join(timeout=10)
    out = deployed.stdout
    for stage in (
        "--> cloning",
        "--> detecting",
        "detected static",
        "--> building",
        "--> uploading",
        "released as v1",
        "--> succeeded",
    ):
        assert stage in out, (stage, out)
    assert "site v1 is running" in deployed.stderr
    assert elapsed < 60
    builds = js(api, "builds", "list", "site")
    assert builds[0]["state"] == "succeeded" and builds[0]["release"] == "v1"  # type: ignore[index]
    logs = js(api, "builds", "logs", builds[0]["id"])  # type: ignore[index]
    assert any("--> succeeded" in line["line"] for line in logs)  # type: ignore[union-attr,index]
    assert js(api, "apps", "show", "site")["status"] == "running"  # type: ignore[index]

    failed = sf(api, "deploy", "broken", "--wait", code=1)
    assert "--> failed" in failed.stdout
    assert failed.stderr.splitlines()[-1].startswith("starform: error: build failed: ")
    assert "Procfile" in failed.stderr
    assert json.loads(sf(api, "builds", "list", "broken", "-o", "json").stdout)[0]["state"] == "failed"
