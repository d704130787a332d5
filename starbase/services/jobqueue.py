"""Recorded intent: one-off work (builds now; backups and restores later) is a ``Job`` row before it runs.
A worker leases a job until a deadline and renews the lease while it works; a lease that runs out (the
worker died) puts the job back in the queue, or fails it once it used its attempts, so nothing stays
"in progress" forever. On PostgreSQL leasing uses ``FOR UPDATE SKIP LOCKED``; everywhere a conditional
UPDATE makes sure only one worker wins a job."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from starbase.models import Job, JobState, SchedulerLock
from starbase.ports import Clock, UnitOfWork

LEASE = timedelta(seconds=60)


def enqueue(
    session: Session,
    clock: Clock,
    *,
    kind: str,
    payload: dict[str, Any],
    workspace_id: uuid.UUID | None = None,
    max_attempts: int = 3,
) -> Job:
    job = Job(
        kind=kind,
        payload=payload,
        workspace_id=workspace_id,
        max_attempts=max_attempts,
        run_after=clock.now(),
        created_at=clock.now(),
    )
    session.add(job)
    session.flush()
    return job


def lease(*, uow: UnitOfWork, clock: Clock, owner: str, kinds: tuple[str, ...], lease: timedelta = LEASE) -> Job | None:
    """The oldest runnable job (queued, or leased by a worker whose lease ran out), now leased to ``owner``."""
    with uow:
        session = uow.session
        now = clock.now()
        query = (
            select(Job)
            .where(
                col(Job.kind).in_(kinds),
                or_(
                    and_(Job.state == JobState.QUEUED, col(Job.run_after) <= now),
                    and_(
                        Job.state == JobState.LEASED,
                        col(Job.lease_expires_at) < now,
                        col(Job.attempts) < col(Job.max_attempts),
                    ),
                ),
            )
            .order_by(col(Job.created_at))
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job = session.exec(query).first()
        if job is None:
            return None
        won = session.execute(
            update(Job)
            .where(col(Job.id) == job.id, col(Job.state) == job.state, col(Job.attempts) == job.attempts)
            .values(
                state=JobState.LEASED,
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=Job.attempts + 1,
                started_at=job.started_at or now,
            )
        ).rowcount
        if won != 1:
            return None
        uow.commit()
        session.refresh(job)
        session.expunge(job)  # detached with its loaded values: the with block's rollback must not expire them
        return job


def reap(*, uow: UnitOfWork, clock: Clock, kinds: tuple[str, ...]) -> list[Job]:
    """Fail the jobs whose worker stopped responding after their last attempt; the caller fails their work."""
    with uow:
        stale = uow.session.exec(
            select(Job).where(
                col(Job.kind).in_(kinds),
                Job.state == JobState.LEASED,
                col(Job.lease_expires_at) < clock.now(),
                col(Job.attempts) >= col(Job.max_attempts),
            )
        ).all()
        for job in stale:
            finish(uow.session, clock, job, JobState.FAILED, f"the worker stopped responding ({job.attempts} attempts)")
        uow.commit()
        for job in stale:
            uow.session.expunge(job)
        return list(stale)


def renew(*, uow: UnitOfWork, clock: Clock, job_id: uuid.UUID, owner: str, lease: timedelta = LEASE) -> bool:
    """Extend the lease; False when the job is no longer ours (then the worker must stop)."""
    with uow:
        renewed = uow.session.execute(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.lease_owner) == owner, Job.state == JobState.LEASED)
            .values(lease_expires_at=clock.now() + lease)
        ).rowcount
        uow.commit()
        return renewed == 1


def finish(session: Session, clock: Clock, job: Job, state: JobState, error: str | None = None) -> None:
    job.state, job.error, job.finished_at = state, error, clock.now()
    job.lease_owner, job.lease_expires_at = None, None


def requeue(session: Session, clock: Clock, job: Job, *, delay_s: float) -> None:
    """Give the job back (e.g. the app already has a running build), without counting the attempt."""
    job.state, job.lease_owner, job.lease_expires_at = JobState.QUEUED, None, None
    job.attempts = max(0, job.attempts - 1)
    job.run_after = clock.now() + timedelta(seconds=delay_s)


def hold_lock(*, uow: UnitOfWork, clock: Clock, name: str, owner: str, ttl: timedelta) -> bool:
    """Take or renew a named lease (one dispatcher across processes); False while another owner holds it."""
    with uow:
        session = uow.session
        now = clock.now()
        lock = session.get(SchedulerLock, name)
        if lock is None:
            session.add(SchedulerLock(name=name, owner=owner, expires_at=now + ttl))
            try:
                uow.commit()
            except IntegrityError:  # another process inserted it first
                return False
            return True
        taken = session.execute(
            update(SchedulerLock)
            .where(
                col(SchedulerLock.name) == name,
                or_(col(SchedulerLock.owner) == owner, col(SchedulerLock.expires_at) < now),
            )
            .values(owner=owner, expires_at=now + ttl)
        ).rowcount
        uow.commit()
        return taken == 1
