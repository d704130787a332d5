"""The SQL unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``. Reusable: each ``with`` opens a fresh session."""

    session: Session

    def __init__(self, engine: Engine) -> None:
        self._factory = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)

    def __enter__(self) -> Self:
        self.session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
