"""Who may do what: users, workspaces, memberships with roles, and API tokens (stored hashed)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from starbase.models.base import enum_field, id_field, ts_field


class Role(enum.StrEnum):
    """Workspace roles, strongest first; ``cluster`` is held only by a Shuttle token."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"
    CLUSTER = "cluster"


class User(SQLModel, table=True):
    """A person: a GitHub identity, or the local admin of embedded mode."""

    __tablename__ = "users"

    id: uuid.UUID = id_field()
    login: str = Field(max_length=64, unique=True)
    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    github_id: int | None = Field(default=None, unique=True)
    is_local_admin: bool = False
    created_at: datetime = ts_field()
    last_seen_at: datetime | None = ts_field(nullable=True)


class Workspace(SQLModel, table=True):
    """The tenant: every app, group, token and bill belongs to exactly one workspace."""

    __tablename__ = "workspaces"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=40, unique=True)
    display_name: str | None = Field(default=None, max_length=255)
    stripe_customer_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = ts_field()


class Member(SQLModel, table=True):
    """A user's role in a workspace."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: Role = enum_field(Role)
    created_at: datetime = ts_field()


class ApiToken(SQLModel, table=True):
    """A bearer token for the API and CLI. Only ``token_hash`` (SHA-256) is kept; ``prefix`` helps people
    recognise a token in lists."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    name: str = Field(max_length=100)
    role: Role = enum_field(Role)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field()
    last_used_at: datetime | None = ts_field(nullable=True)
    expires_at: datetime | None = ts_field(nullable=True)
    revoked_at: datetime | None = ts_field(nullable=True)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the table its hash."""

    __tablename__ = "user_sessions"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field()
    expires_at: datetime = ts_field()
    revoked_at: datetime | None = ts_field(nullable=True)


class LoginLink(SQLModel, table=True):
    """A one-time sign-in link (embedded mode's ``/auth/local?token=…``); used once, then dead."""

    __tablename__ = "login_links"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field()
    expires_at: datetime = ts_field()
    used_at: datetime | None = ts_field(nullable=True)
