"""Input rules shared by the use cases; each failure is an ``Invalid`` naming the field."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starbase.errors import Invalid

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
VAR_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
GIT_REF = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,255}(?<!/)(?<!\.lock)$")
SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._/~-]+$")
MAX_VALUE_BYTES = 32 * 1024
MAX_VARS_PER_CHANGE = 500


def dns_label(value: str, *, field: str = "name") -> str:
    if not isinstance(value, str) or not DNS_LABEL.match(value):
        raise Invalid(
            f"{value!r} is not a valid name: use 1-40 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
            field=field,
        )
    return value


def var_name(value: str, *, field: str = "name") -> str:
    if not isinstance(value, str) or len(value) > 128 or not VAR_NAME.match(value):
        raise Invalid(f"{value!r} is not a valid variable name: use [A-Z_][A-Z0-9_]* (max 128)", field=field)
    return value


def var_value(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise Invalid("must be a string", field=f"vars.{name}")
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise Invalid(f"is longer than {MAX_VALUE_BYTES // 1024} KiB", field=f"vars.{name}")
    if "\x00" in value:
        raise Invalid("must not contain NUL bytes", field=f"vars.{name}")
    return value


def var_changes(set_: dict[str, str], unset: list[str]) -> None:
    """Validate a whole change before anything is written."""
    if not set_ and not unset:
        raise Invalid("nothing to change: give KEY=VALUE pairs to set or KEY names to unset", field="vars")
    if len(set_) + len(unset) > MAX_VARS_PER_CHANGE:
        raise Invalid(f"at most {MAX_VARS_PER_CHANGE} variables per change", field="vars")
    for name, value in set_.items():
        var_name(name, field=f"vars.{name}")
        var_value(name, value)
    for name in unset:
        var_name(name, field=f"unset.{name}")
    both = set(set_) & set(unset)
    if both:
        raise Invalid(f"set and unset in one change: {', '.join(sorted(both))}", field="unset")


def repo_url(value: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 2048:
        raise Invalid("is required (at most 2048 characters)", field="repo_url")
    if SCP_LIKE.match(value):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http", "ssh", "git", "file"):
        raise Invalid(
            f"{value!r} is not a Git URL: use https://…, ssh://…, git@host:path or file://…", field="repo_url"
        )
    if parts.scheme != "file" and not parts.netloc:
        raise Invalid(f"{value!r} has no host", field="repo_url")
    if parts.scheme == "file" and not parts.path:
        raise Invalid(f"{value!r} has no path", field="repo_url")
    return value


def branch(value: str) -> str:
    if not isinstance(value, str) or not GIT_REF.match(value):
        raise Invalid(f"{value!r} is not a valid branch name", field="branch")
    return value


def health_path(value: str) -> str:
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 512 or " " in value:
        raise Invalid(f"{value!r} must be a path starting with '/'", field="health_path")
    return value


def within(value: int, *, low: int, high: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"must be a whole number from {low} to {high}; got {value!r}", field=field)
    return value
