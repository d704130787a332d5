"""The SQL unit of work: one session, one transaction, rolled back unless committed.

One ``SqlUnitOfWork`` serves the whole process: the session of each ``with`` block lives in a context
variable, so concurrent requests (threads) and nested blocks each get their own session.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``."""

    def __init__(self, engine: Engine) -> None:
        self._factory = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
        self._current: ContextVar[Session | None] = ContextVar(f"uow-session-{id(self)}", default=None)
        self._tokens: ContextVar[tuple[Token[Session | None], ...]] = ContextVar(f"uow-tokens-{id(self)}", default=())

    @property
    def session(self) -> Session:
        session = self._current.get()
        if session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return session

    def __enter__(self) -> Self:
        token = self._current.set(self._factory())
        self._tokens.set((*self._tokens.get(), token))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        *rest, token = self._tokens.get()
        try:
            session.rollback()
        finally:
            session.close()
            self._tokens.set(tuple(rest))
            self._current.reset(token)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
