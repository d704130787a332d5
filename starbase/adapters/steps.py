"""Build steps as processes: each command runs in its own process group, its output streams line by line
to the build log, and ``cancel`` kills the group of a build's running step (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from starbase.errors import StarbaseError
from starbase.ports import BuildLog

KILL_GRACE_S = 5


class BuildFailed(StarbaseError):
    """A build step failed; the message says which and how."""

    code = "build_failed"
    status = 422


class BuildStopped(StarbaseError):
    """The build was cancelled or ran out of time; its processes were killed."""

    code = "build_stopped"
    status = 409


class StepRunner:
    def __init__(self) -> None:
        self._running: dict[uuid.UUID, subprocess.Popen[str]] = {}
        self._stopped: set[uuid.UUID] = set()
        self._lock = threading.Lock()

    def run(
        self,
        build_id: uuid.UUID,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        log: BuildLog,
        stage: str,
        describe: str,
    ) -> None:
        """Run one step; ``BuildFailed`` on a non-zero exit, ``BuildStopped`` when cancelled."""
        with self._lock:
            if build_id in self._stopped:
                raise BuildStopped("the build was stopped")
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        with self._lock:
            self._running[build_id] = process
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line.rstrip("\n"), stage=stage)
            code = process.wait()
        finally:
            with self._lock:
                self._running.pop(build_id, None)
                stopped = build_id in self._stopped
        if stopped:
            raise BuildStopped("the build was stopped")
        if code != 0:
            raise BuildFailed(f"`{describe}` exited with code {code}; its output is in the build log above")

    def cancel(self, build_id: uuid.UUID) -> None:
        with self._lock:
            self._stopped.add(build_id)
            process = self._running.get(build_id)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
