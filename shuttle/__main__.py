"""The ``shuttle`` command (INTERFACES.md). The agent loop (``run``, ``once``) and ``plan`` are added with
their targets; this module owns the entry point and its error handling."""

from __future__ import annotations

import sys

import typer

import shuttle
from shuttle.config import ShuttleConfigError, load_settings

app = typer.Typer(
    name="shuttle",
    help="Shuttle: applies Starbase's desired state to one cluster.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    try:
        app(args=argv, prog_name="shuttle")
    except ShuttleConfigError as e:
        print(f"shuttle: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
