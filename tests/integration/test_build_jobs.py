"""Recorded intent for builds: a worker that dies leaves its job to be leased again and finished, or failed
once its attempts are used; a newer build supersedes a queued one; one dispatcher at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from starbase.jobs import BuildDispatcher
from starbase.models import Build, BuildState, JobState
from starbase.services import jobqueue
from starbase.services.builds import BUILD_JOB
from tests.fakes import FakeClock
from tests.integration.builds_world import BuildWorld, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[BuildWorld]:
    built = make_world(tmp_path, clock=FakeClock())
    yield built
    built.sb.close()


def test_a_build_whose_worker_died_is_leased_again_and_finished(world: BuildWorld) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.app("site", "static")
    build = world.start("site")
    dead = jobqueue.lease(uow=world.sb.uow, clock=clock, owner="worker-that-dies", kinds=(BUILD_JOB,))
    assert dead is not None and dead.attempts == 1
    assert jobqueue.lease(uow=world.sb.uow, clock=clock, owner="other", kinds=(BUILD_JOB,)) is None  # still leased
    clock.advance(61)  # the lease runs out: nobody renewed it
    assert world.work_one(owner="second-worker") == "succeeded"
    stored_build, job = world.rows(build.id)
    assert job.attempts == 2 and job.state == JobState.SUCCEEDED
    assert stored_build.state == "succeeded"


def test_a_build_whose_workers_keep_dying_fails_with_the_reason(world: BuildWorld) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.app("site", "static")
    build = world.start("site")
    for attempt in range(3):
        assert jobqueue.lease(uow=world.sb.uow, clock=clock, owner=f"dies-{attempt}", kinds=(BUILD_JOB,))
        clock.advance(61)
    dispatcher = BuildDispatcher(world.sb, workers=1)
    assert dispatcher.tick() == 0
    dispatcher.shutdown()
    stored_build, job = world.rows(build.id)
    assert job.state == JobState.FAILED and "stopped responding" in (job.error or "")
    assert stored_build.state == "failed"
    assert "stopped responding (3 attempts)" in (stored_build.error or "")


def test_a_newer_build_supersedes_a_queued_one(world: BuildWorld) -> None:
    world.app("site", "static")
    first = world.start("site")
    second = world.start("site")
    assert world.build(first.id).state == "cancelled" and world.build(first.id).error == "superseded by a newer build"
    assert world.work_one() == "succeeded"
    assert world.build(second.id).state == "succeeded"
    assert jobqueue.lease(uow=world.sb.uow, clock=world.sb.clock, owner="x", kinds=(BUILD_JOB,)) is None


def test_only_one_dispatcher_dispatches(world: BuildWorld) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    one, two = BuildDispatcher(world.sb, workers=1), BuildDispatcher(world.sb, workers=1)
    try:
        ttl = timedelta(seconds=15)
        assert jobqueue.hold_lock(uow=world.sb.uow, clock=clock, name="d", owner=one.owner, ttl=ttl)
        assert not jobqueue.hold_lock(uow=world.sb.uow, clock=clock, name="d", owner=two.owner, ttl=ttl)
        assert jobqueue.hold_lock(uow=world.sb.uow, clock=clock, name="d", owner=one.owner, ttl=ttl)  # renew
        clock.advance(16)  # the first process stopped renewing
        assert jobqueue.hold_lock(uow=world.sb.uow, clock=clock, name="d", owner=two.owner, ttl=ttl)
        assert not jobqueue.hold_lock(uow=world.sb.uow, clock=clock, name="d", owner=one.owner, ttl=ttl)
    finally:
        one.shutdown()
        two.shutdown()


def test_one_running_build_per_app_the_next_waits(world: BuildWorld) -> None:
    clock: FakeClock = world.sb.clock  # type: ignore[assignment]
    world.app("site", "static")
    running = world.start("site")
    jobqueue.lease(uow=world.sb.uow, clock=clock, owner="busy-worker", kinds=(BUILD_JOB,))
    with world.sb.uow as uow:
        uow.session.get(Build, running.id).state = BuildState.BUILDING  # type: ignore[union-attr]
        uow.commit()
    waiting = world.start("site")
    assert world.work_one(owner="second") == "queued"  # given back, not run next to the other
    _, job = world.rows(waiting.id)
    assert job.state == JobState.QUEUED and job.attempts == 0 and job.run_after > clock.now()
