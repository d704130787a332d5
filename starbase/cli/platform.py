"""Commands that run Starform itself: ``up`` (embedded mode), ``api`` (Starbase alone), ``db upgrade``.

Heavy modules (SQLAlchemy, Alembic, uvicorn) are imported inside the commands that use them, so the
rest of the CLI starts fast.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from starbase.config import Settings, load_settings
from starbase.logsetup import configure_logging

log = logging.getLogger(__name__)
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="The database schema.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    app.add_typer(db, name="db")
    app.command("up")(up)
    app.command("api")(api)


def db_upgrade() -> None:
    """Migrate the configured database to the newest schema (alembic upgrade head)."""
    settings = load_settings()
    _upgrade(settings)


def _upgrade(settings: Settings) -> str | None:
    from starbase.adapters import migrations
    from starbase.bootstrap import bootstrap

    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    migrations.upgrade(url)
    starbase = bootstrap(settings)
    try:
        revision = migrations.current_revision(starbase.engine)
    finally:
        starbase.close()
    err.print(f"database is at schema revision [bold]{revision}[/bold]")
    return revision


def up(
    data_dir: Annotated[Path, typer.Option(help="Where embedded mode keeps its data.")] = Path(".starform"),
    port: Annotated[int, typer.Option(help="Port of Stardeck and the API.")] = 3000,
    apps_port: Annotated[int, typer.Option(help="Port where apps answer (Caddy).")] = 8080,
) -> None:
    """Run the whole platform on this machine (embedded mode). Ctrl-C stops everything."""
    from starbase.bootstrap import bootstrap
    from starbase.cli import stardeck_process
    from starbase.jobs import start_scheduler
    from starbase.services.embedded import DEFAULT_WORKSPACE, prepare_embedded

    data_dir = data_dir.resolve()
    settings = load_settings(
        mode="embedded", data_dir=data_dir, apps_port=apps_port, public_url=f"http://localhost:{port}"
    )
    configure_logging(settings.log_level)
    _upgrade(settings)
    sb = bootstrap(settings)
    start = prepare_embedded(uow=sb.uow, clock=sb.clock)
    scheduler = start_scheduler(sb)
    err.print(f"Sign in: [bold]http://localhost:{port}/auth/local?token={start.login_secret}[/]  (one use, 30 min)")
    err.print(f"Apps answer at http://<app>-{DEFAULT_WORKSPACE}.{settings.apps_domain}:{apps_port}")
    try:
        stardeck_process.run(
            settings=settings,
            port=port,
            console=err,
            then=lambda: stardeck_process.start_shuttle(settings=settings, port=port, token=start.cluster_token),
        )
    finally:
        scheduler.shutdown(wait=False)
        sb.close()


def api(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_jobs: Annotated[bool, typer.Option("--no-jobs", help="Do not run the job scheduler here.")] = False,
) -> None:
    """Serve the Starbase HTTP API alone (no dashboard)."""
    import uvicorn

    from starbase.bootstrap import bootstrap
    from starbase.http import create_app
    from starbase.jobs import start_scheduler

    settings = load_settings()
    configure_logging(settings.log_level)
    starbase = bootstrap(settings)
    log.info("starbase api starting", extra={"host": host, "port": port, "mode": settings.mode, "jobs": not no_jobs})
    scheduler = None if no_jobs else start_scheduler(starbase)
    try:
        uvicorn.run(create_app(starbase), host=host, port=port, log_config=None, access_log=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        starbase.close()
