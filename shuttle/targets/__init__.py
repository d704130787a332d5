"""Targets: where Shuttle applies workloads. Each implements ``Target``; the loop knows no other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shuttle.plan import Action, Observed
from starbase.contracts import WorkloadReport


class Target(Protocol):
    """One cluster's runtime (LocalRuntime: processes behind Caddy; Kubernetes: server-side apply)."""

    name: str

    def observe(self) -> dict[str, Observed]:
        """What exists now, keyed by ``WorkloadSpec.key``; only what Shuttle owns."""
        ...

    def apply(self, actions: Sequence[Action]) -> list[str]:
        """Carry out the plan; return one error per action that failed (the others still happen)."""
        ...

    def report(self) -> list[WorkloadReport]:
        """What was observed, per workload, for Starbase."""
        ...
