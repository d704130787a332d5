"""One unit of work object serves concurrent callers: each thread and each nested block has its own session
(on a SQLite file and on PostgreSQL, as the API server uses it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from starbase.adapters import migrations
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.models import Workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def starbase(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Starbase]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'starform.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("postgres")
        url = make()
    migrations.upgrade(url)
    container = bootstrap(load_settings(database_url=url, secret_key="k" * 40, data_dir=tmp_path))
    yield container
    container.close()


def test_threads_get_their_own_sessions(starbase: Starbase) -> None:
    uow = starbase.uow
    barrier = threading.Barrier(8)
    sessions: list[object] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with uow:
                barrier.wait(timeout=5)
                sessions.append(uow.session)
                uow.session.add(Workspace(name=f"ws-{i}"))
                barrier.wait(timeout=5)
                uow.commit()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({id(s) for s in sessions}) == 8
    with uow:
        assert len(uow.session.exec(select(Workspace)).all()) == 8


def test_nested_blocks_restore_the_outer_session(starbase: Starbase) -> None:
    uow = starbase.uow
    with uow:
        outer = uow.session
        with uow:
            assert uow.session is not outer
        assert uow.session is outer
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.session
