"""Stardeck's one link to Starbase: the container its state handlers call use cases with. Built lazily on
first use (Reflex imports this package to compile pages; nothing may connect then) and shared with the
API mounted beside the pages."""

from __future__ import annotations

import functools

from starbase.bootstrap import Starbase, bootstrap


@functools.lru_cache(maxsize=1)
def starbase() -> Starbase:
    return bootstrap()
