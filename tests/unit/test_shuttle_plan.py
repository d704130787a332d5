"""Shuttle's plan is a pure function of desired and observed state."""

from __future__ import annotations

import uuid

from shuttle.plan import Deploy, Observed, Remove, Scale, fingerprint, plan
from starbase.contracts import Artifact, DesiredState, WorkloadSpec

CLUSTER = uuid.UUID(int=1)


def spec(app: str = "web", release: int = 1, **changes: object) -> WorkloadSpec:
    fields: dict[str, object] = {
        "workspace": "acme",
        "app": app,
        "environment": "production",
        "release": f"v{release}",
        "release_id": uuid.UUID(int=release),
        "namespace": "acme-production",
        "artifact": Artifact(kind="slug", ref="slug/x", digest="sha256:" + "a" * 64),
    }
    fields.update(changes)
    return WorkloadSpec(**fields)  # type: ignore[arg-type]


def seen(s: WorkloadSpec, replicas: int | None = None) -> Observed:
    return Observed(
        key=s.key,
        release_id=str(s.release_id),
        fingerprint=fingerprint(s),
        replicas=s.replicas if replicas is None else replicas,
    )


def state(*specs: WorkloadSpec, generation: int = 1) -> DesiredState:
    return DesiredState(cluster_id=CLUSTER, generation=generation, workloads=list(specs))


def test_nothing_to_do_when_observed_matches_desired() -> None:
    web = spec()
    assert plan(state(web), {web.key: seen(web)}) == []


def test_missing_workloads_are_deployed_and_departed_ones_removed() -> None:
    web, api = spec("web"), spec("api")
    actions = plan(state(web), {api.key: seen(api)})
    assert actions == [Deploy(web, "new"), Remove(api.key)]


def test_a_new_release_or_config_rolls_out_and_a_replica_change_scales() -> None:
    old = spec(release=1)
    assert plan(state(spec(release=2)), {old.key: seen(old)}) == [Deploy(spec(release=2), "release v2")]
    changed = spec(release=1, env={"A": "1"})
    assert plan(state(changed), {old.key: seen(old)}) == [Deploy(changed, "configuration changed")]
    scaled = spec(release=1, replicas=3)
    assert plan(state(scaled), {old.key: seen(old)}) == [Scale(scaled, 1)]


def test_an_empty_desired_state_removes_everything() -> None:
    web = spec()
    assert plan(state(), {web.key: seen(web)}) == [Remove(web.key)]


def test_the_plan_is_deterministic() -> None:
    specs = [spec(f"app-{i}", release=i + 1) for i in range(50)]
    observed = {s.key: seen(s) for s in specs[::2]}
    assert plan(state(*specs), observed) == plan(state(*specs), dict(reversed(list(observed.items()))))
