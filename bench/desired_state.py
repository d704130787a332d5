"""Throughput and latency of ``GET /api/v1/clusters/{id}/desired-state`` for a cluster running 1,000 apps,
polled by 50 concurrent Shuttles: full answers (no ``If-None-Match``) and ``304 Not Modified`` answers,
against ``/healthz`` (no database, no work) as the baseline, all on one ``starform api`` process started here.

    .venv/bin/python bench/desired_state.py [--apps 1000] [--pollers 50] [--seconds 10]

Needs ``wrk`` (Debian package; ``make bench`` installs it).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from starbase.adapters import migrations  # noqa: E402
from starbase.bootstrap import bootstrap  # noqa: E402
from starbase.config import load_settings  # noqa: E402
from starbase.contracts import Artifact  # noqa: E402
from starbase.services import apps, clusters, releases, variables, workspaces  # noqa: E402
from starbase.services.access import SYSTEM  # noqa: E402
from starbase.services.dto import AppCreate, ClusterRegister, VarChange  # noqa: E402


def seed(data_dir: Path, n_apps: int) -> tuple[str, str]:
    settings = load_settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.resolved_database_url)
    sb = bootstrap(settings)
    cluster = clusters.register_cluster(
        uow=sb.uow,
        clock=sb.clock,
        principal=SYSTEM,
        workspace=None,
        body=ClusterRegister(name="bench", region="eu", capacity_cpu_millis=10_000_000, capacity_memory_mb=50_000_000),
    )
    workspaces.admin_create_token(uow=sb.uow, clock=sb.clock, workspace="bench", role="owner")
    common = {"uow": sb.uow, "clock": sb.clock, "principal": SYSTEM, "workspace": "bench"}
    for i in range(n_apps):
        name = f"app-{i:04d}"
        apps.create_app(
            **common, body=AppCreate(name=name, repo_url="https://git.example/r.git"), apps_domain="localhost"
        )
        variables.change_app_vars(
            **common,
            box=sb.secrets,
            app=name,
            change=VarChange(set={"DATABASE_URL": f"postgres://u:p@db/{name}", "MODE": "prod"}),
        )
        releases.release_artifact(
            **common,
            box=sb.secrets,
            app=name,
            description="bench",
            artifact=Artifact(kind="slug", ref=f"slugs/{name}", digest="sha256:" + "b" * 64),
        )
    sb.close()
    return str(cluster.id), cluster.token


def wrk(url: str, headers: dict[str, str], pollers: int, seconds: float) -> tuple[float, float, float]:
    """Run wrk (a C load generator, so the client does not compete with the server for the GIL)."""
    command = ["wrk", "--latency", "-t", "2", "-c", str(pollers), "-d", f"{int(seconds)}s", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in text or "Socket errors" in text:
        raise RuntimeError(f"{url}: errors under load:\n{text}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    return rps, _ms(text, "50%"), _ms(text, "99%")


def _ms(text: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="starform-bench-") as tmp:
        data = Path(tmp) / "data"
        began = time.perf_counter()
        cluster_id, token = seed(data, args.apps)
        print(f"seeded {args.apps} apps in {time.perf_counter() - began:.1f} s")
        port = 18_000 + os.getpid() % 1000
        env = {**os.environ, "STARFORM_DATA_DIR": str(data), "STARFORM_LOG_LEVEL": "WARNING"}
        log = (Path(tmp) / "api.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "starbase.cli", "api", "--port", str(port), "--no-jobs"],
            env=env,
            cwd=ROOT,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            url = f"{base}/api/v1/clusters/{cluster_id}/desired-state"
            auth = {"Authorization": f"Bearer {token}"}
            first = httpx.get(url, headers=auth, timeout=60)
            size = len(first.content)
            etag = first.headers["ETag"]
            assert httpx.get(url, headers={**auth, "If-None-Match": etag}).status_code == 304
            runs = {
                "baseline /healthz": wrk(f"{base}/healthz", {}, args.pollers, args.seconds),
                "desired state, full": wrk(url, auth, args.pollers, args.seconds),
                "desired state, 304": wrk(url, {**auth, "If-None-Match": etag}, args.pollers, args.seconds),
            }
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
            if server.returncode not in (0, -signal.SIGTERM):
                print((Path(tmp) / "api.log").read_text()[-3000:], file=sys.stderr)
    print(
        f"{args.apps} workloads, {size / 1024:.0f} KiB per full answer, {args.pollers} concurrent pollers, "
        f"{args.seconds:.0f} s each, one API process"
    )
    base_rps = runs["baseline /healthz"][0]
    print(f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s vs baseline':>20}")
    for name, (rps, p50, p99) in runs.items():
        print(f"{name:<22}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{rps / base_rps:>20.2f}")


if __name__ == "__main__":
    main()
