"""The one composition root: settings in, a ready ``Starbase`` container out.

Adapters are chosen here from settings and nowhere else; nothing is constructed at import. Tests pass
overrides (an in-memory engine, a fake clock, in-memory adapters) instead of patching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from starbase.adapters.artifacts import FilesystemArtifactStore
from starbase.adapters.clock import SystemClock
from starbase.adapters.depot import DepotBuildService
from starbase.adapters.git_source import GitSource
from starbase.adapters.github import GitHubIdentity
from starbase.adapters.local_build import LocalBuildService
from starbase.adapters.sql_logs import SqlLogStore
from starbase.adapters.sql_metrics import SqlMetricsStore
from starbase.config import Settings, get_settings
from starbase.crypto import SecretBox, load_or_create_key
from starbase.db import make_engine
from starbase.errors import ConfigurationError
from starbase.ports import (
    ArtifactStore,
    BuildService,
    Clock,
    Identity,
    LogStore,
    MetricsStore,
    SourceFetcher,
    UnitOfWork,
)
from starbase.services.desired_state import DesiredStateCache
from starbase.uow import SqlUnitOfWork


@dataclass
class Starbase:
    """Everything a use case may need, built once per process."""

    settings: Settings
    engine: Engine
    uow: UnitOfWork
    clock: Clock
    secrets: SecretBox
    logs: LogStore
    metrics: MetricsStore
    artifacts: ArtifactStore
    source: SourceFetcher
    builder: BuildService
    work_root: Path
    identity: Identity | None = None
    desired_cache: DesiredStateCache = field(default_factory=DesiredStateCache)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    uow: UnitOfWork | None = None,
    clock: Clock | None = None,
    secrets: SecretBox | None = None,
    identity: Identity | None = None,
    logs: LogStore | None = None,
    builder: BuildService | None = None,
    source: SourceFetcher | None = None,
) -> Starbase:
    """Build the container. The data dir, the default SQLite file and (embedded mode without
    ``STARFORM_SECRET_KEY``) the secret key file are created here, when they are needed."""
    settings = settings or get_settings()
    if secrets is None:
        key = settings.secret_key.get_secret_value() if settings.secret_key else None
        secrets = SecretBox(key or load_or_create_key(settings.data_dir))
    if engine is None:
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
    artifacts = FilesystemArtifactStore(settings.data_dir / "artifacts")
    return Starbase(
        settings=settings,
        engine=engine,
        uow=uow or SqlUnitOfWork(engine),
        clock=clock or SystemClock(),
        secrets=secrets,
        logs=logs or SqlLogStore(engine),
        metrics=SqlMetricsStore(engine),
        artifacts=artifacts,
        source=source or GitSource(),
        builder=builder or _builder(settings, artifacts),
        work_root=settings.data_dir / "builds",
        identity=identity or _github(settings),
    )


def _builder(settings: Settings, artifacts: ArtifactStore) -> BuildService:
    if settings.builder == "depot":
        if not settings.depot_token or not settings.image_repository:
            raise ConfigurationError(
                "the depot builder needs a Depot token and STARFORM_IMAGE_REPOSITORY", setting="STARFORM_DEPOT_TOKEN"
            )
        return DepotBuildService(
            token=settings.depot_token.get_secret_value(),
            api_url=settings.depot_api_url,
            cli=settings.depot_cli,
            image_repository=settings.image_repository,
        )
    return LocalBuildService(
        work_root=settings.data_dir / "builds", cache_root=settings.data_dir / "cache", artifacts=artifacts
    )


def _github(settings: Settings) -> Identity | None:
    if not settings.github_enabled:
        return None
    return GitHubIdentity(
        client_id=settings.github_client_id or "",
        client_secret=settings.github_client_secret.get_secret_value() if settings.github_client_secret else "",
        oauth_url=settings.github_oauth_url,
        api_url=settings.github_api_url,
    )
