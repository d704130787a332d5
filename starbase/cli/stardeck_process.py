"""Runs Stardeck (the Reflex app, with the API mounted) as a child process for ``starform up``.

Reflex compiles and serves the frontend in prod mode on one port. The child runs in its own process
group so that Ctrl-C, SIGTERM or a crash of ours stops all of it (Reflex, bun, the web server).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from rich.console import Console

from starbase.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUN = PROJECT_ROOT / ".tools" / "bun" / "node_modules" / "@oven" / "bun-linux-x64" / "bin" / "bun"
READY_TIMEOUT_S = 600
STOP_GRACE_S = 10
EMBEDDED_INTERVAL_S = 2  # embedded: poll often (an unchanged state is a cheap 304), so deploys apply at once


def child_env(settings: Settings) -> dict[str, str]:
    """The environment Reflex needs here (INFRA.md), plus our settings made explicit."""
    env = dict(os.environ)
    env.update(
        STARFORM_MODE=settings.mode,
        STARFORM_DATA_DIR=str(settings.data_dir),
        STARFORM_PUBLIC_URL=settings.public_url,
        **({"STARFORM_APPS_PORT": str(settings.apps_port)} if settings.apps_port else {}),
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
    )
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
    env.setdefault("REFLEX_HTTP_CLIENT_BIND_ADDRESS", "0.0.0.0")
    if BUN.exists():
        env.setdefault("REFLEX_BUN_PATH", str(BUN))
    return env


def run(
    *, settings: Settings, port: int, console: Console, then: Callable[[], Callable[[], None]] | None = None
) -> int:
    """Start Stardeck, wait until it answers, then until it exits or we are told to stop. ``then`` runs once
    Stardeck answers (it starts Shuttle) and returns what stops it again."""
    command = [
        sys.executable,
        "-m",
        "reflex",
        "run",
        "--env",
        "prod",
        "--single-port",
        "--backend-port",
        str(port),
        "--loglevel",
        "warning",
    ]
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=child_env(settings), start_new_session=True)
    # Ctrl-C and SIGTERM both stop us, also when started in the background (where SIGINT is ignored).
    stoppers: list[Callable[[], None]] = []
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with console.status("Building and starting Stardeck (first start takes a minute)…"):
            _wait_ready(child, f"http://127.0.0.1:{port}/healthz")
        if then is not None:
            stoppers.append(then())
        console.print(f"[bold green]Starform is up[/]: http://localhost:{port}  (Ctrl-C stops it)")
        return child.wait()
    except KeyboardInterrupt:
        console.print("stopping…")
        return 0
    finally:
        for stop in stoppers:
            stop()
        _stop(child)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGINT and SIGTERM stop ``starform up`` the same way."""
    raise KeyboardInterrupt


def _wait_ready(child: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"starform: error: Stardeck exited with code {child.returncode} while starting")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"starform: error: Stardeck did not answer {url} within {READY_TIMEOUT_S} s")


def start_shuttle(*, settings: Settings, port: int, token: str) -> Callable[[], None]:
    """Embedded Shuttle with the local target (Caddy on the apps port); returns what stops it (and its apps)."""
    env = {
        **os.environ,
        "SHUTTLE_STATE_DIR": str(settings.data_dir / "shuttle"),
        "SHUTTLE_APPS_PORT": str(settings.apps_port or 8080),
        "SHUTTLE_CADDY_ADMIN_PORT": str(_free_port()),
    }
    command = [
        str(Path(sys.executable).parent / "shuttle"),
        "run",
        "--target",
        "local",
        "--control-plane",
        f"http://127.0.0.1:{port}",
        "--token",
        token,
        "--interval",
        str(EMBEDDED_INTERVAL_S),
        "--stop-workloads-on-exit",
    ]
    log = (settings.data_dir / "shuttle.log").open("ab")
    child = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return lambda: _stop(child, grace=30)


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(child: subprocess.Popen[bytes], grace: float = STOP_GRACE_S) -> None:
    """SIGTERM the whole group, wait for the grace period, then SIGKILL what is left."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
