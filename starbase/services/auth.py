"""Authentication: bearer tokens (API and cluster), browser sessions, one-time sign-in links, and users
from an identity provider. Every secret is compared by its SHA-256 hash; nothing stores a token."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from starbase.crypto import hash_token, new_token
from starbase.errors import Unauthenticated
from starbase.models import ApiToken, Cluster, LoginLink, Member, Role, User, UserSession, Workspace
from starbase.ports import Clock, IdentityProfile, UnitOfWork
from starbase.services.access import Principal, weaker
from starbase.services.dto import Me, WorkspacePublic

SESSION_TTL = timedelta(days=14)
LOGIN_LINK_TTL = timedelta(minutes=30)
TOKEN_TOUCH_EVERY = timedelta(minutes=1)
INVALID = "invalid or revoked credentials"


def authenticate(*, uow: UnitOfWork, clock: Clock, bearer: str | None, session_token: str | None) -> Principal:
    """The principal behind a bearer token or session cookie; ``Unauthenticated`` otherwise."""
    with uow:
        if bearer:
            if bearer.startswith("sf_cluster_"):
                principal = _cluster_principal(uow.session, bearer)
            else:
                principal = _token_principal(uow.session, clock, bearer)
        elif session_token:
            principal = _session_principal(uow.session, clock, session_token)
        else:
            raise Unauthenticated("sign in, or send 'Authorization: Bearer <token>'")
        uow.commit()
        return principal


def _cluster_principal(session: Session, bearer: str) -> Principal:
    cluster = session.exec(select(Cluster).where(Cluster.token_hash == hash_token(bearer))).first()
    if cluster is None:
        raise Unauthenticated(INVALID)
    return Principal(kind="cluster", name=f"cluster:{cluster.name}", cluster_id=cluster.id)


def _token_principal(session: Session, clock: Clock, bearer: str) -> Principal:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(bearer))).first()
    now = clock.now()
    if token is None or token.revoked_at is not None or token.user_id is None:
        raise Unauthenticated(INVALID)
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("token expired")
    member = session.exec(
        select(Member).where(Member.workspace_id == token.workspace_id, Member.user_id == token.user_id)
    ).first()
    user = session.get(User, token.user_id)
    if member is None or user is None:
        raise Unauthenticated("the token's user is no longer a member of its workspace")
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_EVERY:
        token.last_used_at = now
    role = weaker(Role(token.role), Role(member.role))
    return Principal(
        kind="token",
        name=f"{user.login} (token {token.name})",
        user_id=user.id,
        roles={token.workspace_id: role},
        token_id=token.id,
    )


def _session_principal(session: Session, clock: Clock, secret: str) -> Principal:
    row = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(secret))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        raise Unauthenticated("your session has ended: sign in again")
    user = session.get(User, row.user_id)
    if user is None:
        raise Unauthenticated(INVALID)
    return user_principal(session, user)


def user_principal(session: Session, user: User) -> Principal:
    members = session.exec(select(Member).where(Member.user_id == user.id)).all()
    return Principal(
        kind="user", name=user.login, user_id=user.id, roles={m.workspace_id: Role(m.role) for m in members}
    )


def whoami(*, uow: UnitOfWork, principal: Principal) -> Me:
    with uow:
        workspaces = [
            WorkspacePublic(
                id=w.id, name=w.name, display_name=w.display_name, role=principal.role_in(w.id), created_at=w.created_at
            )
            for w in uow.session.exec(select(Workspace).order_by(Workspace.name)).all()
            if principal.role_in(w.id) is not None and not principal.is_system
        ]
    default = workspaces[0].name if len(workspaces) == 1 or (principal.kind == "token" and workspaces) else None
    return Me(
        kind=principal.kind,
        name=principal.name,
        workspaces=workspaces,
        default_workspace=default,
        cluster_id=principal.cluster_id,
    )


# --- sign-in -----------------------------------------------------------------------------------------


def create_login_link(*, uow: UnitOfWork, clock: Clock, login: str) -> str:
    """A one-time sign-in secret for ``login`` (embedded mode prints it as ``/auth/local?token=…``)."""
    with uow:
        user = uow.session.exec(select(User).where(User.login == login)).first()
        if user is None:
            raise Unauthenticated(f"no user '{login}'")
        secret = new_token("login")
        now = clock.now()
        uow.session.add(
            LoginLink(user_id=user.id, token_hash=hash_token(secret), created_at=now, expires_at=now + LOGIN_LINK_TTL)
        )
        uow.commit()
        return secret


def redeem_login_link(*, uow: UnitOfWork, clock: Clock, secret: str) -> str:
    """Use a sign-in link once; returns a new session secret for the cookie."""
    with uow:
        link = uow.session.exec(select(LoginLink).where(LoginLink.token_hash == hash_token(secret))).first()
        now = clock.now()
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise Unauthenticated("this sign-in link is invalid, used or expired: run `starform up` for a new one")
        link.used_at = now
        session_secret = _new_session(uow.session, clock, link.user_id)
        uow.commit()
        return session_secret


def sign_in_identity(*, uow: UnitOfWork, clock: Clock, profile: IdentityProfile) -> str:
    """A user from an identity provider (GitHub): found by provider id, else by an invited login; created
    if new. Returns a new session secret."""
    with uow:
        session = uow.session
        user = None
        if profile.provider == "github":
            user = session.exec(select(User).where(User.github_id == int(profile.subject))).first()
        if user is None:
            user = session.exec(select(User).where(User.login == profile.login.lower())).first()
        if user is None:
            user = User(login=profile.login.lower(), created_at=clock.now())
            session.add(user)
        if profile.provider == "github":
            user.github_id = int(profile.subject)
        user.name = profile.name or user.name
        user.email = profile.email or user.email
        user.last_seen_at = clock.now()
        session.flush()
        secret = _new_session(session, clock, user.id)
        uow.commit()
        return secret


def end_session(*, uow: UnitOfWork, clock: Clock, secret: str) -> None:
    with uow:
        row = uow.session.exec(select(UserSession).where(UserSession.token_hash == hash_token(secret))).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = clock.now()
        uow.commit()


def _new_session(session: Session, clock: Clock, user_id: object) -> str:
    secret = new_token("session")
    now = clock.now()
    session.add(
        UserSession(user_id=user_id, token_hash=hash_token(secret), created_at=now, expires_at=now + SESSION_TTL)
    )
    return secret
