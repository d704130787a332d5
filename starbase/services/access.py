"""Who is calling, and may they: principals, roles and the tenant filter.

Every use case takes a ``Principal``. ``require`` answers 404 (not 403) for a workspace the caller is
not a member of, so another tenant's resources are indistinguishable from missing ones; it answers 403
when the caller is a member whose role is too weak.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from starbase.errors import Forbidden, Invalid, NotFound
from starbase.models import Role

RANK: dict[str, int] = {Role.VIEWER: 1, Role.MEMBER: 2, Role.ADMIN: 3, Role.OWNER: 4}
WORKSPACE_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER)


@dataclass(frozen=True)
class Principal:
    """The caller: a signed-in user, an API token (acting for its user, capped at its role, scoped to one
    workspace), a cluster's Shuttle, or the system itself (jobs, server-side bootstrap)."""

    kind: Literal["user", "token", "cluster", "system"]
    name: str
    user_id: uuid.UUID | None = None
    roles: Mapping[uuid.UUID, Role] = field(default_factory=dict)
    cluster_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    correlation_id: str | None = None

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def role_in(self, workspace_id: uuid.UUID) -> Role | None:
        if self.is_system:
            return Role.OWNER
        return self.roles.get(workspace_id)

    def with_correlation(self, correlation_id: str) -> Principal:
        return Principal(
            kind=self.kind,
            name=self.name,
            user_id=self.user_id,
            roles=self.roles,
            cluster_id=self.cluster_id,
            token_id=self.token_id,
            correlation_id=correlation_id,
        )


SYSTEM = Principal(kind="system", name="system")


def weaker(a: Role, b: Role) -> Role:
    return a if RANK[a] <= RANK[b] else b


def at_least(role: Role | None, minimum: Role) -> bool:
    return role is not None and RANK.get(role, 0) >= RANK[minimum]


def require(principal: Principal, workspace_id: uuid.UUID, minimum: Role, *, what: str = "workspace") -> Role:
    """The caller's role in the workspace, if it is at least ``minimum``; else 404 or 403."""
    role = principal.role_in(workspace_id)
    if role is None:
        raise NotFound(f"{what} not found")
    if not at_least(role, minimum):
        raise Forbidden(f"your role '{role}' may not do this; it needs '{minimum}' or higher")
    return role


def parse_role(value: str, *, field_name: str = "role") -> Role:
    if value not in WORKSPACE_ROLES:
        raise Invalid(f"must be one of {', '.join(WORKSPACE_ROLES)}; got {value!r}", field=field_name)
    return Role(value)
