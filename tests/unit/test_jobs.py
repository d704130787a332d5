"""The job scheduler runs the lease sweep on its own."""

from __future__ import annotations

import time

from starbase.bootstrap import Starbase
from starbase.jobs import start_scheduler
from tests.fakes import FakeClock
from tests.unit.world import World


def test_scheduler_sweeps_leases_without_being_asked(world: World) -> None:
    sb: Starbase = world.sb
    clock: FakeClock = sb.clock  # type: ignore[assignment]
    body = {
        "cluster_id": world.cluster_id,
        "generation": 0,
        "observed_at": clock.now().isoformat(),
        "agent_version": "t",
        "workloads": [],
    }
    assert world.call("cluster", "POST", f"/api/v1/clusters/{world.cluster_id}/reports", json=body).status_code == 202
    clock.advance(200)
    scheduler = start_scheduler(sb, lease_sweep_every_s=0.05)
    try:
        deadline = time.monotonic() + 5
        state = None
        while time.monotonic() < deadline:
            state = world.call("owner", "GET", "/api/v1/clusters").json()[0]["lease_state"]
            if state == "offline":
                break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert state == "offline"
