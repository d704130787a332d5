"""``starform login|workspaces|vargroups|clusters|events|admin``: everything around apps."""

from __future__ import annotations

from typing import Annotated

import typer

from starbase.cli.apps import g, parse_pairs
from starbase.cli.client import Api, Globals, save_login
from starbase.cli.output import emit, note
from starbase.errors import Invalid

workspaces = typer.Typer(help="Workspaces you belong to.", no_args_is_help=True)
vargroups = typer.Typer(help="Var Groups: variables shared by many apps.", no_args_is_help=True)
clusters = typer.Typer(help="Clusters where apps run.", no_args_is_help=True)
events = typer.Typer(help="What happened.", no_args_is_help=True)
admin = typer.Typer(help="Server-side administration (runs against the database).", no_args_is_help=True)
admin_token = typer.Typer(help="API tokens.", no_args_is_help=True)
GROUP_COLUMNS = ("name", "vars", "apps", "description")
CLUSTER_COLUMNS = ("name", "region", "kind", "lease_state", "cordoned", "shared", "workloads", "last_heartbeat_at")


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.add_typer(workspaces, name="workspaces")
    app.add_typer(vargroups, name="vargroups")
    app.add_typer(clusters, name="clusters")
    app.add_typer(events, name="events")
    admin.add_typer(admin_token, name="token")
    app.add_typer(admin, name="admin")


def login(ctx: typer.Context) -> None:
    """Check --url and --token against the API and save them (and your workspace) for later commands."""
    globals_: Globals = g(ctx)
    me = Api(globals_).get("/me")
    path = save_login(
        {
            "url": globals_.url or "",
            "token": globals_.token or "",
            "workspace": globals_.workspace or me.get("default_workspace") or "",
        }
    )
    note(f"signed in as [bold]{me['name']}[/]; saved to {path}")
    emit(me, globals_.output, ("name", "kind", "default_workspace"))


@workspaces.command("list")
def workspaces_list(ctx: typer.Context) -> None:
    emit(Api(g(ctx)).get("/workspaces"), g(ctx).output, ("name", "role", "display_name", "created_at"))


@workspaces.command("create")
def workspaces_create(ctx: typer.Context, name: str) -> None:
    created = Api(g(ctx)).post("/workspaces", {"name": name})
    note(f"created workspace [bold]{name}[/]")
    emit(created, g(ctx).output, ("name", "role", "created_at"))


@vargroups.command("list")
def vargroups_list(ctx: typer.Context) -> None:
    api = Api(g(ctx))
    emit(api.get(api.ws("/vargroups")), g(ctx).output, GROUP_COLUMNS)


@vargroups.command("create")
def vargroups_create(ctx: typer.Context, group: str) -> None:
    api = Api(g(ctx))
    emit(api.post(api.ws("/vargroups"), {"name": group}), g(ctx).output, GROUP_COLUMNS)


def _group_changed(ctx: typer.Context, changed: dict) -> None:  # type: ignore[type-arg]
    for release in changed["releases"]:
        note(f"{release['app']} {release['version']}: {release['description']}")
    emit(changed, g(ctx).output, ()) if g(ctx).output == "json" else emit(
        changed["group"], g(ctx).output, GROUP_COLUMNS
    )


@vargroups.command("set")
def vargroups_set(ctx: typer.Context, group: str, pairs: Annotated[list[str], typer.Argument()]) -> None:
    api = Api(g(ctx))
    _group_changed(ctx, api.patch(api.ws(f"/vargroups/{group}/vars"), {"set": parse_pairs(pairs)}))


@vargroups.command("unset")
def vargroups_unset(ctx: typer.Context, group: str, keys: Annotated[list[str], typer.Argument()]) -> None:
    api = Api(g(ctx))
    _group_changed(ctx, api.patch(api.ws(f"/vargroups/{group}/vars"), {"unset": keys}))


@vargroups.command("attach")
def vargroups_attach(ctx: typer.Context, group: str, app: str) -> None:
    api = Api(g(ctx))
    _group_changed(ctx, api.put(api.ws(f"/vargroups/{group}/apps/{app}")))


@vargroups.command("detach")
def vargroups_detach(ctx: typer.Context, group: str, app: str) -> None:
    api = Api(g(ctx))
    _group_changed(ctx, api.delete(api.ws(f"/vargroups/{group}/apps/{app}")))


@clusters.command("register")
def clusters_register(
    ctx: typer.Context,
    name: str,
    region: Annotated[str, typer.Option("--region")],
    kind: Annotated[str, typer.Option("--kind", help="local or kubernetes")] = "kubernetes",
) -> None:
    """Register a cluster for this workspace; prints its Shuttle token once."""
    api = Api(g(ctx))
    registered = api.post(api.ws("/clusters"), {"name": name, "region": region, "kind": kind})
    note(f"registered cluster [bold]{name}[/]; its Shuttle token is shown only now:")
    emit(registered, g(ctx).output, ("id", "name", "region", "kind", "token"))


@clusters.command("list")
def clusters_list(ctx: typer.Context) -> None:
    emit(Api(g(ctx)).get("/clusters"), g(ctx).output, CLUSTER_COLUMNS)


@clusters.command("cordon")
def clusters_cordon(ctx: typer.Context, name: str) -> None:
    emit(Api(g(ctx)).post(f"/clusters/{name}/cordon"), g(ctx).output, CLUSTER_COLUMNS)


@clusters.command("uncordon")
def clusters_uncordon(ctx: typer.Context, name: str) -> None:
    emit(Api(g(ctx)).post(f"/clusters/{name}/uncordon"), g(ctx).output, CLUSTER_COLUMNS)


@events.command("list")
def events_list(
    ctx: typer.Context,
    app: Annotated[str | None, typer.Option("--app")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    api = Api(g(ctx))
    emit(
        api.get(api.ws("/events"), app=app, limit=limit),
        g(ctx).output,
        ("created_at", "severity", "type", "resource_name", "new_state", "message"),
    )


@admin_token.command("create")
def admin_token_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option("--role", help="owner, admin, member or viewer")],
    name: Annotated[str, typer.Option("--name")] = "admin",
) -> None:
    """Create a workspace (--workspace, created if missing) and an API token in it, straight in the database."""
    from starbase.bootstrap import bootstrap
    from starbase.config import load_settings
    from starbase.services.workspaces import admin_create_token

    workspace = g(ctx).workspace
    if not workspace:
        raise Invalid("give --workspace W (it is created if missing)", field="workspace")
    sb = bootstrap(load_settings())
    try:
        made = admin_create_token(uow=sb.uow, clock=sb.clock, workspace=workspace, role=role, name=name)
    finally:
        sb.close()
    data = made.model_dump(mode="json")
    if g(ctx).output == "json":
        emit(data, "json", ())
    else:
        note(f"token for workspace [bold]{workspace}[/] with role [bold]{role}[/] (shown once):")
        print(made.token)
