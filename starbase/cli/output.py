"""Rendering results: ``--output json`` (one JSON document on stdout, for scripts), ``table`` (Rich) and
``plain`` (tab-separated, no header)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

FORMATS = ("json", "table", "plain")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def emit(data: Any, output: str, columns: Sequence[str]) -> None:
    if output == "json":
        print(json.dumps(data, indent=2, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    if output == "plain":
        for row in rows:
            print("\t".join(_cell(row.get(c)) for c in columns))
        return
    if not rows:
        err.print("(none)")
        return
    table = Table(*[c.replace("_", " ").upper() for c in columns], box=None, pad_edge=False)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)


def note(message: str) -> None:
    """Progress and confirmations go to stderr, so stdout stays parseable."""
    err.print(message)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, str) and len(value) > 19 and value[4:5] == "-" and value[10:11] == "T":
        return value[:19].replace("T", " ")
    return str(value)
