"""SqlMetricsStore: metric samples in the ``metric_samples`` table of Starbase's database (embedded mode),
queried as a series bucketed by ``step_s`` (the average of each bucket)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from starbase.models import MetricSampleRow
from starbase.ports import MetricSample


def series_key(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))[:255]


class SqlMetricsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write(self, samples: Sequence[MetricSample]) -> None:
        if not samples:
            return
        rows = [
            {"name": s.name, "series": series_key(s.labels), "labels": dict(s.labels), "value": s.value, "ts": s.ts}
            for s in samples
        ]
        with self._engine.begin() as connection:
            connection.execute(insert(MetricSampleRow), rows)

    def range(
        self, name: str, *, labels: Mapping[str, str], start: datetime, end: datetime, step_s: int
    ) -> list[tuple[datetime, float]]:
        table = MetricSampleRow.__table__.c  # type: ignore[attr-defined]
        query = (
            select(table.ts, table.value)
            .where(table.name == name, table.series == series_key(labels), table.ts >= start, table.ts < end)
            .order_by(table.ts)
        )
        buckets: dict[int, list[float]] = {}
        with self._engine.connect() as connection:
            for ts, value in connection.execute(query):
                moment = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
                buckets.setdefault(int(moment.timestamp()) // step_s, []).append(value)
        return [(datetime.fromtimestamp(b * step_s, UTC), sum(v) / len(v)) for b, v in sorted(buckets.items())]
