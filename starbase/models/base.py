"""Column types and field helpers shared by every table.

Timestamps are timezone-aware UTC on the way in and out, also on SQLite (which stores no zone);
keys are UUIDs; enumerations are stored as short strings so migrations never touch database enum types.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from starbase.crypto import SecretBox

# Deterministic constraint names: Alembic can drop and alter them on every database (SQLite batch mode too).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE``; refuses naive datetimes, always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ENUM_WIDTH = 32


def utcnow() -> datetime:
    """Default for ``created_at`` columns; services pass their injected clock's time explicitly."""
    return datetime.now(UTC)


def id_field() -> Any:
    """A UUID primary key generated client-side."""
    return Field(default_factory=uuid.uuid4, primary_key=True)


def ts_field(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column; ``created_at`` style when not nullable."""
    if nullable:
        return Field(default=None, sa_type=UtcDateTime, nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False, index=index)


def enum_field(enum_type: type[enum.StrEnum], default: enum.StrEnum | None = None, *, index: bool = False) -> Any:
    """A ``StrEnum`` stored as ``VARCHAR(32)`` (room for new members without a migration)."""
    width = ENUM_WIDTH
    if max(len(m.value) for m in enum_type) > width:
        raise ValueError(f"{enum_type.__name__} has a member longer than {width} characters")
    if default is None:
        return Field(sa_type=String(width), nullable=False, index=index)
    return Field(default=default, sa_type=String(width), nullable=False, index=index)


class Sealed:
    """Mixin for a row whose ``sealed_column`` (bytes) holds a secret bound to the row's table and id,
    so a sealed value copied into another row does not open."""

    sealed_column: ClassVar[str] = "value_sealed"

    def _context(self) -> str:
        return f"{type(self).__tablename__}:{self.id}"  # type: ignore[attr-defined]

    def seal(self, box: SecretBox, value: str) -> None:
        setattr(self, self.sealed_column, box.seal(value, context=self._context()))

    def reveal(self, box: SecretBox) -> str:
        return box.open(getattr(self, self.sealed_column), context=self._context())
