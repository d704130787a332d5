"""Structured logging, set up in one place: one JSON object per line on stderr.

Call ``configure_logging(level)`` once at a process edge (CLI, API server). Messages carry ids as
``extra={...}`` fields (workspace, app, build, release, cluster, correlation_id), which become keys.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_HANDLER_NAME = "starform-json"


def _drop_color_message(record: logging.LogRecord) -> bool:
    """uvicorn attaches an ANSI-coloured copy of its message; JSON lines want only the plain one."""
    record.__dict__.pop("color_message", None)
    return True


def configure_logging(level: str = "INFO") -> None:
    """Idempotent: replaces our handler on the root logger, leaves other handlers alone."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="ts",
        )
    )
    handler.addFilter(_drop_color_message)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
