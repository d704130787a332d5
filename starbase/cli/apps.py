"""``starform apps|env|releases|rollback|scale|status``: the app commands, as clients of the API."""

from __future__ import annotations

from typing import Annotated

import typer

from starbase.cli.client import Api, Globals
from starbase.cli.output import emit, note
from starbase.errors import Invalid

APP_COLUMNS = ("name", "status", "release", "replicas", "url")
RELEASE_COLUMNS = ("version", "description", "current", "healthy", "created_by", "created_at")

apps = typer.Typer(help="Apps: create, list, show, delete.", no_args_is_help=True)
env = typer.Typer(help="An app's variables; every change makes a new release.", no_args_is_help=True)
releases = typer.Typer(help="An app's releases.", no_args_is_help=True)
Name = Annotated[str, typer.Argument(help="the app's name")]


def g(ctx: typer.Context) -> Globals:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def register(app: typer.Typer) -> None:
    app.add_typer(apps, name="apps")
    app.add_typer(env, name="env")
    app.add_typer(releases, name="releases")
    app.command("rollback")(rollback)
    app.command("scale")(scale)
    app.command("status")(status)
    app.command("logs")(logs)


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise Invalid(f"{pair!r} is not KEY=VALUE", field="vars")
        out[key] = value
    return out


@apps.command("create")
def apps_create(
    ctx: typer.Context,
    name: Name,
    repo: Annotated[str, typer.Option("--repo", help="Git URL of the repository")],
    branch: Annotated[str, typer.Option(help="branch to deploy")] = "main",
) -> None:
    api = Api(g(ctx))
    created = api.post(api.ws("/apps"), {"name": name, "repo_url": repo, "branch": branch})
    note(f"created app [bold]{name}[/]: {created['url']}  (next: starform deploy {name})")
    emit(created, g(ctx).output, APP_COLUMNS)


@apps.command("list")
def apps_list(ctx: typer.Context) -> None:
    api = Api(g(ctx))
    emit(api.get(api.ws("/apps")), g(ctx).output, APP_COLUMNS)


@apps.command("show")
def apps_show(ctx: typer.Context, name: Name) -> None:
    api = Api(g(ctx))
    emit(
        api.get(api.ws(f"/apps/{name}")),
        g(ctx).output,
        (
            "name",
            "workspace",
            "status",
            "release",
            "replicas",
            "ready_replicas",
            "cluster",
            "url",
            "repo_url",
            "branch",
        ),
    )


@apps.command("delete")
def apps_delete(
    ctx: typer.Context,
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
) -> None:
    if not yes and not typer.confirm(f"Delete app '{name}' and stop it everywhere?"):
        raise typer.Exit(1)
    api = Api(g(ctx))
    api.delete(api.ws(f"/apps/{name}"))
    note(f"deleted app [bold]{name}[/]")
    if g(ctx).output == "json":
        emit({"name": name, "deleted": True}, "json", ())


@env.command("list")
def env_list(
    ctx: typer.Context,
    name: Name,
    reveal: Annotated[bool, typer.Option("--reveal", help="show values (admins only)")] = False,
) -> None:
    api = Api(g(ctx))
    emit(
        api.get(api.ws(f"/apps/{name}/env"), reveal=str(reveal).lower() if reveal else None),
        g(ctx).output,
        ("name", "value", "source", "overridden"),
    )


@env.command("set")
def env_set(ctx: typer.Context, name: Name, pairs: Annotated[list[str], typer.Argument(help="KEY=VALUE ...")]) -> None:
    api = Api(g(ctx))
    release = api.patch(api.ws(f"/apps/{name}/env"), {"set": parse_pairs(pairs)})
    note(f"{name} {release['version']}: {release['description']}")
    emit(release, g(ctx).output, RELEASE_COLUMNS)


