"""End-to-end helpers: run the installed console scripts as a user would, in a clean environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without STARFORM_/SHUTTLE_ settings, with a fresh data dir."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STARFORM_", "SHUTTLE_"))}
    clean["STARFORM_DATA_DIR"] = str(tmp_path / "data")
    clean["HOME"] = str(tmp_path / "home")
    return clean


def run(command: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def wait_for(url: str, *, process: subprocess.Popen[bytes], timeout: float) -> httpx.Response:
    """Poll ``url`` until it answers 200; fail at once if the process dies."""
    deadline = time.monotonic() + timeout
    last: str = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode} before {url} answered")
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return response
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.TransportError as e:
            last = repr(e)
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s: {last}")


class Captured:
    """A child process whose combined output is collected by a thread, so tests can wait for a line."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(BIN / command[0]), *command[1:]],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, *, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no line with {text!r} within {timeout} s; output:\n{self.output[-3000:]}")

    def stop(self, sig: int, *, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code


@pytest.fixture
def api(env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    assert run(["starform", "db", "upgrade"], env).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "starform"), "api", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "api.log").open("w"),  # a file, not a pipe: a full pipe would block the server
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process=server, timeout=60)
        client_env = {**env, "STARFORM_CONFIG": str(tmp_path / "cli.toml")}
        yield {**client_env, "API_URL": f"http://127.0.0.1:{port}"}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
