"""The desired-state compiler: per cluster, the WorkloadSpec of every current release placed there, with
variables resolved. The compiled document is cached per (cluster, generation): any change that could
alter it grows the generation, so a cached document is never stale, also with several processes."""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from sqlmodel import col, select

from starbase.contracts import Artifact, DesiredState, HealthCheck, Resources, WorkloadSpec
from starbase.crypto import SecretBox, token_matches
from starbase.models import App, Cluster, Domain, Environment, Release, Workspace
from starbase.ports import ArtifactStore, UnitOfWork
from starbase.services.apps import app_url

CACHE_SIZE = 64


class CompiledState:
    __slots__ = ("body", "etag", "generation")

    def __init__(self, state: DesiredState) -> None:
        self.generation = state.generation
        self.body = state.model_dump_json().encode()
        self.etag = state.etag()


class DesiredStateCache:
    """A small LRU of compiled documents keyed by (cluster id, generation)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._items: OrderedDict[tuple[uuid.UUID, int], CompiledState] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple[uuid.UUID, int]) -> CompiledState | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[uuid.UUID, int], item: CompiledState) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def desired_state(
    *,
    uow: UnitOfWork,
    box: SecretBox,
    cluster_id: uuid.UUID,
    token: str | None,
    apps_domain: str,
    cache: DesiredStateCache,
) -> CompiledState | None:
    """The cluster's document if ``token`` is that cluster's own token, else None (the caller then tells a
    bad token (401) from another caller (404)). One query on the hot path: every Shuttle polls this."""
    if not token:
        return None
    with uow:
        cluster = uow.session.get(Cluster, cluster_id)
        if cluster is None or not token_matches(token, cluster.token_hash):
            return None
        key = (cluster.id, cluster.generation)
        cached = cache.get(key)
        if cached is not None:
            return cached
        compiled = CompiledState(compile_state(uow, box, cluster, apps_domain=apps_domain))
    cache.put(key, compiled)
    return compiled


def compile_state(uow: UnitOfWork, box: SecretBox, cluster: Cluster, *, apps_domain: str) -> DesiredState:
    rows = uow.session.exec(
        select(Environment, App, Workspace, Release)
        .join(App, col(App.id) == Environment.app_id)
        .join(Workspace, col(Workspace.id) == App.workspace_id)
        .join(Release, col(Release.id) == Environment.current_release_id)
        .where(Environment.cluster_id == cluster.id, Release.artifact_digest.is_not(None))  # type: ignore[union-attr]
        .order_by(Workspace.name, App.name, Environment.name)
    ).all()
    env_ids = [env.id for env, *_ in rows]
    domains: dict[uuid.UUID, list[str]] = {}
    if env_ids:
        for domain in uow.session.exec(select(Domain).where(col(Domain.environment_id).in_(env_ids))).all():
            domains.setdefault(domain.environment_id, []).append(domain.hostname)
    workloads = []
    for env, app, ws, release in rows:
        config = json.loads(release.reveal(box))
        default_host = app_url(app.name, ws.name, apps_domain=apps_domain).removeprefix("http://")
        workloads.append(
            WorkloadSpec(
                workspace=ws.name,
                app=app.name,
                environment=env.name,
                release=release.name,
                release_id=release.id,
                artifact=Artifact(
                    kind=release.artifact_kind,
                    ref=release.artifact_ref,  # type: ignore[arg-type]
                    digest=release.artifact_digest,
                ),  # type: ignore[arg-type]
                command=config.get("command", []),
                port=config.get("port", 8080),
                replicas=release.replicas,
                resources=Resources(cpu_millis=release.cpu_millis, memory_mb=release.memory_mb),
                health=HealthCheck(path=config.get("health_path", "/")),
                env=config.get("env", {}),
                hostnames=[default_host, *sorted(domains.get(env.id, []))],
                namespace=f"{ws.name}-{env.name}"[:63],
                static_dir=config.get("static_dir") if not config.get("command") else None,
            )
        )
    return DesiredState(cluster_id=cluster.id, generation=cluster.generation, workloads=workloads)


def artifact_for_cluster(
    *, uow: UnitOfWork, artifacts: ArtifactStore, cluster_id: uuid.UUID, token: str | None, digest: str
) -> Path | None:
    """The slug of a release placed on this cluster, for its own Shuttle only; None otherwise."""
    if not token:
        return None
    with uow:
        cluster = uow.session.get(Cluster, cluster_id)
        if cluster is None or not token_matches(token, cluster.token_hash):
            return None
        placed = uow.session.exec(
            select(Release.id)
            .join(Environment, col(Environment.id) == Release.environment_id)
            .where(Environment.cluster_id == cluster.id, Release.artifact_digest == digest)
        ).first()
    if placed is None or not artifacts.exists(digest):
        return None
    return artifacts.open(digest)
