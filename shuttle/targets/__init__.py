"""Targets: where Shuttle applies workloads. Each implements ``Target``; the loop knows no other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from starbase.contracts import WorkloadReport, WorkloadSpec


class Target(Protocol):
    """One cluster's runtime (LocalRuntime: processes behind Caddy; Kubernetes: server-side apply)."""

    name: str

    def observe(self) -> dict[str, WorkloadReport]:
        """What exists now, keyed by ``WorkloadSpec.key``; only objects Shuttle owns."""
        ...

    def apply(self, workloads: Sequence[WorkloadSpec]) -> list[str]:
        """Make the target run exactly ``workloads``; return one error per object that failed."""
        ...
