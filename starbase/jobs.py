"""Periodic work of Starbase, driven by APScheduler: for now the heartbeat-lease sweep (clusters that stop
reporting turn ``suspect``, then ``offline``). Builds and billing join here as they arrive."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler

from starbase.bootstrap import Starbase
from starbase.services import clusters

log = logging.getLogger(__name__)
LEASE_SWEEP_EVERY_S = 15.0


def sweep_leases(sb: Starbase) -> None:
    for name, state in clusters.sweep_leases(uow=sb.uow, clock=sb.clock):
        log.warning("cluster lease changed", extra={"cluster": name, "lease_state": state})


def start_scheduler(sb: Starbase, *, lease_sweep_every_s: float = LEASE_SWEEP_EVERY_S) -> BackgroundScheduler:
    """Start the jobs in background threads; call ``.shutdown()`` to stop them."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(sweep_leases, "interval", seconds=lease_sweep_every_s, args=[sb], id="lease-sweep")
    scheduler.start()
    log.info("job scheduler started", extra={"jobs": [job.id for job in scheduler.get_jobs()]})
    return scheduler
