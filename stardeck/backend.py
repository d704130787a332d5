"""Stardeck's one link to Starbase: the container its state handlers call use cases with. Built lazily on
first use (Reflex imports this package to compile pages; nothing may connect then) and shared with the
API mounted beside the pages. Tests hand in their own container (``use``) built with bootstrap overrides."""

from __future__ import annotations

import functools

from starbase.bootstrap import Starbase, bootstrap

_override: list[Starbase] = []


@functools.lru_cache(maxsize=1)
def _default() -> Starbase:
    return bootstrap()


def starbase() -> Starbase:
    return _override[-1] if _override else _default()


def use(container: Starbase | None) -> None:
    """Make ``container`` the one state handlers call (None: back to the default)."""
    _override.clear()
    if container is not None:
        _override.append(container)
