"""Health of Starbase itself: is the database reachable, and at which schema revision."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from starbase.errors import UpstreamUnavailable
from starbase.ports import UnitOfWork

log = logging.getLogger(__name__)


def check_ready(*, uow: UnitOfWork) -> dict[str, str | None]:
    """Raise ``UpstreamUnavailable`` unless the database answers; report the schema revision."""
    try:
        with uow:
            uow.session.execute(text("SELECT 1"))
            revision = _schema_revision(uow)
    except SQLAlchemyError as e:
        log.warning("database not reachable", extra={"error": str(e).splitlines()[0]})
        raise UpstreamUnavailable("database is not reachable", retry_after=5) from e
    if revision is None:
        raise UpstreamUnavailable("database has no schema yet: run `starform db upgrade`", retry_after=5)
    return {"database": "ok", "schema_revision": revision}


def _schema_revision(uow: UnitOfWork) -> str | None:
    try:
        with uow.session.begin_nested():
            row = uow.session.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError:
        return None
    return None if row is None else str(row[0])
