"""The ``starform`` command: ``starform <resource> <action> [name] [options]`` (INTERFACES.md).

This module owns the Typer app, the global options and the translation of errors into exit codes:
0 success, 1 a failed operation, 2 bad usage or bad settings; errors go to stderr as one line.
Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import sys

import typer

from starbase.cli import platform
from starbase.errors import ConfigurationError, Invalid, StarbaseError

app = typer.Typer(
    name="starform",
    help="Starform: push a repository, Starform builds it and runs it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
platform.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="starform")
    except ConfigurationError as e:
        _fail(e.message, code=2)
    except Invalid as e:
        _fail(f"{e.field}: {e.message}", code=2)
    except StarbaseError as e:
        _fail(e.message, code=1)


def _fail(message: str, *, code: int) -> None:
    print(f"starform: error: {message}", file=sys.stderr)
    raise SystemExit(code)
