"""First start and every start of embedded mode: the local admin, the ``default`` workspace it owns, the
shared ``local`` cluster (with a fresh Shuttle token for this run) and a one-time sign-in link."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from starbase.models import Member, Role, User, Workspace
from starbase.ports import Clock, UnitOfWork
from starbase.services.access import SYSTEM
from starbase.services.auth import create_login_link
from starbase.services.clusters import ensure_local_cluster
from starbase.services.events import record_audit

ADMIN_LOGIN = "admin"
DEFAULT_WORKSPACE = "default"


@dataclass(frozen=True)
class EmbeddedStart:
    login_secret: str
    cluster_token: str
    first_start: bool


def prepare_embedded(*, uow: UnitOfWork, clock: Clock) -> EmbeddedStart:
    with uow:
        session = uow.session
        admin = session.exec(select(User).where(User.login == ADMIN_LOGIN)).first()
        first = admin is None
        if admin is None:
            admin = User(login=ADMIN_LOGIN, name="Local admin", is_local_admin=True, created_at=clock.now())
            session.add(admin)
            session.flush()
        workspace = session.exec(select(Workspace).where(Workspace.name == DEFAULT_WORKSPACE)).first()
        if workspace is None:
            workspace = Workspace(name=DEFAULT_WORKSPACE, display_name="Default", created_at=clock.now())
            session.add(workspace)
            session.flush()
            session.add(Member(workspace_id=workspace.id, user_id=admin.id, role=Role.OWNER, created_at=clock.now()))
            record_audit(
                session,
                clock,
                SYSTEM,
                action="workspace.create",
                resource_kind="workspace",
                workspace_id=workspace.id,
                resource_id=workspace.id,
                resource_name=DEFAULT_WORKSPACE,
            )
        uow.commit()
    cluster_token = ensure_local_cluster(uow=uow, clock=clock)
    return EmbeddedStart(
        login_secret=create_login_link(uow=uow, clock=clock, login=ADMIN_LOGIN),
        cluster_token=cluster_token,
        first_start=first,
    )
