"""Log lines of builds and apps when the SQL LogStore holds them (embedded mode; ClickHouse in production).
A growing integer id, not a UUID, keys each line: it is the cursor that ``--follow`` resumes from."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from starbase.models.base import ts_field


class LogEntry(SQLModel, table=True):
    __tablename__ = "log_lines"
    __table_args__ = (Index(None, "workspace", "app", "id"), Index(None, "build_id", "id"))

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    ts: datetime = ts_field(index=True)
    workspace: str = Field(max_length=40)
    app: str = Field(max_length=40)
    environment: str | None = Field(default=None, max_length=40)
    stream: str = Field(max_length=16)
    line: str = Field(sa_type=Text)
    release: str | None = Field(default=None, max_length=16)
    replica: str | None = Field(default=None, max_length=128)
    build_id: uuid.UUID | None = None
    stage: str | None = Field(default=None, max_length=32)


class MetricSampleRow(SQLModel, table=True):
    """A metric sample when the SQL MetricsStore holds them (embedded mode; VictoriaMetrics in production)."""

    __tablename__ = "metric_samples"
    __table_args__ = (Index(None, "name", "series", "ts"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    name: str = Field(max_length=64)
    series: str = Field(max_length=255, description="the labels, as sorted key=value pairs")
    labels: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    value: float
    ts: datetime = ts_field()
