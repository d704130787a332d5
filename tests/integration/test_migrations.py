"""Alembic is the only source of schema: ``upgrade head`` on an empty database gives exactly the models'
schema (no drift), on SQLite and on PostgreSQL, and ``downgrade base`` takes it all away again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import starbase.models  # noqa: F401
from starbase.adapters import migrations
from starbase.db import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'starform.db'}"
    make_postgres: Callable[[], str] = request.getfixturevalue("postgres")
    return make_postgres()


def drift(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_upgrade_head_gives_exactly_the_models_schema(empty_database: str) -> None:
    migrations.upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        assert migrations.table_names(engine) == set(SQLModel.metadata.tables) | {"alembic_version"}
        assert migrations.current_revision(engine) == migrations.head_revision() is not None
    finally:
        engine.dispose()
    assert drift(empty_database) == []


def test_downgrade_base_removes_everything_and_upgrade_works_again(empty_database: str) -> None:
    migrations.upgrade(empty_database)
    migrations.downgrade(empty_database, "base")
    engine = make_engine(empty_database)
    try:
        assert migrations.table_names(engine) <= {"alembic_version"}
        assert migrations.current_revision(engine) is None
    finally:
        engine.dispose()
    migrations.upgrade(empty_database)
    assert drift(empty_database) == []


def test_drift_check_notices_a_model_the_migrations_lack(empty_database: str) -> None:
    """The drift check can fail: a table missing from the database is reported."""
    migrations.upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE audit_entries")
    finally:
        engine.dispose()
    assert any(diff[0] == "add_table" and diff[1].name == "audit_entries" for diff in drift(empty_database))
