"""Leasing under contention, on SQLite and on PostgreSQL (``FOR UPDATE SKIP LOCKED``): each job goes to
exactly one of several concurrent workers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from starbase.adapters import migrations
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.services import jobqueue


@pytest.fixture(params=["sqlite", "postgresql"])
def sb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Starbase]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'starform.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("postgres")
        url = make()
    migrations.upgrade(url)
    container = bootstrap(load_settings(database_url=url, secret_key="k" * 40, data_dir=tmp_path))
    yield container
    container.close()


def test_each_job_is_leased_by_exactly_one_worker(sb: Starbase) -> None:
    with sb.uow as uow:
        for i in range(30):
            jobqueue.enqueue(uow.session, sb.clock, kind="test", payload={"n": i})
        uow.commit()
    won: dict[str, list[int]] = {f"w{i}": [] for i in range(6)}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            misses = 0
            while misses < 20:
                job = jobqueue.lease(uow=sb.uow, clock=sb.clock, owner=name, kinds=("test",))
                if job is None:
                    misses += 1
                    continue
                won[name].append(job.payload["n"])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(name,)) for name in won]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    leased = sorted(n for numbers in won.values() for n in numbers)
    assert leased == list(range(30))  # every job once, none twice
