"""The agent loop: every interval (with jitter) fetch → observe → plan → apply → report. Level-based: it
compares what exists with what is desired every time, never reacts to change events.

If the fetch fails, Shuttle keeps the last good desired state and deletes nothing; an empty desired state
is applied only when it is a valid, newer generation. Consecutive failures double the interval (capped);
401/403 stop the agent with a clear message. Time and randomness are injected; tests drive ``tick()``."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import shuttle
from shuttle.client import ControlPlane, Fatal, Transient
from shuttle.plan import plan
from shuttle.targets import Target
from starbase.contracts import ClusterReport, DesiredState

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 300.0


@dataclass
class TickResult:
    fetched: bool
    changed: bool
    actions: int
    errors: list[str] = field(default_factory=list)


class Agent:
    def __init__(
        self,
        control: ControlPlane,
        target: Target,
        *,
        interval: float = 30.0,
        jitter: float = 0.1,
        sleep: Callable[[float], bool] | None = None,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.control, self.target, self.interval, self.jitter = control, target, interval, jitter
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._now = now or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self.desired: DesiredState | None = None
        self.etag: str | None = None
        self.failures = 0

    def tick(self) -> TickResult:
        fetched = changed = False
        try:
            state, etag = self.control.desired_state(self.etag)
            fetched = True
            if state is not None and (self.desired is None or state.generation >= self.desired.generation):
                changed = self.desired is None or state != self.desired
                self.desired, self.etag = state, etag
            self.failures = 0
        except Transient as e:
            self.failures += 1
            log.warning("desired state unavailable; keeping the last good one", extra={"error": str(e)})
        if self.desired is None:
            return TickResult(fetched=fetched, changed=False, actions=0)
        actions = plan(self.desired, self.target.observe(self.desired))
        errors = self.target.apply(actions) if actions else []
        self._report(errors)
        return TickResult(fetched=fetched, changed=changed, actions=len(actions), errors=errors)

    def _report(self, errors: list[str]) -> None:
        assert self.desired is not None
        report = ClusterReport(
            cluster_id=self.desired.cluster_id,
            generation=self.desired.generation,
            observed_at=self._now(),
            agent_version=shuttle.__version__,
            workloads=self.target.report(),
            errors=errors[:50],
        )
        try:
            self.control.report(report)
        except Transient as e:
            log.warning("report not delivered", extra={"error": str(e)})

    def next_delay(self) -> float:
        base = min(self.interval * (2**self.failures), MAX_BACKOFF_S)
        return base * (1 + self._rng.uniform(-self.jitter, self.jitter))

    def run(self) -> None:
        """Until ``stop()`` (SIGTERM handlers call it); the loop ends between steps, never inside one."""
        while not self._stop.is_set():
            try:
                self.tick()
            except Fatal:
                raise
            except Exception:  # a bug in one tick must not end the agent; the next tick retries
                log.exception("tick failed")
            self._wake.wait(self.next_delay())
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
