"""One app process (a replica): started in its own process group with ``PORT`` and the resolved env, its
output appended to a log file (so it survives Shuttle restarts and can be adopted), checked over HTTP,
stopped with SIGTERM, a grace period, then SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil

from starbase.contracts import WorkloadSpec

_children: dict[int, subprocess.Popen[bytes]] = {}  # our own children, reaped on stop


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    name: str
    release_id: str
    port: int
    pid: int
    started: float
    log: str
    exit_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def alive(self) -> bool:
        child = _children.get(self.pid)
        if child is not None and child.poll() is not None:
            self.exit_reason = f"exited with code {child.returncode}"
            return False
        try:
            process = psutil.Process(self.pid)
            return abs(process.create_time() - self.started) < 1 and process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            self.exit_reason = self.exit_reason or "process is gone"
            return False

    def healthy(self, path: str, timeout: float) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=timeout).status_code < 500
        except httpx.HTTPError:
            return False

    def stop(self, grace: float) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.alive():
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        child = _children.pop(self.pid, None)
        if child is not None:
            child.wait(timeout=5)

    def usage(self) -> tuple[float, float]:
        """(CPU millicores since the last call, memory MB) of the replica's whole process tree."""
        try:
            root = psutil.Process(self.pid)
            tree = [root, *root.children(recursive=True)]
            cpu = sum(p.cpu_percent(interval=None) for p in tree) * 10
            memory = sum(p.memory_info().rss for p in tree) / (1024 * 1024)
            return cpu, memory
        except psutil.Error:
            return 0.0, 0.0


def start_replica(spec: WorkloadSpec, release_dir: Path, logs_dir: Path, index: int) -> Replica:
    port = free_port()
    name = f"{spec.app}-{spec.release}-{index}-{port}"
    logs_dir.mkdir(parents=True, exist_ok=True)
    log_path = logs_dir / f"{name}.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(release_dir),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        **spec.env,
        "PORT": str(port),
    }
    with log_path.open("ab") as out:
        child = subprocess.Popen(
            spec.command,
            cwd=release_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _children[child.pid] = child
    return Replica(
        name=name,
        release_id=str(spec.release_id),
        port=port,
        pid=child.pid,
        started=psutil.Process(child.pid).create_time(),
        log=str(log_path),
    )
