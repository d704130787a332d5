"""Targets: where Shuttle applies workloads. Each implements ``Target``; the loop knows no other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shuttle.plan import Action, Observed
from starbase.contracts import DesiredState, WorkloadReport


class Target(Protocol):
    """One cluster's runtime (LocalRuntime: processes behind Caddy; Kubernetes: server-side apply)."""

    name: str

    def observe(self, desired: DesiredState | None = None) -> dict[str, Observed]:
        """What exists now, keyed by ``WorkloadSpec.key``; only what Shuttle owns. Targets that compare whole
        objects (Kubernetes) use ``desired`` to tell drift from a match; others may ignore it."""
        ...

    def apply(self, actions: Sequence[Action]) -> list[str]:
        """Carry out the plan; return one error per action that failed (the others still happen)."""
        ...

    def report(self) -> list[WorkloadReport]:
        """What was observed, per workload, for Starbase."""
        ...
