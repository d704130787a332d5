"""SqlLogStore: log lines in the ``log_lines`` table of Starbase's own database (embedded mode's SQLite,
or PostgreSQL). Appends are one multi-row INSERT; queries always carry the workspace (tenant filter)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, insert, select

from starbase.contracts import LogLine
from starbase.models import LogEntry
from starbase.ports import LogQuery, StoredLogLine

FIELDS = ("ts", "workspace", "app", "environment", "stream", "line", "release", "replica", "build_id", "stage")


class SqlLogStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, lines: Sequence[LogLine]) -> int:
        if not lines:
            return 0
        rows = [{name: getattr(line, name) for name in FIELDS} for line in lines]
        with self._engine.begin() as connection:
            connection.execute(insert(LogEntry), rows)
        return len(rows)

    def query(self, query: LogQuery) -> list[StoredLogLine]:
        table = LogEntry.__table__.c  # type: ignore[attr-defined]
        statement = select(LogEntry.__table__).where(table.workspace == query.workspace)  # type: ignore[attr-defined]
        if query.app is not None:
            statement = statement.where(table.app == query.app)
        if query.build_id is not None:
            statement = statement.where(table.build_id == query.build_id)
        if query.since is not None:
            statement = statement.where(table.ts >= query.since)
        if query.until is not None:
            statement = statement.where(table.ts < query.until)
        if query.after is not None:
            statement = statement.where(table.id > query.after)
        if query.search:
            escaped = query.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(table.line.like(f"%{escaped}%", escape="\\"))
        if query.after is None:  # a plain query wants the newest lines, shown oldest first
            statement = statement.order_by(table.id.desc()).limit(query.limit)
        else:  # a tail wants what came next
            statement = statement.order_by(table.id).limit(query.limit)
        with self._engine.connect() as connection:
            rows = connection.execute(statement).mappings().all()
        out = [
            StoredLogLine(cursor=row["id"], line=LogLine(**{k: row[k] for k in FIELDS if row[k] is not None}))
            for row in rows
        ]
        return out if query.after is not None else out[::-1]
