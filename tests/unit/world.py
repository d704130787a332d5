"""A small world for API tests: workspace ``acme`` with one user per role (each with a token), an app
``web`` with a variable and an attached Var Group, a shared cluster, and a second workspace ``other``."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from starbase.bootstrap import Starbase
from starbase.contracts import Artifact
from starbase.http import create_app
from starbase.services import clusters, releases, workspaces
from starbase.services.access import SYSTEM
from starbase.services.dto import ClusterRegister

ROLES = ("owner", "admin", "member", "viewer")
SECRET = "s3cr3t-value-never-shown"
GROUP_SECRET = "gr0up-secret-never-shown"
DIGEST = "sha256:" + "a" * 64


def artifact(n: int = 1) -> Artifact:
    return Artifact(kind="slug", ref=f"slugs/web-{n}.tar.gz", digest="sha256:" + f"{n:x}".rjust(64, "0"))


@dataclass
class World:
    sb: Starbase
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    cluster_id: str = ""
    cluster_token: str = ""

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who: str, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.request(method, path, headers=self.as_(who), **kwargs)  # type: ignore[arg-type]

    def deploy(self, n: int = 1, app: str = "web") -> dict:  # type: ignore[type-arg]
        return releases.release_artifact(
            uow=self.sb.uow,
            box=self.sb.secrets,
            clock=self.sb.clock,
            principal=SYSTEM,
            workspace="acme",
            app=app,
            artifact=artifact(n),
            description=f"Deploy build {n}",
        ).model_dump(mode="json")


def build_world(sb: Starbase, *, with_app: bool = True) -> World:
    app = create_app(sb)
    world = World(sb=sb, app=app, client=TestClient(app, raise_server_exceptions=True))
    registered = clusters.register_cluster(
        uow=sb.uow,
        clock=sb.clock,
        principal=SYSTEM,
        workspace=None,
        body=ClusterRegister(name="shared-1", region="eu", kind="kubernetes"),
    )
    world.cluster_id, world.cluster_token = str(registered.id), registered.token
    for role in ROLES:
        made = workspaces.admin_create_token(
            uow=sb.uow, clock=sb.clock, workspace="acme", role=role, name=f"{role}-token", login=f"{role}-user"
        )
        world.tokens[role] = made.token
    world.tokens["outsider"] = workspaces.admin_create_token(
        uow=sb.uow, clock=sb.clock, workspace="other", role="owner", name="other", login="outsider"
    ).token
    world.tokens["cluster"] = registered.token
    if with_app:
        owner = world.as_("owner")
        assert (
            world.client.post(
                "/api/v1/workspaces/acme/apps",
                headers=owner,
                json={"name": "web", "repo_url": "https://git.example/web.git"},
            ).status_code
            == 201
        )
        world.client.patch("/api/v1/workspaces/acme/apps/web/env", headers=owner, json={"set": {"API_KEY": SECRET}})
        world.client.post("/api/v1/workspaces/acme/vargroups", headers=owner, json={"name": "shared"})
        world.client.patch(
            "/api/v1/workspaces/acme/vargroups/shared/vars", headers=owner, json={"set": {"GROUP_KEY": GROUP_SECRET}}
        )
        world.client.put("/api/v1/workspaces/acme/vargroups/shared/apps/web", headers=owner)
    return world
