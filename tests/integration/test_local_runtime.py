"""The local runtime's supervision with real processes and a real Caddy: a crashed replica is restarted
with exponential back-off, a replica that keeps crashing is reported crash-looping, and a restarted Shuttle
adopts the processes it left instead of starting them twice."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shuttle.plan import Deploy
from shuttle.targets.local.caddy import Caddy
from shuttle.targets.local.runtime import LocalRuntime
from starbase.contracts import Artifact, HealthCheck, LogLine, WorkloadSpec
from tests.servers import free_port


class Slugs:
    """Stands in for Starbase's artifact download and log ingest (the runtime's only remote calls)."""

    def __init__(self, root: Path) -> None:
        self.root, self.shipped = root, []  # type: ignore[var-annotated]

    def pack(self, files: dict[str, str]) -> str:
        source = self.root / uuid.uuid4().hex
        source.mkdir(parents=True)
        for name, text in files.items():
            (source / name).write_text(text)
        target = self.root / f"{source.name}.tar.gz"
        with gzip.GzipFile(target, "wb", mtime=0) as packed, tarfile.open(fileobj=packed, mode="w") as tar:
            for path in sorted(source.iterdir()):
                tar.add(path, arcname=path.name)
        digest = "sha256:" + hashlib.sha256(target.read_bytes()).hexdigest()
        target.rename(self.root / digest.removeprefix("sha256:"))
        return digest

    def download(self, digest: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((self.root / digest.removeprefix("sha256:")).read_bytes())

    def ship_logs(self, lines: list[LogLine]) -> None:
        self.shipped.extend(lines)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[LocalRuntime, Slugs, Caddy]]:
    slugs = Slugs(tmp_path / "slugs")
    caddy = Caddy(state_dir=tmp_path / "caddy", apps_port=free_port(), admin_port=free_port())
    caddy.start()
    runtime = LocalRuntime(slugs, state_dir=tmp_path / "shuttle", caddy=caddy, grace_s=2)  # type: ignore[arg-type]
    yield runtime, slugs, caddy
    runtime.stop_all()
    caddy.stop()


def spec(digest: str, release: int = 1) -> WorkloadSpec:
    return WorkloadSpec(
        workspace="acme",
        app="web",
        environment="production",
        release=f"v{release}",
        release_id=uuid.UUID(int=release),
        namespace="acme-production",
        artifact=Artifact(kind="slug", ref="slug", digest=digest),
        command=["python3", "-m", "http.server", "--bind", "127.0.0.1"],
        port=8080,
        health=HealthCheck(path="/", timeout_s=1),
        hostnames=["web-acme.localhost"],
    )


def serve(caddy: Caddy) -> str:
    return httpx.get(f"http://127.0.0.1:{caddy.apps_port}/hello.txt", headers={"Host": "web-acme.localhost"}).text


def test_a_crashed_replica_restarts_with_back_off_and_keeps_serving(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, slugs, caddy = setup
    runtime.backoff_start_s = 0.5
    digest = slugs.pack({"hello.txt": "hello"})
    s = spec(digest)
    s = s.model_copy(update={"command": ["bash", "-c", "exec python3 -m http.server $PORT --bind 127.0.0.1"]})
    runtime.workloads.clear()
    assert runtime.apply([Deploy(s, "new")]) == []
    assert serve(caddy) == "hello"
    first = runtime.workloads[s.key].replicas[0]
    os.killpg(first.pid, signal.SIGKILL)
    time.sleep(0.3)
    runtime.supervise()
    workload = runtime.workloads[s.key]
    assert workload.restarts == 1 and workload.replicas[0].pid != first.pid
    assert workload.backoff == 1.0  # the next restart waits 0.5 s, the one after 1 s, then 2 s, …
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and serve(caddy) != "hello":
        time.sleep(0.1)
    assert serve(caddy) == "hello"
    for _ in range(3):  # keeps crashing: restarts wait for the back-off, then it is crash-looping
        os.killpg(workload.replicas[0].pid, signal.SIGKILL)
        time.sleep(0.2)
        runtime.supervise()
        time.sleep(workload.backoff + 0.1)
        runtime.supervise()
    os.killpg(workload.replicas[0].pid, signal.SIGKILL)  # down again, before the next restart
    time.sleep(0.2)
    [report] = runtime.report()
    assert workload.restarts >= 3 and report.restarts == workload.restarts
    assert report.crash_looping and report.phase == "crash_looping" and report.failure == "application"


def test_a_restarted_shuttle_adopts_its_processes(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime, slugs, caddy = setup
    digest = slugs.pack({"hello.txt": "adopt me"})
    s = spec(digest).model_copy(update={"command": ["bash", "-c", "exec python3 -m http.server $PORT"]})
    assert runtime.apply([Deploy(s, "new")]) == []
    pid = runtime.workloads[s.key].replicas[0].pid
    again = LocalRuntime(slugs, state_dir=tmp_path / "shuttle", caddy=caddy)  # type: ignore[arg-type]
    assert [r.pid for r in again.workloads[s.key].replicas] == [pid]
    assert again.observe()[s.key].replicas == 1  # nothing for the plan to start twice
    assert serve(caddy) == "adopt me"


def test_replica_output_is_shipped_once(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, slugs, _caddy = setup
    digest = slugs.pack({"hello.txt": "x"})
    s = spec(digest).model_copy(update={"command": ["bash", "-c", "echo started; exec python3 -m http.server $PORT"]})
    runtime.apply([Deploy(s, "new")])
    runtime.supervise()
    runtime.supervise()
    lines = [line.line for line in slugs.shipped]
    assert lines.count("started") == 1
    assert all(line.app == "web" and line.replica for line in slugs.shipped)