@env.command("unset")
def env_unset(ctx: typer.Context, name: Name, keys: Annotated[list[str], typer.Argument(help="KEY ...")]) -> None:
    api = Api(g(ctx))
    release = api.patch(api.ws(f"/apps/{name}/env"), {"unset": keys})
    note(f"{name} {release['version']}: {release['description']}")
    emit(release, g(ctx).output, RELEASE_COLUMNS)


@releases.command("list")
def releases_list(ctx: typer.Context, name: Name) -> None:
    api = Api(g(ctx))
    emit(api.get(api.ws(f"/apps/{name}/releases")), g(ctx).output, RELEASE_COLUMNS)


def rollback(
    ctx: typer.Context,
    name: Name,
    to: Annotated[
        str | None, typer.Option("--to", help="release to return to, e.g. v3 (default: the previous)")
    ] = None,
) -> None:
    """Make a new release from an earlier one (no rebuild)."""
    api = Api(g(ctx))
    release = api.post(api.ws(f"/apps/{name}/rollback"), {"to": to})
    note(f"{name} {release['version']}: {release['description']}")
    emit(release, g(ctx).output, RELEASE_COLUMNS)


def scale(
    ctx: typer.Context,
    name: Name,
    replicas: Annotated[int | None, typer.Option("--replicas", help="how many processes")] = None,
    cpu: Annotated[int | None, typer.Option("--cpu-millis", help="CPU per replica (1000 = one core)")] = None,
    memory: Annotated[int | None, typer.Option("--memory-mb", help="memory per replica")] = None,
) -> None:
    """Change replicas or resources (a new release)."""
    api = Api(g(ctx))
    release = api.post(api.ws(f"/apps/{name}/scale"), {"replicas": replicas, "cpu_millis": cpu, "memory_mb": memory})
    note(f"{name} {release['version']}: {release['description']}")
    emit(release, g(ctx).output, RELEASE_COLUMNS)


def status(ctx: typer.Context, name: Name) -> None:
    """What Shuttle last observed of the app."""
    api = Api(g(ctx))
    emit(
        api.get(api.ws(f"/apps/{name}/status")),
        g(ctx).output,
        (
            "app",
            "status",
            "release",
            "observed_release",
            "ready_replicas",
            "desired_replicas",
            "restarts",
            "last_exit_reason",
            "cluster",
            "observed_at",
        ),
    )


def logs(
    ctx: typer.Context,
    name: Name,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep printing new lines")] = False,
    since: Annotated[str | None, typer.Option("--since", help="e.g. 10m, 2h, or an ISO time")] = None,
    search: Annotated[str | None, typer.Option("--search", help="only lines containing TEXT")] = None,
    interval: Annotated[float, typer.Option("--interval", help="seconds between polls with --follow")] = 1.0,
) -> None:
    """An app's output (and its builds'), oldest first; --follow tails it until Ctrl-C."""
    import time

    api = Api(g(ctx))
    path = api.ws(f"/apps/{name}/logs")
    lines = api.get(path, since=since or (None if follow else "1h"), search=search)
    show = _line_printer(g(ctx).output, streaming=follow)
    for line in lines:
        show(line)
    cursor = lines[-1]["cursor"] if lines else None
    if not follow:
        if g(ctx).output == "json":
            emit(lines, "json", ())
        return
    if cursor is None:
        cursor = 0
    try:
        while True:
            time.sleep(interval)
            for line in api.get(path, after=cursor, search=search, limit=1000):
                show(line)
                cursor = line["cursor"]
    except KeyboardInterrupt:
        return


def _line_printer(output: str, *, streaming: bool):  # type: ignore[no-untyped-def]
    import json

    def show(line: dict) -> None:  # type: ignore[type-arg]
        if output == "json":
            if streaming:  # one JSON document per line while following
                print(json.dumps(line), flush=True)
            return
        stamp = line["ts"][:19].replace("T", " ")
        where = line.get("replica") or line.get("stage") or line["stream"]
        print(f"{stamp} [{where}] {line['line']}", flush=True)

    return show
