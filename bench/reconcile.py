"""The Kubernetes target, measured: plan time with no drift for 1,000 and 10,000 workloads (render the
objects, compare with live objects identical to them plus server defaults, plan) against parsing the same
desired state (the baseline, in the same process); then against a real kube-apiserver (tests/kube.py):
the time to converge 100 workloads from empty, and the API writes of the following no-change tick, from
the API server's own request counter (target: 0).

    .venv/bin/python bench/reconcile.py
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shuttle.plan import plan  # noqa: E402
from shuttle.targets.kubernetes.compare import compare  # noqa: E402
from shuttle.targets.kubernetes.manifests import KubeOptions, render  # noqa: E402
from shuttle.targets.kubernetes.sync import ident  # noqa: E402
from shuttle.targets.kubernetes.target import KubernetesTarget  # noqa: E402
from starbase.contracts import Artifact, DesiredState, WorkloadSpec  # noqa: E402


def desired(n: int, namespaces: int = 50) -> DesiredState:
    return DesiredState(
        cluster_id=uuid.uuid4(),
        generation=1,
        workloads=[
            WorkloadSpec(
                workspace=f"ws{i % namespaces}",
                app=f"app{i}",
                environment="production",
                release="v1",
                release_id=uuid.uuid5(uuid.NAMESPACE_URL, f"app{i}"),
                artifact=Artifact(kind="image", ref=f"registry.example/app{i}", digest="sha256:" + "ab" * 32),
                command=["gunicorn", "app:app"],
                port=8000,
                replicas=1 + i % 3,
                env={"DATABASE_URL": f"postgres://app{i}@db/app{i}", "DEBUG": "0"},
                hostnames=[f"app{i}.apps.example.com"],
                namespace=f"ws{i % namespaces}-production",
            )
            for i in range(n)
        ],
    )


def as_live(objects: list[dict]) -> dict:  # type: ignore[type-arg]
    """What the API server would hold: the same objects with the metadata and defaults it adds."""
    live = {}
    for obj in objects:
        held = copy.deepcopy(obj)
        held["metadata"].update(uid=str(uuid.uuid4()), resourceVersion="1", managedFields=[{"manager": "shuttle"}])
        if held["kind"] == "Deployment":
            held["spec"]["template"]["spec"].update(dnsPolicy="ClusterFirst", restartPolicy="Always")
            held["status"] = {"observedGeneration": 1, "readyReplicas": held["spec"]["replicas"]}
        live[ident(held)] = held
    return live


def timed(fn, rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def offline() -> None:
    opts = KubeOptions(pdb_api_version="policy/v1")
    print("Plan with no drift (render + compare with live + plan), median of 5:")
    for n in (1_000, 10_000):
        state = desired(n)
        text = state.model_dump_json()
        objects, _ = render(state, opts)
        live = as_live(objects)
        assert plan(state, compare(state, live, opts)) == [], "no drift must plan nothing"

        def full(state: DesiredState = state, live: dict = live) -> None:  # type: ignore[type-arg]
            plan(state, compare(state, live, opts))

        took = timed(full, rounds=3 if n > 5_000 else 5)
        parse = timed(lambda text=text: DesiredState.model_validate_json(text))
        print(
            f"  {n:>6} workloads ({len(objects):>6} objects): {took:8.1f} ms   "
            f"parse the desired state: {parse:6.1f} ms   ratio {took / parse:5.1f}x"
        )


def against_the_api_server() -> None:
    import urllib3

    from tests.kube import KubeServer

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the local server's self-signed cert

    kube = KubeServer().start()
    try:
        target = KubernetesTarget(kube.client())
        state = desired(100, namespaces=10)
        before = kube.write_requests()
        start = time.perf_counter()
        actions = plan(state, target.observe(state))
        errors = target.apply(actions)
        converge = time.perf_counter() - start
        assert errors == [], errors
        first = kube.write_requests() - before
        before = kube.write_requests()
        start = time.perf_counter()
        again = plan(state, target.observe(state))
        idle = time.perf_counter() - start
        writes = kube.write_requests() - before
        print("Against a real kube-apiserver v1.20.2 (Shuttle's RBAC, loopback):")
        print(f"  converge 100 workloads from empty: {converge:6.2f} s  ({first} API writes, {len(actions)} actions)")
        print(f"  the next tick: {len(again)} actions, {writes} API writes, {idle * 1000:6.1f} ms (target: 0 writes)")
    finally:
        kube.stop()


if __name__ == "__main__":
    offline()
    against_the_api_server()
