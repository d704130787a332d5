"""What users deploy: apps, their environments, variables and Var Groups (values sealed at rest),
domains and add-ons (credentials sealed at rest)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from starbase.models.base import Sealed, enum_field, id_field, ts_field


class App(SQLModel, table=True):
    """A repository Starform builds and runs. ``name`` is a DNS label, unique per workspace."""

    __tablename__ = "apps"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=40)
    repo_url: str = Field(max_length=2048)
    branch: str = Field(default="main", max_length=255)
    root_dir: str = Field(default="", max_length=512)
    build_command: str | None = Field(default=None, max_length=1024)
    start_command: str | None = Field(default=None, max_length=1024)
    health_path: str = Field(default="/", max_length=512)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class Environment(SQLModel, table=True):
    """``production`` by default; previews later. Points at its current release and its cluster."""

    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("app_id", "name"),)

    id: uuid.UUID = id_field()
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    name: str = Field(default="production", max_length=40)
    cluster_id: uuid.UUID | None = Field(default=None, foreign_key="clusters.id", ondelete="SET NULL", index=True)
    # No foreign key on purpose: releases point at their environment, and a cycle of keys would need
    # ALTER TABLE on SQLite. Releases are immutable and leave only with their environment.
    current_release_id: uuid.UUID | None = Field(default=None, index=True)
    created_at: datetime = ts_field()


class VarGroup(SQLModel, table=True):
    """A named set of variables shared by the apps it is attached to."""

    __tablename__ = "var_groups"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=64)
    description: str | None = Field(default=None, max_length=512)
    created_at: datetime = ts_field()


class Variable(Sealed, SQLModel, table=True):
    """A Var Group's variable; the value is sealed at rest."""

    __tablename__ = "variables"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: uuid.UUID = id_field()
    group_id: uuid.UUID = Field(foreign_key="var_groups.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=128)
    value_sealed: bytes = Field(sa_type=LargeBinary)
    updated_at: datetime = ts_field()


class AppVariable(Sealed, SQLModel, table=True):
    """An app's own variable; overrides a group's variable of the same name."""

    __tablename__ = "app_variables"
    __table_args__ = (UniqueConstraint("app_id", "name"),)

    id: uuid.UUID = id_field()
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=128)
    value_sealed: bytes = Field(sa_type=LargeBinary)
    updated_at: datetime = ts_field()


class VarGroupAttachment(SQLModel, table=True):
    """A Var Group attached to an app; a higher ``position`` wins between groups."""

    __tablename__ = "var_group_attachments"
    __table_args__ = (UniqueConstraint("group_id", "app_id"),)

    id: uuid.UUID = id_field()
    group_id: uuid.UUID = Field(foreign_key="var_groups.id", ondelete="CASCADE", index=True)
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    position: int = 0
    created_at: datetime = ts_field()


class Domain(SQLModel, table=True):
    """A custom hostname routed to an app environment."""

    __tablename__ = "domains"

    id: uuid.UUID = id_field()
    environment_id: uuid.UUID = Field(foreign_key="environments.id", ondelete="CASCADE", index=True)
    hostname: str = Field(max_length=253, unique=True)
    verified_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field()


class AddonKind(enum.StrEnum):
    DATABASE = "database"
    BUCKET = "bucket"


class AddonStatus(enum.StrEnum):
    PROVISIONING = "provisioning"
    READY = "ready"
    FAILED = "failed"
    DELETING = "deleting"


class Addon(Sealed, SQLModel, table=True):
    """A database or bucket attached to an app; its credentials (JSON) are sealed at rest."""

    __tablename__ = "addons"
    __table_args__ = (UniqueConstraint("app_id", "name"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    app_id: uuid.UUID = Field(foreign_key="apps.id", ondelete="CASCADE", index=True)
    kind: AddonKind = enum_field(AddonKind)
    name: str = Field(max_length=40)
    plan: str = Field(default="dev", max_length=40)
    status: AddonStatus = enum_field(AddonStatus, AddonStatus.PROVISIONING)
    value_sealed: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = ts_field()
