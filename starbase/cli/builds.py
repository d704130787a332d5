"""``starform deploy`` and ``starform builds list|logs|cancel``: start a build and follow it, stage by stage,
with its log streaming live, until the app runs or the build fails."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from starbase.cli.apps import Name, g
from starbase.cli.client import Api
from starbase.cli.output import emit, note
from starbase.errors import StarbaseError

builds = typer.Typer(help="Builds of an app.", no_args_is_help=True)
BUILD_COLUMNS = ("id", "state", "ref", "commit_sha", "release", "duration_s", "created_at", "error")
FINISHED = ("succeeded", "failed", "cancelled", "timed_out")


class DeployFailed(StarbaseError):
    code = "deploy_failed"


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)
    app.add_typer(builds, name="builds")


def deploy(
    ctx: typer.Context,
    name: Name,
    ref: Annotated[str | None, typer.Option("--ref", help="branch, tag or commit (default: the app's branch)")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="stream the build log; return when running or failed")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds --wait waits for the app to run")] = 300,
) -> None:
    """Build the app's branch (or --ref), release it and deploy it."""
    api = Api(g(ctx))
    build = api.post(api.ws(f"/apps/{name}/builds"), {"ref": ref})
    note(f"build {build['id']} of {name} ({build['ref']}) queued")
    if not wait:
        emit(build, g(ctx).output, BUILD_COLUMNS)
        return
    build = follow(api, build["id"], show=g(ctx).output != "json")
    if build["state"] != "succeeded":
        if g(ctx).output == "json":
            emit(build, "json", ())
        raise DeployFailed(f"build {build['state']}: {build.get('error') or 'see the log above'}")
    status = _await_running(api, name, build["release"], timeout)
    result = {**build, "status": status["status"]}
    if g(ctx).output == "json":
        emit(result, "json", ())
    if status["status"] != "running":
        raise DeployFailed(
            f"{name} {build['release']} is {status['status']}: "
            f"{status.get('last_exit_reason') or 'see `starform logs ' + name + '`'}"
        )
    app = api.get(api.ws(f"/apps/{name}"))
    note(f"[bold green]{name} {build['release']} is running[/] at {app['url']}")


def follow(api: Api, build_id: str, *, show: bool, interval: float = 0.5) -> dict[str, Any]:
    """Print the build's log lines as they arrive; return the finished build."""
    cursor = 0
    while True:
        page = api.get(f"/builds/{build_id}/logs", after=cursor)
        for line in page["lines"]:
            cursor = line["cursor"]
            if show:
                prefix = "" if line["stream"] == "system" else "  "
                print(f"{prefix}{line['line']}", flush=True)
        if page["build"]["state"] in FINISHED and not page["lines"]:
            return page["build"]  # type: ignore[no-any-return]
        time.sleep(0 if page["lines"] else interval)


def _await_running(api: Api, name: str, release: str | None, timeout: float) -> dict[str, Any]:
    """Until Shuttle reports ``release`` running, Starbase rolls it back (the current release changes), or
    the time is up. A failed rollout alone is not final: Shuttle retries, Starbase rolls back after three."""
    note(f"waiting for {name} {release} to run…")
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = api.get(api.ws(f"/apps/{name}/status"))
        if status["observed_release"] == release and status["status"] == "running":
            return status
        if status["release"] != release:
            return {**status, "status": f"rolled back to {status['release']}"}
        time.sleep(1)
    return {
        **status,
        "status": status.get("status", "unknown"),
        "last_exit_reason": status.get("last_exit_reason") or f"not running after {timeout:.0f} s",
    }


@builds.command("list")
def builds_list(ctx: typer.Context, name: Name) -> None:
    api = Api(g(ctx))
    emit(api.get(api.ws(f"/apps/{name}/builds")), g(ctx).output, BUILD_COLUMNS)


@builds.command("logs")
def builds_logs(
    ctx: typer.Context,
    build_id: str,
    follow_: Annotated[bool, typer.Option("--follow", "-f", help="keep printing until the build ends")] = False,
) -> None:
    api = Api(g(ctx))
    if follow_:
        follow(api, build_id, show=True)
        return
    page = api.get(f"/builds/{build_id}/logs")
    if g(ctx).output == "json":
        emit(page["lines"], "json", ())
        return
    for line in page["lines"]:
        print(line["line"])


@builds.command("cancel")
def builds_cancel(ctx: typer.Context, build_id: str) -> None:
    api = Api(g(ctx))
    build = api.post(f"/builds/{build_id}/cancel")
    note(f"build {build_id}: {build['state']}{' (stopping…)' if build['state'] not in FINISHED else ''}")
    emit(build, g(ctx).output, BUILD_COLUMNS)
