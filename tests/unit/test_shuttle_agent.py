"""The agent loop with an in-memory control plane and target: last good state kept on failures, nothing
deleted while Starbase is away, stale generations ignored, backoff, and a stop on 401/403."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from shuttle.agent import MAX_BACKOFF_S, Agent
from shuttle.client import Fatal, Transient
from shuttle.plan import Action, Deploy, Observed, Remove, fingerprint
from starbase.contracts import ClusterReport, DesiredState, WorkloadReport
from tests.unit.test_shuttle_plan import CLUSTER, spec


class MemoryControlPlane:
    def __init__(self) -> None:
        self.state: DesiredState | None = None
        self.failure: Exception | None = None
        self.reports: list[ClusterReport] = []

    def desired_state(self, etag: str | None) -> tuple[DesiredState | None, str | None]:
        if self.failure is not None:
            raise self.failure
        assert self.state is not None
        return (None, etag) if etag == self.state.etag() else (self.state, self.state.etag())

    def report(self, report: ClusterReport) -> None:
        self.reports.append(report)


class MemoryTarget:
    name = "memory"

    def __init__(self) -> None:
        self.running: dict[str, Observed] = {}
        self.applied: list[Action] = []

    def observe(self, desired: object = None) -> dict[str, Observed]:
        return dict(self.running)

    def apply(self, actions: Sequence[Action]) -> list[str]:
        for action in actions:
            self.applied.append(action)
            if isinstance(action, Deploy):
                s = action.spec
                self.running[s.key] = Observed(s.key, str(s.release_id), fingerprint(s), s.replicas)
            elif isinstance(action, Remove):
                del self.running[action.key]
        return []

    def report(self) -> list[WorkloadReport]:
        return []


def agent() -> tuple[Agent, MemoryControlPlane, MemoryTarget]:
    control, target = MemoryControlPlane(), MemoryTarget()
    return Agent(control, target, interval=30, rng=random.Random(7)), control, target  # type: ignore[arg-type]


def test_applies_then_stays_idle_and_reports_every_tick() -> None:
    a, control, _target = agent()
    control.state = DesiredState(cluster_id=CLUSTER, generation=1, workloads=[spec()])
    assert a.tick().actions == 1
    second = a.tick()
    assert (second.fetched, second.changed, second.actions) == (True, False, 0)
    assert len(control.reports) == 2 and control.reports[-1].generation == 1


def test_starbase_unreachable_keeps_everything_running() -> None:
    a, control, target = agent()
    control.state = DesiredState(cluster_id=CLUSTER, generation=1, workloads=[spec()])
    a.tick()
    control.failure = Transient("connection refused")
    for _ in range(5):
        result = a.tick()
        assert result.fetched is False and result.actions == 0
    assert list(target.running) == [spec().key]
    assert not any(isinstance(x, Remove) for x in target.applied)
    assert a.failures == 5


def test_an_older_generation_is_ignored_and_an_empty_newer_one_applied() -> None:
    a, control, target = agent()
    control.state = DesiredState(cluster_id=CLUSTER, generation=5, workloads=[spec()])
    a.tick()
    control.state = DesiredState(cluster_id=CLUSTER, generation=4, workloads=[])
    a.tick()
    assert list(target.running) == [spec().key]
    control.state = DesiredState(cluster_id=CLUSTER, generation=6, workloads=[])
    a.tick()
    assert target.running == {}


def test_failures_double_the_interval_up_to_a_cap() -> None:
    a, _control, _ = agent()
    a.jitter = 0
    assert a.next_delay() == 30
    a.failures = 2
    assert a.next_delay() == 120
    a.failures = 20
    assert a.next_delay() == MAX_BACKOFF_S


def test_jitter_spreads_ticks() -> None:
    a, _, _ = agent()
    delays = {round(a.next_delay(), 3) for _ in range(20)}
    assert len(delays) > 10 and all(27 <= d <= 33 for d in delays)


def test_a_refused_token_stops_the_agent() -> None:
    a, control, _ = agent()
    control.failure = Fatal("Starbase refused this cluster's token (401)")
    with pytest.raises(Fatal, match="401"):
        a.tick()
    with pytest.raises(Fatal):
        a.run()
