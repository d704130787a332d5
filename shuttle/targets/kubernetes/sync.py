"""Pure comparisons between the objects Shuttle wants and the objects the API server holds: identity,
"is the desired object contained in the live one" (the server adds defaults and status, never removes
what we set, so containment means in sync), and ownership (labelled by Starform and applied by the
``shuttle`` field manager — anything else is never touched)."""

from __future__ import annotations

from typing import Any

from shuttle.targets.kubernetes.manifests import MANAGED_BY, MANAGER, Obj, key_of

FIELD_MANAGER = "shuttle"
Ident = tuple[str, str, str]  # (kind, namespace, name)


def ident(obj: Obj) -> Ident:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


def contains(desired: Any, live: Any) -> bool:
    """True when every field of ``desired`` has the same value in ``live`` (lists element by element).
    Written as plain loops: it runs for every field of every object on every tick."""
    kind = type(desired)
    if kind is dict:
        if not desired:
            return live is None or live == {}  # the API server drops empty maps it was sent
        if type(live) is not dict:
            return False
        for key, value in desired.items():  # noqa: SIM110 (a loop: hot path)
            if not contains(value, live.get(key)):
                return False
        return True
    if kind is list:
        if not desired:
            return not live
        if type(live) is not list or len(live) != len(desired):
            return False
        for mine, theirs in zip(desired, live, strict=True):  # noqa: SIM110
            if not contains(mine, theirs):
                return False
        return True
    if kind is bool or type(live) is bool:
        return desired is live
    return bool(desired == live)


def in_sync(desired: Obj, live: Obj | None, *, ignore_replicas: bool = False) -> bool:
    if live is None:
        return False
    if ignore_replicas and desired.get("kind") == "Deployment":
        desired = {**desired, "spec": {k: v for k, v in desired["spec"].items() if k != "replicas"}}
    return contains({k: v for k, v in desired.items() if k != "status"}, live)


def owned(live: Obj) -> bool:
    """Starform's label and a field manager of ours: the only objects Shuttle ever changes or deletes."""
    meta = live.get("metadata") or {}
    if (meta.get("labels") or {}).get(MANAGED_BY) != MANAGER:
        return False
    managers = {entry.get("manager") for entry in meta.get("managedFields") or meta.get("managed_fields") or []}
    return FIELD_MANAGER in managers


def workload_key(obj: Obj) -> str | None:
    return key_of((obj.get("metadata") or {}).get("labels") or {})
