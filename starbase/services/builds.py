"""Builds: start (a Job row is the recorded intent; a newer build supersedes queued ones of the same
app), cancel (queued: at once; running: the worker kills it), list, show, and their logs. Every state
change is persisted with its time, becomes an event, and a line in the build's log."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from starbase.contracts import LogLine
from starbase.errors import Conflict, NotFound
from starbase.models import App, Build, BuildState, Job, JobState, Release, Role, Severity, Workspace
from starbase.ports import Clock, LogQuery, LogStore, StoredLogLine, UnitOfWork
from starbase.services import validate
from starbase.services.access import Principal, require
from starbase.services.dto import BuildPublic
from starbase.services.events import record_audit, record_event
from starbase.services.jobqueue import enqueue, finish
from starbase.services.lookup import app_for, environment_of

RUNNING = (BuildState.CLONING, BuildState.DETECTING, BuildState.BUILDING, BuildState.UPLOADING)
FINISHED = (BuildState.SUCCEEDED, BuildState.FAILED, BuildState.CANCELLED, BuildState.TIMED_OUT)
BUILD_JOB = "build"


def start_build(
    *,
    uow: UnitOfWork,
    clock: Clock,
    logs: LogStore,
    principal: Principal,
    workspace: str,
    app: str,
    ref: str | None = None,
    trigger: str = "cli",
    commit_sha: str | None = None,
) -> BuildPublic:
    if ref is not None:
        validate.branch(ref)
    with uow:
        session = uow.session
        ws, found = app_for(session, principal, workspace, app, Role.MEMBER)
        env = environment_of(session, found)
        now = clock.now()
        for older in session.exec(select(Build).where(Build.app_id == found.id, Build.state == BuildState.QUEUED)):
            _transition(
                session,
                clock,
                logs,
                ws,
                found,
                older,
                BuildState.CANCELLED,
                principal,
                reason="superseded",
                message="superseded by a newer build",
            )
            if older.job_id and (job := session.get(Job, older.job_id)) and job.state == JobState.QUEUED:
                finish(session, clock, job, JobState.CANCELLED, "superseded")
        build = Build(
            app_id=found.id,
            environment_id=env.id,
            ref=commit_sha or ref or found.branch,
            trigger=trigger,
            commit_sha=commit_sha,
            log_stream_id=uuid.uuid4().hex,
            created_by=principal.name,
            created_at=now,
            state_changed_at=now,
        )
        session.add(build)
        session.flush()
        job = enqueue(session, clock, kind=BUILD_JOB, payload={"build_id": str(build.id)}, workspace_id=ws.id)
        build.job_id = job.id
        record_event(
            session,
            clock,
            type="build.state_changed",
            category="build",
            resource_kind="build",
            resource_id=build.id,
            resource_name=f"{app} build",
            workspace_id=ws.id,
            new_state="queued",
            message=f"{app}: build of {build.ref} queued ({trigger})",
            principal=principal,
            data={"app": app, "build_id": str(build.id)},
        )
        record_audit(
            session,
            clock,
            principal,
            action="build.start",
            resource_kind="app",
            workspace_id=ws.id,
            resource_id=found.id,
            resource_name=app,
            data={"build_id": str(build.id), "ref": build.ref},
        )
        uow.commit()
        return build_public(session, build, found)


def cancel_build(
    *, uow: UnitOfWork, clock: Clock, logs: LogStore, principal: Principal, build_id: uuid.UUID
) -> BuildPublic:
    with uow:
        session = uow.session
        build, app, ws = _visible_build(session, principal, build_id)
        require(principal, ws.id, Role.MEMBER)
        if build.state in FINISHED:
            raise Conflict(f"the build already ended ({build.state})", field="build")
        if build.state == BuildState.QUEUED:
            _transition(
                session,
                clock,
                logs,
                ws,
                app,
                build,
                BuildState.CANCELLED,
                principal,
                reason="cancelled",
                message=f"cancelled by {principal.name}",
            )
            if build.job_id and (job := session.get(Job, build.job_id)):
                finish(session, clock, job, JobState.CANCELLED, "cancelled")
        else:
            build.cancel_requested_at = clock.now()
            _log(logs, ws, app, build, f"cancel requested by {principal.name}", clock)
        uow.commit()
        return build_public(session, build, app)


def list_builds(
    *, uow: UnitOfWork, principal: Principal, workspace: str, app: str, limit: int = 50
) -> list[BuildPublic]:
    with uow:
        _ws, found = app_for(uow.session, principal, workspace, app, Role.VIEWER)
        rows = uow.session.exec(
            select(Build).where(Build.app_id == found.id).order_by(col(Build.created_at).desc()).limit(limit)
        ).all()
        return [build_public(uow.session, b, found) for b in rows]


def get_build(*, uow: UnitOfWork, principal: Principal, build_id: uuid.UUID) -> BuildPublic:
    with uow:
        build, app, _ws = _visible_build(uow.session, principal, build_id)
        return build_public(uow.session, build, app)


def build_logs(
    *,
    uow: UnitOfWork,
    logs: LogStore,
    principal: Principal,
    build_id: uuid.UUID,
    after: int | None = None,
    limit: int = 1000,
) -> tuple[BuildPublic, list[StoredLogLine]]:
    with uow:
        build, app, ws = _visible_build(uow.session, principal, build_id)
        public = build_public(uow.session, build, app)
        query = LogQuery(workspace=ws.name, build_id=build.id, after=after if after is not None else 0, limit=limit)
    return public, logs.query(query)


def build_public(session: Session, build: Build, app: App) -> BuildPublic:
    release = session.exec(select(Release).where(Release.build_id == build.id).order_by(col(Release.number))).first()
    end = build.finished_at
    duration = (end - build.started_at).total_seconds() if end and build.started_at else None
    return BuildPublic(
        id=build.id,
        app=app.name,
        state=build.state,
        trigger=build.trigger,
        ref=build.ref,
        commit_sha=build.commit_sha,
        plan=build.plan,
        artifact_digest=build.artifact_digest,
        release=release.name if release else None,
        error=build.error,
        created_by=build.created_by,
        created_at=build.created_at,
        started_at=build.started_at,
        finished_at=build.finished_at,
        duration_s=duration,
    )


def _visible_build(session: Session, principal: Principal, build_id: uuid.UUID) -> tuple[Build, App, Workspace]:
    row = session.exec(
        select(Build, App, Workspace)
        .join(App, col(App.id) == Build.app_id)
        .join(Workspace, col(Workspace.id) == App.workspace_id)
        .where(Build.id == build_id)
    ).first()
    if row is None or principal.role_in(row[2].id) is None:
        raise NotFound("build not found", field="build")
    return row


def _transition(
    session: Session,
    clock: Clock,
    logs: LogStore,
    ws: Workspace,
    app: App,
    build: Build,
    state: BuildState,
    principal: Principal | None,
    *,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    """Persist a state change with its time, as an event and a line in the build log."""
    previous, now = build.state, clock.now()
    build.state, build.state_changed_at = state, now
    if state == BuildState.CLONING and build.started_at is None:
        build.started_at = now
    if state in FINISHED:
        build.finished_at = now
        if state != BuildState.SUCCEEDED and message:
            build.error = message
    text = message or f"build is {state}"
    record_event(
        session,
        clock,
        type="build.state_changed",
        category="build",
        resource_kind="build",
        resource_id=build.id,
        resource_name=f"{app.name} build",
        workspace_id=ws.id,
        previous_state=previous,
        new_state=state,
        reason=reason,
        message=f"{app.name}: {text}",
        severity=Severity.ERROR if state in (BuildState.FAILED, BuildState.TIMED_OUT) else Severity.INFO,
        principal=principal,
        data={"app": app.name, "build_id": str(build.id)},
    )
    _log(logs, ws, app, build, f"--> {state}: {text}" if message else f"--> {state}", clock)


def _log(logs: LogStore, ws: Workspace, app: App, build: Build, text: str, clock: Clock) -> None:
    logs.append(
        [
            LogLine(
                ts=clock.now(),
                workspace=ws.name,
                app=app.name,
                stream="system",
                line=text,
                build_id=build.id,
                stage=str(build.state),
            )
        ]
    )


def transition(
    session: Session,
    clock: Clock,
    logs: LogStore,
    build: Build,
    state: BuildState,
    *,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    """For the worker: the same as a user-driven change, with the system as actor."""
    app = session.get(App, build.app_id)
    ws = session.get(Workspace, app.workspace_id)  # type: ignore[union-attr]
    _transition(session, clock, logs, ws, app, build, state, None, reason=reason, message=message)  # type: ignore[arg-type]
