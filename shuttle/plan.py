"""The pure heart of Shuttle: ``plan(desired, observed) -> actions``. No I/O, no clock: the same inputs
always give the same actions, so it is tested without a cluster and timed in bench/rollout.py.

A workload is (re)deployed when it is missing or runs another release or another configuration, scaled when
only its replica count differs, and removed when it left the desired state. Nothing else is touched."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from starbase.contracts import DesiredState, WorkloadSpec


@dataclass(frozen=True)
class Observed:
    """What the target runs for one workload, as far as planning needs it."""

    key: str
    release_id: str | None
    fingerprint: str | None
    replicas: int


@dataclass(frozen=True)
class Deploy:
    """Roll out ``spec``: start its replicas, wait until healthy, switch traffic, drain the old ones."""

    spec: WorkloadSpec
    reason: str


@dataclass(frozen=True)
class Scale:
    spec: WorkloadSpec
    current: int


@dataclass(frozen=True)
class Remove:
    key: str


Action = Deploy | Scale | Remove


def fingerprint(spec: WorkloadSpec) -> str:
    """Everything that needs new processes when it changes (replica count excluded: that is a scale)."""
    body = spec.model_dump_json(exclude={"replicas"})
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def plan(desired: DesiredState, observed: Mapping[str, Observed]) -> list[Action]:
    actions: list[Action] = []
    wanted = {spec.key: spec for spec in desired.workloads}
    for key, spec in wanted.items():
        seen = observed.get(key)
        if seen is None:
            actions.append(Deploy(spec, "new"))
        elif seen.release_id != str(spec.release_id):
            actions.append(Deploy(spec, f"release {spec.release}"))
        elif seen.fingerprint != fingerprint(spec):
            actions.append(Deploy(spec, "configuration changed"))
        elif seen.replicas != spec.replicas:
            actions.append(Scale(spec, seen.replicas))
    actions.extend(Remove(key) for key in sorted(observed) if key not in wanted)
    return actions
