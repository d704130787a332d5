"""LocalRuntime: embedded mode's target. Each workload's slug is downloaded once, unpacked per release,
and run as ``replicas`` processes behind Caddy. A rollout starts the new replicas, waits for their health
check, switches Caddy to them, then drains the old ones: no failed request. A release whose replicas never
become healthy is a failed rollout (the old release keeps serving). Crashed replicas restart with
exponential back-off (10 s doubling, capped at 5 min). State is saved so a restarted Shuttle adopts the
processes it left instead of duplicating them."""

from __future__ import annotations

import json
import logging
import shutil
import tarfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shuttle.client import ControlPlane
from shuttle.plan import Action, Deploy, Observed, Remove, Scale, fingerprint
from shuttle.targets.local.caddy import Caddy, Route
from shuttle.targets.local.logship import LogShipper
from shuttle.targets.local.replicas import Replica, start_replica
from starbase.contracts import DesiredState, WorkloadReport, WorkloadSpec

log = logging.getLogger(__name__)
BACKOFF_START_S, BACKOFF_CAP_S = 10.0, 300.0
CRASH_LOOP_RESTARTS = 3
DRAIN_S = 1.0  # after traffic moved away, before old replicas get SIGTERM


@dataclass
class Workload:
    spec: WorkloadSpec
    replicas: list[Replica] = field(default_factory=list)
    restarts: int = 0
    backoff: float | None = None  # seconds before the next restart may happen; doubles, capped
    next_restart: float = 0.0
    failed: dict[str, int] = field(default_factory=dict)
    failure_reason: str | None = None
    pending: WorkloadSpec | None = None  # the release whose rollout failed last (the old one keeps serving)

    @property
    def static(self) -> bool:
        return self.spec.static_dir is not None


