"""The build worker: runs one leased build job through ``cloning -> detecting -> building -> uploading ->
succeeded`` (or failed / cancelled / timed_out), with the BuildService, the SourceFetcher and the
LogStore given to it. A watcher renews the job's lease, and stops the build when a user cancels it or its
time runs out. A success becomes the app's next release (and a new desired-state generation).
Work directories are removed whatever happens; nothing half-built is kept."""

from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from starbase.contracts import LogLine
from starbase.crypto import SecretBox
from starbase.errors import StarbaseError
from starbase.models import App, Build, BuildState, Job, JobState, Workspace
from starbase.ports import BuildRequest, BuildService, Clock, LogStore, SourceFetcher, UnitOfWork
from starbase.services import jobqueue
from starbase.services.access import Principal
from starbase.services.builds import FINISHED, RUNNING, transition
from starbase.services.detection import detect
from starbase.services.releases import release_artifact, resolve_vars

WATCH_EVERY_S = 0.5
FLUSH_EVERY = 20


class BuildLogWriter:
    """The BuildLog port over the LogStore: lines are batched and flushed often, so tails see them live."""

    def __init__(self, logs: LogStore, clock: Clock, *, workspace: str, app: str, build_id: uuid.UUID) -> None:
        self._logs, self._clock = logs, clock
        self._ids = {"workspace": workspace, "app": app, "build_id": build_id}
        self._pending: list[LogLine] = []
        self._lock = threading.Lock()

    def write(self, line: str, *, stage: str) -> None:
        entry = LogLine(ts=self._clock.now(), stream="build", line=line[:65_536], stage=stage, **self._ids)
        with self._lock:
            self._pending.append(entry)
            full = len(self._pending) >= FLUSH_EVERY
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._logs.append(pending)


class Stop(Exception):
    def __init__(self, state: BuildState, message: str) -> None:
        super().__init__(message)
        self.state, self.message = state, message


def run_build_job(
    *,
    uow: UnitOfWork,
    clock: Clock,
    box: SecretBox,
    logs: LogStore,
    source: SourceFetcher,
    builder: BuildService,
    work_root: Path,
    job: Job,
    owner: str,
    apps_domain: str,
) -> BuildState:
    build_id = uuid.UUID(job.payload["build_id"])
    with uow:
        build = uow.session.get(Build, build_id)
        if build is None or build.state in FINISHED:
            jobqueue.finish(uow.session, clock, uow.session.get(Job, job.id), JobState.CANCELLED, "build gone")  # type: ignore[arg-type]
            uow.commit()
            return BuildState(build.state) if build else BuildState.CANCELLED
        app = uow.session.get(App, build.app_id)
        ws = uow.session.get(Workspace, app.workspace_id)  # type: ignore[union-attr]
        busy = uow.session.exec(
            select(Build.id).where(Build.app_id == build.app_id, Build.id != build.id, col(Build.state).in_(RUNNING))
        ).first()
        if busy is not None:  # at most one running build per app: try again shortly
            jobqueue.requeue(uow.session, clock, uow.session.get(Job, job.id), delay_s=5)  # type: ignore[arg-type]
            uow.commit()
            return BuildState(build.state)
        env = resolve_vars(uow.session, box, app)  # type: ignore[arg-type]
        names = (ws.name, app.name, app.repo_url, app.start_command, app.root_dir)  # type: ignore[union-attr]
        timeout_s, ref = build.timeout_s, build.ref
    workspace, app_name, repo_url, start_command, root_dir = names
    log = BuildLogWriter(logs, clock, workspace=workspace, app=app_name, build_id=build_id)
    work = work_root / str(build_id)
    shutil.rmtree(work, ignore_errors=True)
    deadline = clock.now() + timedelta(seconds=timeout_s)
    watcher = _Watcher(
        uow=uow, clock=clock, job_id=job.id, owner=owner, build_id=build_id, builder=builder, deadline=deadline
    )
    watcher.start()
    final: BuildState
    try:
        _move(uow, clock, logs, build_id, BuildState.CLONING, watcher, log)
        sha = source.fetch(url=repo_url, ref=ref, dest=work / "src", log=log)
        _update(uow, build_id, commit_sha=sha)
        _move(uow, clock, logs, build_id, BuildState.DETECTING, watcher, log)
        tree = work / "src" / root_dir if root_dir else work / "src"
        plan = detect(tree, start_override=start_command)
        log.write(f"detected {plan.provider}: start with `{plan.start or '(static files)'}`", stage="detecting")
        _update(uow, build_id, plan=asdict(plan) | {"install": list(plan.install), "build": list(plan.build)})
        _move(uow, clock, logs, build_id, BuildState.BUILDING, watcher, log)
        artifact = builder.build(
            BuildRequest(
                build_id=build_id,
                workspace=workspace,
                app=app_name,
                source_dir=tree,
                commit_sha=sha,
                plan=plan,
                env=env,
            ),
            log,
        )
        watcher.check()
        _move(uow, clock, logs, build_id, BuildState.UPLOADING, watcher, log)
        _update(uow, build_id, artifact_kind=artifact.kind, artifact_ref=artifact.ref, artifact_digest=artifact.digest)
        system = Principal(kind="system", name=f"build {str(build_id)[:8]}", correlation_id=str(build_id))
        release = release_artifact(
            uow=uow,
            box=box,
            clock=clock,
            principal=system,
            workspace=workspace,
            app=app_name,
            artifact=artifact,
            build_id=build_id,
            description=f"Deploy {sha[:7]} ({plan.provider})",
            plan=plan,
        )
        log.write(f"released as {release.version}", stage="uploading")
        log.flush()
        final = _end(uow, clock, logs, job, build_id, BuildState.SUCCEEDED, None)
    except Stop as stop:
        final = _end(uow, clock, logs, job, build_id, stop.state, stop.message)
    except StarbaseError as e:
        stopped = watcher.stopped()
        final = _end(
            uow,
            clock,
            logs,
            job,
            build_id,
            stopped.state if stopped else BuildState.FAILED,
            stopped.message if stopped else e.message,
        )
    except Exception as e:  # a bug must still end the build, never leave it "building"
        final = _end(uow, clock, logs, job, build_id, BuildState.FAILED, f"internal error: {type(e).__name__}: {e}")
        raise
    finally:
        watcher.halt()
        log.flush()
        shutil.rmtree(work, ignore_errors=True)
    return final


