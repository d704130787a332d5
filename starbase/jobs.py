"""Periodic work of Starbase, driven by APScheduler: the heartbeat-lease sweep, and the build dispatcher,
which leases queued build jobs to a bounded pool of worker threads. Several processes may start a
scheduler; a named lock in the database lets only one of them dispatch at a time."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from starbase.bootstrap import Starbase
from starbase.services import build_runner, clusters, jobqueue
from starbase.services.builds import BUILD_JOB

log = logging.getLogger(__name__)
LEASE_SWEEP_EVERY_S = 15.0
DISPATCH_EVERY_S = 1.0
DISPATCH_LOCK = "build-dispatcher"
DISPATCH_LOCK_TTL = timedelta(seconds=15)


def sweep_leases(sb: Starbase) -> None:
    for name, state in clusters.sweep_leases(uow=sb.uow, clock=sb.clock):
        log.warning("cluster lease changed", extra={"cluster": name, "lease_state": state})


class BuildDispatcher:
    """Leases build jobs while it holds the dispatcher lock and has a free worker."""

    def __init__(self, sb: Starbase, *, workers: int = 2) -> None:
        self._sb, self._workers = sb, workers
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="build")
        self._active = 0
        self._lock = threading.Lock()

    def tick(self) -> int:
        sb = self._sb
        if not jobqueue.hold_lock(
            uow=sb.uow, clock=sb.clock, name=DISPATCH_LOCK, owner=self.owner, ttl=DISPATCH_LOCK_TTL
        ):
            return 0
        for job in jobqueue.reap(uow=sb.uow, clock=sb.clock, kinds=(BUILD_JOB,)):
            build_runner.fail_abandoned(uow=sb.uow, clock=sb.clock, logs=sb.logs, job=job)
        started = 0
        while True:
            with self._lock:
                if self._active >= self._workers:
                    return started
            job = jobqueue.lease(uow=sb.uow, clock=sb.clock, owner=self.owner, kinds=(BUILD_JOB,))
            if job is None:
                return started
            with self._lock:
                self._active += 1
            started += 1
            self._pool.submit(self._run, job)

    def _run(self, job: object) -> None:
        sb = self._sb
        try:
            state = build_runner.run_build_job(
                uow=sb.uow,
                clock=sb.clock,
                box=sb.secrets,
                logs=sb.logs,
                source=sb.source,
                builder=sb.builder,
                work_root=sb.work_root,
                job=job,
                owner=self.owner,
                apps_domain=sb.settings.apps_domain,  # type: ignore[arg-type]
            )
            log.info("build finished", extra={"job_id": str(job.id), "state": str(state)})  # type: ignore[attr-defined]
        except Exception:
            log.exception("build worker crashed", extra={"job_id": str(job.id)})  # type: ignore[attr-defined]
        finally:
            with self._lock:
                self._active -= 1

    def shutdown(self) -> None:
        """Stop taking jobs; builds still running are killed (their lease runs out and another worker retries)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class Jobs:
    """The running scheduler and its dispatcher; ``shutdown`` stops both."""

    def __init__(self, scheduler: BackgroundScheduler, dispatcher: BuildDispatcher) -> None:
        self.scheduler, self.dispatcher = scheduler, dispatcher

    def shutdown(self, wait: bool = False) -> None:
        self.scheduler.shutdown(wait=wait)
        self.dispatcher.shutdown()


def start_scheduler(
    sb: Starbase,
    *,
    lease_sweep_every_s: float = LEASE_SWEEP_EVERY_S,
    dispatch_every_s: float = DISPATCH_EVERY_S,
    build_workers: int = 2,
) -> Jobs:
    """Start the jobs in background threads; call ``.shutdown()`` to stop them."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    dispatcher = BuildDispatcher(sb, workers=build_workers)
    scheduler.add_job(sweep_leases, "interval", seconds=lease_sweep_every_s, args=[sb], id="lease-sweep")
    scheduler.add_job(dispatcher.tick, "interval", seconds=dispatch_every_s, id="build-dispatch")
    scheduler.start()
    log.info(
        "job scheduler started",
        extra={"jobs": [job.id for job in scheduler.get_jobs()], "dispatcher": dispatcher.owner},
    )
    return Jobs(scheduler, dispatcher)
