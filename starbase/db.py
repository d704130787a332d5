"""Database engines: the one place that turns a URL into a SQLAlchemy engine.

SQLite gets foreign keys enforced, WAL and a busy timeout (embedded mode runs API, jobs and UI in one
process); an in-memory SQLite URL shares one connection so unit tests see one database. PostgreSQL
connections are checked before use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

THREADS = 40  # AnyIO's default worker-thread limit, which runs FastAPI's sync routes


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=THREADS - 10)
    memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:  # as many connections as the API server's worker threads, so requests never queue for one
        kwargs.update(pool_size=THREADS, max_overflow=THREADS)
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine
