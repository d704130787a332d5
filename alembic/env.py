"""Alembic environment over ``SQLModel.metadata``.

The URL is the ``sqlalchemy.url`` the caller set (``starbase.adapters.migrations``) or else Starform's
settings. SQLite runs in batch mode so ALTERs work there too. Types are rendered as plain SQLAlchemy types
(``UtcDateTime`` as ``sa.DateTime(timezone=True)``), so migrations never import application code.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import starbase.models  # noqa: F401  (registers every table on SQLModel.metadata)
from starbase.config import get_settings
from starbase.db import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our TypeDecorators (and SQLModel's AutoString) as the plain type underneath."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _configure(**kwargs: Any) -> None:
    url = kwargs.pop("url", None)
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=(url is not None and url.startswith("sqlite")) or kwargs.pop("batch", False),
        url=url,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Any) -> None:
    _configure(connection=connection, batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
