"""Ships what the replicas print: new lines of each replica's log file go to Starbase's log ingest in
batches. Offsets advance only after a batch is accepted, so nothing is lost while Starbase is away, and
they are saved, so nothing is shipped twice after a restart."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from shuttle.client import ControlPlane, Transient
from shuttle.targets.local.replicas import Replica
from starbase.contracts import LogLine, WorkloadSpec

log = logging.getLogger(__name__)
MAX_BATCH = 2000


class LogShipper:
    def __init__(self, control: ControlPlane, offsets_file: Path | None = None) -> None:
        self.control, self._file = control, offsets_file
        self.offsets: dict[str, int] = {}
        if offsets_file is not None and offsets_file.exists():  # a restarted Shuttle does not ship lines twice
            self.offsets = json.loads(offsets_file.read_text())

    def ship(self, replicas: list[tuple[WorkloadSpec, Replica]]) -> int:
        lines: list[LogLine] = []
        advanced: dict[str, int] = {}
        now = datetime.now(UTC)
        for spec, replica in replicas:
            path = Path(replica.log)
            try:
                with path.open("rb") as handle:
                    handle.seek(self.offsets.get(replica.log, 0))
                    data = handle.read(1024 * 1024)
            except OSError:
                continue
            complete = data[: data.rfind(b"\n") + 1]
            if not complete:
                continue
            advanced[replica.log] = self.offsets.get(replica.log, 0) + len(complete)
            for raw in complete.decode(errors="replace").splitlines():
                lines.append(
                    LogLine(
                        ts=now,
                        workspace=spec.workspace,
                        app=spec.app,
                        environment=spec.environment,
                        release=spec.release,
                        replica=replica.name,
                        stream="stdout",
                        line=raw[:65_536],
                    )
                )
        if not lines:
            return 0
        try:
            for start in range(0, len(lines), MAX_BATCH):
                self.control.ship_logs(lines[start : start + MAX_BATCH])
        except Transient as e:
            log.warning("logs not shipped; will retry", extra={"error": str(e)})
            return 0
        self.offsets.update(advanced)
        if self._file is not None:
            tmp = self._file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.offsets))
            tmp.replace(self._file)
        return len(lines)
