"""The ``starform`` command: ``starform <resource> <action> [name] [options]`` (INTERFACES.md).

This module owns the Typer app, the global options (``--output/-o``, ``--url``, ``--token``,
``--workspace/-w``, accepted anywhere on the line, as in kubectl) and the translation of errors into
exit codes: 0 success, 1 a failed operation, 2 bad usage or bad settings; errors go to stderr as one line.
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from starbase.cli import account, apps, builds, platform
from starbase.cli.client import Globals
from starbase.cli.output import FORMATS
from starbase.errors import ConfigurationError, Invalid, StarbaseError

app = typer.Typer(
    name="starform",
    help="Starform: push a repository, Starform builds it and runs it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
GLOBAL_OPTIONS = {"--output": 1, "-o": 1, "--url": 1, "--token": 1, "--workspace": 1, "-w": 1}


@app.callback()
def _globals(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("--output", "-o", help="json, table or plain")] = "table",
    url: Annotated[str | None, typer.Option("--url", help="Starform's URL (or STARFORM_URL)")] = None,
    token: Annotated[str | None, typer.Option("--token", help="API token (or STARFORM_TOKEN)")] = None,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w", help="workspace to act in")] = None,
) -> None:
    if output not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--output")
    ctx.obj = Globals(output=output, url=url, token=token, workspace=workspace)


platform.register(app)
apps.register(app)
builds.register(app)
account.register(app)


def hoist_globals(argv: list[str]) -> list[str]:
    """Move global options found after the action to the front, where Click expects them."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg or i + 1 >= len(argv):
                front.append(arg)
                i += 1
            else:
                front.extend(argv[i : i + 2])
                i += 2
            continue
        rest.append(arg)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    # Ctrl-C ends a command even when it was started with SIGINT ignored (as a shell's background job is).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = hoist_globals(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="starform")
    except ConfigurationError as e:
        _fail(e.message, code=2)
    except Invalid as e:
        _fail(f"{e.field}: {e.message}", code=2)
    except StarbaseError as e:
        _fail(e.message, code=1)


def _fail(message: str, *, code: int) -> None:
    print(f"starform: error: {message}", file=sys.stderr)
    raise SystemExit(code)