class _Watcher(threading.Thread):
    """Renews the job lease; turns a cancel request or the deadline into a stop of the builder."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Clock,
        job_id: uuid.UUID,
        owner: str,
        build_id: uuid.UUID,
        builder: BuildService,
        deadline: object,
    ) -> None:
        super().__init__(daemon=True, name=f"build-watch-{build_id}")
        self._uow, self._clock, self._job_id, self._owner = uow, clock, job_id, owner
        self._build_id, self._builder, self._deadline = build_id, builder, deadline
        self._halt = threading.Event()
        self._stop_reason: Stop | None = None
        self._renewed_at = clock.now()

    def run(self) -> None:
        while not self._halt.wait(WATCH_EVERY_S):
            reason = self._reason()
            if reason is not None and self._stop_reason is None:
                self._stop_reason = reason
                self._builder.cancel(self._build_id)

    def _reason(self) -> Stop | None:
        now = self._clock.now()
        if now >= self._deadline:  # type: ignore[operator]
            return Stop(BuildState.TIMED_OUT, "the build ran out of time and was stopped")
        with self._uow:
            build = self._uow.session.get(Build, self._build_id)
            cancelled = build is not None and build.cancel_requested_at is not None
        if cancelled:
            return Stop(BuildState.CANCELLED, "cancelled; its processes were stopped")
        if (now - self._renewed_at).total_seconds() >= jobqueue.LEASE.total_seconds() / 3:
            self._renewed_at = now
            if not jobqueue.renew(uow=self._uow, clock=self._clock, job_id=self._job_id, owner=self._owner):
                return Stop(BuildState.FAILED, "this worker lost the build's lease")
        return None

    def stopped(self) -> Stop | None:
        return self._stop_reason

    def check(self) -> None:
        if self._stop_reason is not None:
            raise self._stop_reason

    def halt(self) -> None:
        self._halt.set()


def _move(
    uow: UnitOfWork,
    clock: Clock,
    logs: LogStore,
    build_id: uuid.UUID,
    state: BuildState,
    watcher: _Watcher,
    log: BuildLogWriter,
) -> None:
    log.flush()  # the stage's own lines come before the line announcing the next stage
    watcher.check()
    with uow:
        transition(uow.session, clock, logs, uow.session.get(Build, build_id), state)  # type: ignore[arg-type]
        uow.commit()


def _update(uow: UnitOfWork, build_id: uuid.UUID, **fields: object) -> None:
    with uow:
        build = uow.session.get(Build, build_id)
        for key, value in fields.items():
            setattr(build, key, value)
        uow.commit()


def _end(
    uow: UnitOfWork, clock: Clock, logs: LogStore, job: Job, build_id: uuid.UUID, state: BuildState, message: str | None
) -> BuildState:
    with uow:
        build = uow.session.get(Build, build_id)
        if build is not None and build.state not in FINISHED:
            transition(
                uow.session, clock, logs, build, state, reason=None if message is None else state.value, message=message
            )
        stored = uow.session.get(Job, job.id)
        if stored is not None:
            jobqueue.finish(
                uow.session,
                clock,
                stored,
                JobState.SUCCEEDED if state == BuildState.SUCCEEDED else JobState.FAILED,
                message,
            )
        uow.commit()
    return state


def fail_abandoned(*, uow: UnitOfWork, clock: Clock, logs: LogStore, job: Job) -> None:
    """A build whose worker stopped responding on its last attempt ends as failed, with the reason."""
    with uow:
        build = uow.session.get(Build, uuid.UUID(job.payload["build_id"]))
        if build is not None and build.state not in FINISHED:
            transition(
                uow.session,
                clock,
                logs,
                build,
                BuildState.FAILED,
                reason="worker_lost",
                message=f"the build worker stopped responding ({job.attempts} attempts); start a new build",
            )
        uow.commit()
