"""Rollouts on the local runtime, measured for real: a small Procfile app whose artifact exists is rolled
to a new release (a variable change, then a rollback; no build) while a client hammers it. Prints the time
from the command to the new release serving and the request success ratio meanwhile. Then the time
``plan()`` takes for 1,000 workloads, against parsing the same desired state (the baseline), in-process.

    .venv/bin/python bench/rollout.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from shuttle.plan import Observed, fingerprint, plan  # noqa: E402
from starbase.contracts import Artifact, DesiredState, WorkloadSpec  # noqa: E402


def port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sf(env: dict[str, str], *args: str) -> str:
    return subprocess.run([str(BIN / "starform"), *args], env=env, capture_output=True, text=True, check=True).stdout


def rollout_rounds(rounds: int) -> list[tuple[str, float, int, int]]:
    tmp = Path(tempfile.mkdtemp(prefix="starform-bench-"))
    api_port, apps_port = port(), port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARFORM_", "SHUTTLE_"))}
    env.update(
        STARFORM_DATA_DIR=str(tmp / "data"),
        STARFORM_CONFIG=str(tmp / "cli.toml"),
        HOME=str(tmp),
        STARFORM_LOG_LEVEL="WARNING",
    )
    sf(env, "db", "upgrade")
    api = subprocess.Popen(
        [str(BIN / "starform"), "api", "--port", str(api_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shuttle = None
    try:
        url = f"http://127.0.0.1:{api_port}"
        for _ in range(100):
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        env.update(
            STARFORM_URL=url,
            STARFORM_TOKEN=json.loads(
                sf(env, "admin", "token", "create", "--workspace", "bench", "--role", "owner", "-o", "json")
            )["token"],
        )
        cluster = json.loads(
            sf(env, "clusters", "register", "local-1", "--region", "local", "--kind", "local", "-o", "json")
        )
        shuttle = subprocess.Popen(
            [
                str(BIN / "shuttle"),
                "run",
                "--target",
                "local",
                "--control-plane",
                url,
                "--token",
                cluster["token"],
                "--interval",
                "1",
                "--stop-workloads-on-exit",
            ],
            env={
                **env,
                "SHUTTLE_STATE_DIR": str(tmp / "shuttle"),
                "SHUTTLE_APPS_PORT": str(apps_port),
                "SHUTTLE_CADDY_ADMIN_PORT": str(port()),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        repo = tmp / "repo"
        shutil.copytree(ROOT / "tests" / "fixtures" / "apps" / "procfile-only", repo)
        for args in (
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "bench"],
        ):
            subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
        sf(env, "apps", "create", "app", "--repo", f"file://{repo}")
        sf(env, "deploy", "app", "--wait", "--timeout", "120")
        results = []
        for i in range(rounds):
            for label, args in (
                ("variable change", ["env", "set", "app", f"ROUND={i}"]),
                ("rollback", ["rollback", "app"]),
            ):
                results.append((label, *measure(env, apps_port, args)))
        return results
    finally:
        if shuttle is not None:
            shuttle.send_signal(signal.SIGTERM)
            shuttle.wait(timeout=60)
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def measure(env: dict[str, str], apps_port: int, args: list[str]) -> tuple[float, int, int]:
    ok, failed, stop = [0], [0], threading.Event()

    def hammer() -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                try:
                    response = client.get(f"http://127.0.0.1:{apps_port}/", headers={"Host": "app-bench.localhost"})
                    (ok if response.status_code == 200 else failed)[0] += 1
                except httpx.HTTPError:
                    failed[0] += 1

    worker = threading.Thread(target=hammer)
    worker.start()
    started = time.perf_counter()
    release = json.loads(sf(env, *args, "-o", "json"))["version"]
    while True:
        status = json.loads(sf(env, "status", "app", "-o", "json"))
        if status["observed_release"] == release and status["status"] == "running":
            break
    elapsed = time.perf_counter() - started
    time.sleep(0.5)
    stop.set()
    worker.join()
    return elapsed, ok[0], failed[0]


def plan_times(n: int = 1000, repeat: int = 20) -> tuple[float, float, float]:
    specs = [
        WorkloadSpec(
            workspace="bench",
            app=f"app-{i:04d}",
            environment="production",
            release="v2",
            release_id=uuid.UUID(int=i + 1),
            namespace="bench-production",
            artifact=Artifact(kind="slug", ref="slug/x", digest="sha256:" + "b" * 64),
            env={"DATABASE_URL": f"postgres://db/{i}", "MODE": "prod"},
        )
        for i in range(n)
    ]
    desired = DesiredState(cluster_id=uuid.UUID(int=0), generation=1, workloads=specs)
    body = desired.model_dump_json()
    same = {s.key: Observed(s.key, str(s.release_id), fingerprint(s), s.replicas) for s in specs}
    old = {s.key: Observed(s.key, str(uuid.UUID(int=10_000 + i)), "x", 1) for i, s in enumerate(specs)}

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    return (
        best(lambda: DesiredState.model_validate_json(body)),
        best(lambda: plan(desired, same)),
        best(lambda: plan(desired, old)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = rollout_rounds(args.rounds)
    print(f"{'rollout (no build)':<20}{'to serving':>12}{'requests':>10}{'failed':>8}{'success':>10}")
    for label, elapsed, ok, failed in results:
        print(f"{label:<20}{elapsed:>11.2f}s{ok + failed:>10}{failed:>8}{ok / max(ok + failed, 1):>10.4f}")
    parse, idle, changed = plan_times()
    print(
        f"plan() for 1,000 workloads: nothing to do {idle:.1f} ms ({idle / parse:.2f}x parsing the desired state, "
        f"{parse:.1f} ms); all changed {changed:.1f} ms ({changed / parse:.2f}x)"
    )


if __name__ == "__main__":
    main()
