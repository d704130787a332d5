"""The ``shuttle`` command (INTERFACES.md): ``run`` (the agent loop), ``once`` (one tick), ``config``,
``version``. Options override ``SHUTTLE_*`` settings. SIGTERM and Ctrl-C stop the loop between steps."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Annotated

import typer

import shuttle
from shuttle.agent import Agent
from shuttle.client import ControlPlane, Fatal
from shuttle.config import ShuttleConfigError, ShuttleSettings, load_settings

app = typer.Typer(
    name="shuttle",
    help="Shuttle: applies Starbase's desired state to one cluster.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("shuttle")

Target = Annotated[str | None, typer.Option("--target", help="local or kubernetes")]
ControlPlaneUrl = Annotated[str | None, typer.Option("--control-plane", help="Starbase's URL")]
Token = Annotated[str | None, typer.Option("--token", help="this cluster's token")]
Interval = Annotated[float | None, typer.Option("--interval", help="seconds between ticks")]


def _agent(settings: ShuttleSettings) -> tuple[Agent, object]:
    if settings.control_plane is None or settings.token is None:
        raise ShuttleConfigError("SHUTTLE_CONTROL_PLANE and SHUTTLE_TOKEN (or --control-plane, --token) are required")
    control = ControlPlane(str(settings.control_plane), settings.token.get_secret_value())
    if settings.target == "kubernetes":
        from shuttle.targets.kubernetes.connect import kube_target

        return Agent(control, kube_target(settings), interval=settings.interval), None
    from shuttle.targets.local.caddy import Caddy
    from shuttle.targets.local.runtime import LocalRuntime

    caddy = Caddy(
        state_dir=settings.state_dir / "caddy", apps_port=settings.apps_port, admin_port=settings.caddy_admin_port
    )
    caddy.start()
    runtime = LocalRuntime(control, state_dir=settings.state_dir, caddy=caddy)
    return Agent(control, runtime, interval=settings.interval), runtime


@app.command()
def run(
    target: Target = None,
    control_plane: ControlPlaneUrl = None,
    token: Token = None,
    interval: Interval = None,
    stop_workloads_on_exit: Annotated[bool, typer.Option(help="stop apps and Caddy when Shuttle stops")] = False,
) -> None:
    """Reconcile every --interval seconds until stopped."""
    settings = load_settings(target=target, control_plane=control_plane, token=token, interval=interval)
    agent, runtime = _agent(settings)
    stop = threading.Event()

    def supervise() -> None:
        while runtime is not None and not stop.wait(1.0):
            try:
                runtime.supervise()  # type: ignore[attr-defined]
            except Exception:
                log.exception("supervision failed")

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: agent.stop())
    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    try:
        agent.run()
    finally:
        stop.set()
        if stop_workloads_on_exit and runtime is not None:
            runtime.stop_all()  # type: ignore[attr-defined]
            runtime.caddy.stop()  # type: ignore[attr-defined]


@app.command()
def once(
    target: Target = None, control_plane: ControlPlaneUrl = None, token: Token = None, interval: Interval = None
) -> None:
    """One reconcile tick, then exit."""
    settings = load_settings(target=target, control_plane=control_plane, token=token, interval=interval)
    agent, _runtime = _agent(settings)
    result = agent.tick()
    print(
        f"generation {agent.desired.generation if agent.desired else '-'}: {result.actions} actions, "
        f"{len(result.errors)} errors"
    )
    for error in result.errors:
        print(f"  {error}", file=sys.stderr)


@app.command("plan")
def plan_command(
    desired_state: Annotated[str, typer.Option("--desired-state", help="a desired-state JSON file, or - for stdin")],
    target: Annotated[str, typer.Option("--target", help="kubernetes")] = "kubernetes",
    output: Annotated[str, typer.Option("-o", "--output", help="yaml or json")] = "yaml",
) -> None:
    """Offline: print the Kubernetes objects a desired state becomes (no cluster is contacted)."""
    from shuttle.targets.kubernetes.offline import plan_offline

    if target != "kubernetes":
        raise ShuttleConfigError(f"--target: only 'kubernetes' has an offline plan; got {target!r}")
    if output not in ("yaml", "json"):
        raise ShuttleConfigError(f"--output: use yaml or json; got {output!r}")
    text = sys.stdin.read() if desired_state == "-" else _read(desired_state)
    rendered, problems = plan_offline(text, load_settings(target="kubernetes"), output=output)
    print(rendered)
    for key, why in problems.items():
        print(f"shuttle: {key}: {why}", file=sys.stderr)
    if problems:
        raise SystemExit(1)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as e:
        raise ShuttleConfigError(f"--desired-state: cannot read {path}: {e.strerror}") from None


@app.command()
def version() -> None:
    """Print Shuttle's version."""
    print(shuttle.__version__)


@app.command()
def config() -> None:
    """Validate SHUTTLE_* settings and print them (the token masked)."""
    settings = load_settings()
    for name, value in settings.model_dump(mode="json").items():
        shown = "••••" if name == "token" and value else value
        print(f"SHUTTLE_{name.upper()}={shown}")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO, format='{"level": "%(levelname)s", "logger": "%(name)s", "message": "%(message)s"}'
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        app(args=argv, prog_name="shuttle")
    except ShuttleConfigError as e:
        print(f"shuttle: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except Fatal as e:
        print(f"shuttle: error: {e}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