class LocalRuntime:
    name = "local"

    def __init__(
        self,
        control: ControlPlane,
        *,
        state_dir: Path,
        caddy: Caddy,
        grace_s: float = 10.0,
        health_deadline_s: float = 60.0,
        backoff_start_s: float = BACKOFF_START_S,
    ) -> None:
        self.control, self.state_dir, self.caddy = control, state_dir, caddy
        self.grace_s, self.health_deadline_s, self.backoff_start_s = grace_s, health_deadline_s, backoff_start_s
        self.workloads: dict[str, Workload] = {}
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.shipper = LogShipper(control, self.state_dir / "log-offsets.json")
        self._lock = threading.RLock()
        self._load()
        self._route()  # Caddy serves what was adopted (and answers 404 elsewhere) from the start

    # --- Target --------------------------------------------------------------------------------------

    def observe(self, desired: DesiredState | None = None) -> dict[str, Observed]:
        """What runs: a workload with fewer live replicas than its spec (e.g. after a restart) gets scaled."""
        with self._lock:
            return {
                key: Observed(
                    key, str(w.spec.release_id), fingerprint(w.spec), w.spec.replicas if w.static else len(w.replicas)
                )
                for key, w in self.workloads.items()
            }

    def apply(self, actions: Sequence[Action]) -> list[str]:
        errors = []
        for action in actions:
            try:
                with self._lock:
                    if isinstance(action, Deploy):
                        self._deploy(action.spec)
                    elif isinstance(action, Scale):
                        self._scale(action.spec)
                    elif isinstance(action, Remove):
                        self._remove(action.key)
            except Exception as e:  # one workload's failure must not stop the others
                key = action.key if isinstance(action, Remove) else action.spec.key
                log.exception("apply failed", extra={"workload": key})
                errors.append(f"{key}: {e}")
        with self._lock:
            self._route()
            self._save()
        return errors

    def report(self) -> list[WorkloadReport]:
        with self._lock:
            return [self._report(w) for w in self.workloads.values()]

    # --- supervision (a background thread calls this every second) ---------------------------------

    def supervise(self) -> None:
        with self._lock:
            changed = False
            for workload in self.workloads.values():
                dead = [r for r in workload.replicas if not r.alive()]
                if not dead or time.monotonic() < workload.next_restart:
                    continue
                for replica in dead:
                    workload.failure_reason = self._tail(replica) or replica.exit_reason
                    replica.stop(0)  # whatever is left of its process group goes too: never two of one replica
                    workload.replicas.remove(replica)
                    workload.replicas.append(
                        start_replica(
                            workload.spec,
                            self._release_dir(workload.spec),
                            self.state_dir / "logs",
                            len(workload.replicas),
                        )
                    )
                    workload.restarts += 1
                wait = workload.backoff or self.backoff_start_s
                workload.next_restart = time.monotonic() + wait
                workload.backoff = min(wait * 2, BACKOFF_CAP_S)
                changed = True
            if changed:
                self._route()
                self._save()
            replicas = [(w.spec, r) for w in self.workloads.values() for r in w.replicas]
        self.shipper.ship(replicas)

    def stop_all(self) -> None:
        """Stop every process this runtime started (``starform up`` stopping)."""
        with self._lock:
            for workload in self.workloads.values():
                for replica in workload.replicas:
                    replica.stop(self.grace_s)

    # --- actions -------------------------------------------------------------------------------------

    def _deploy(self, spec: WorkloadSpec) -> None:
        current = self.workloads.get(spec.key)
        release_dir = self._release_dir(spec)
        if spec.static_dir is not None:  # Caddy serves the files; no process
            old = current.replicas if current else []
            self.workloads[spec.key] = Workload(spec)
            self._route()
            for replica in old:
                replica.stop(self.grace_s)
            return
        new = [start_replica(spec, release_dir, self.state_dir / "logs", i) for i in range(spec.replicas)]
        reason = self._await_healthy(spec, new)
        if reason is not None:  # failed rollout: the old release keeps serving
            for replica in new:
                replica.stop(0)
            target = current or self.workloads.setdefault(spec.key, Workload(spec))
            target.failed[str(spec.release_id)] = target.failed.get(str(spec.release_id), 0) + 1
            target.failure_reason = reason
            target.pending = spec
            raise RuntimeError(f"{spec.release} never became healthy: {reason}")
        old = current.replicas if current else []
        failed = current.failed if current else {}
        self.workloads[spec.key] = Workload(spec, replicas=new, failed=failed)
        self._route()  # traffic moves to the healthy replicas first ...
        if old:
            time.sleep(DRAIN_S)  # ... requests already sent to the old ones finish ...
        for replica in old:  # ... then they stop: SIGTERM, the grace period, SIGKILL
            replica.stop(self.grace_s)

    def _scale(self, spec: WorkloadSpec) -> None:
        workload = self.workloads[spec.key]
        while len(workload.replicas) < spec.replicas:
            replica = start_replica(spec, self._release_dir(spec), self.state_dir / "logs", len(workload.replicas))
            if self._await_healthy(spec, [replica]) is not None:
                replica.stop(0)
                raise RuntimeError("a new replica never became healthy")
            workload.replicas.append(replica)
        extra = workload.replicas[spec.replicas :]
        workload.replicas = workload.replicas[: spec.replicas]
        workload.spec = spec
        self._route()
        for replica in extra:
            replica.stop(self.grace_s)

    def _remove(self, key: str) -> None:
        workload = self.workloads.pop(key)
        self._route()
        for replica in workload.replicas:
            replica.stop(self.grace_s)

    def _await_healthy(self, spec: WorkloadSpec, replicas: list[Replica]) -> str | None:
        """None when every replica answers its health check; else why not."""
        deadline = time.monotonic() + self.health_deadline_s
        pending = list(replicas)
        while pending:
            for replica in list(pending):
                if not replica.alive():
                    return self._tail(replica) or replica.exit_reason or "the process exited"
                if replica.healthy(spec.health.path, spec.health.timeout_s):
                    pending.remove(replica)
            if pending and time.monotonic() > deadline:
                return f"no answer on {spec.health.path} within {self.health_deadline_s:.0f} s"
            time.sleep(0.1)
        return None

    # --- files, routes, state ------------------------------------------------------------------------

    def _release_dir(self, spec: WorkloadSpec) -> Path:
        target = self.state_dir / "releases" / str(spec.release_id)
        if target.exists():
            return target
        slug = self.state_dir / "slugs" / f"{spec.artifact.digest.removeprefix('sha256:')}.tar.gz"
        if not slug.exists():
            self.control.download(spec.artifact.digest, slug)
        tmp = target.with_suffix(".unpacking")
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(slug) as tar:
            tar.extractall(tmp, filter="tar")
        tmp.rename(target)
        return target

    def _route(self) -> None:
        routes = []
        for key, w in sorted(self.workloads.items()):
            route_id = "wl-" + key.replace("/", "-")
            if w.static:
                root = self._release_dir(w.spec) / (w.spec.static_dir or ".")
                routes.append(Route(route_id, tuple(w.spec.hostnames), root=str(root.resolve())))
            elif w.replicas:
                routes.append(Route(route_id, tuple(w.spec.hostnames), tuple(r.port for r in w.replicas)))
        self.caddy.load(routes)

    def _report(self, w: Workload) -> WorkloadReport:
        if w.pending is not None and w.pending.release_id != w.spec.release_id:
            return self._report_failed_rollout(w, w.pending)
        ready = w.spec.replicas if w.static else sum(1 for r in w.replicas if r.alive())
        crash_looping = w.restarts >= CRASH_LOOP_RESTARTS and ready < w.spec.replicas
        failed = w.failed.get(str(w.spec.release_id), 0)
        phase = (
            "crash_looping"
            if crash_looping
            else "running"
            if ready >= w.spec.replicas
            else "failed"
            if failed and not w.replicas
            else "degraded"
        )
        usage = [r.usage() for r in w.replicas]
        return WorkloadReport(
            workspace=w.spec.workspace,
            app=w.spec.app,
            environment=w.spec.environment,
            release=w.spec.release,
            release_id=w.spec.release_id,
            phase=phase,
            ready_replicas=ready,
            desired_replicas=w.spec.replicas,
            restarts=w.restarts,
            crash_looping=crash_looping,
            failed_rollouts=failed,
            failure="application" if failed or crash_looping else None,
            last_exit_reason=(w.failure_reason or "")[-1000:] or None,
            cpu_millis=sum(u[0] for u in usage) if usage else None,
            memory_mb=sum(u[1] for u in usage) if usage else None,
        )

    def _report_failed_rollout(self, w: Workload, pending: WorkloadSpec) -> WorkloadReport:
        """The desired release never became healthy: say so for it (the old release still serves)."""
        serving = sum(1 for r in w.replicas if r.alive()) if not w.static else w.spec.replicas
        return WorkloadReport(
            workspace=pending.workspace,
            app=pending.app,
            environment=pending.environment,
            release=pending.release,
            release_id=pending.release_id,
            phase="failed",
            ready_replicas=serving,
            desired_replicas=pending.replicas,
            restarts=w.restarts,
            failed_rollouts=w.failed.get(str(pending.release_id), 0),
            failure="application",
            last_exit_reason=(w.failure_reason or "")[-1000:] or None,
        )

    def _tail(self, replica: Replica, lines: int = 3) -> str | None:
        try:
            text = Path(replica.log).read_text(errors="replace").strip().splitlines()
        except OSError:
            return None
        return " | ".join(text[-lines:]) or None

    def _save(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        data = {
            key: {
                "spec": w.spec.model_dump(mode="json"),
                "replicas": [r.to_dict() for r in w.replicas],
                "restarts": w.restarts,
                "failed": w.failed,
            }
            for key, w in self.workloads.items()
        }
        tmp = self.state_dir / "state.json.tmp"
        tmp.write_text(json.dumps(data))
        tmp.replace(self.state_dir / "state.json")

    def _load(self) -> None:
        """Adopt the replicas a previous Shuttle left running; restart the ones that died meanwhile."""
        path = self.state_dir / "state.json"
        if not path.exists():
            return
        for key, saved in json.loads(path.read_text()).items():
            spec = WorkloadSpec.model_validate(saved["spec"])
            replicas = [Replica(**r) for r in saved["replicas"]]
            alive = [r for r in replicas if r.alive()]
            self.workloads[key] = Workload(
                spec, replicas=alive, restarts=saved.get("restarts", 0), failed=saved.get("failed", {})
            )
            log.info("adopted workload", extra={"workload": key, "replicas": len(alive), "left": len(replicas)})
