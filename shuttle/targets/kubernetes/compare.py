"""From the live objects Shuttle owns to what ``plan()`` needs, without I/O: per desired workload its
release and whether every one of its objects (and its namespace's) is in sync — "drift" otherwise, so
the plan redeploys it; workloads and namespaces that left desired state appear so the plan removes them."""

from __future__ import annotations

from shuttle.plan import Observed, fingerprint
from shuttle.targets.kubernetes.manifests import (
    RELEASE_ID,
    KubeOptions,
    Obj,
    Unrunnable,
    namespace_objects,
    workload_objects,
)
from shuttle.targets.kubernetes.sync import Ident, ident, in_sync, owned, workload_key
from starbase.contracts import DesiredState, WorkloadSpec

NAMESPACE_KEY = "namespace/"


def all_in_sync(objects: list[Obj], live: dict[Ident, Obj], spec: WorkloadSpec | None = None) -> bool:
    if not all(in_sync(o, live.get(ident(o)), ignore_replicas=True) for o in objects):
        return False
    if spec is None:
        return True
    expected = {ident(o) for o in objects}
    return not any(workload_key(o) == spec.key and i not in expected and owned(o) for i, o in live.items())


def compare(desired: DesiredState | None, live: dict[Ident, Obj], opts: KubeOptions) -> dict[str, Observed]:
    wanted = {spec.key: spec for spec in desired.workloads} if desired else {}
    namespaces = {spec.namespace for spec in wanted.values()}
    ns_synced = {ns: all_in_sync(namespace_objects(ns, opts), live) for ns in namespaces}
    by_key: dict[str, dict[Ident, Obj]] = {}
    for i, obj in live.items():
        key = workload_key(obj)
        if key is not None:
            by_key.setdefault(key, {})[i] = obj
    observed: dict[str, Observed] = {}
    for key, spec in wanted.items():
        deployment = live.get(("Deployment", spec.namespace, spec.app))
        if deployment is None:
            continue
        try:
            synced = ns_synced[spec.namespace] and all_in_sync(workload_objects(spec, opts), by_key.get(key, {}), spec)
        except Unrunnable:
            synced = False
        annotations = deployment["metadata"].get("annotations") or {}
        observed[key] = Observed(
            key=key,
            release_id=annotations.get(RELEASE_ID),
            fingerprint=fingerprint(spec) if synced else "drift",
            replicas=int((deployment.get("spec") or {}).get("replicas") or 0),
        )
    for obj in live.values():
        if obj["metadata"].get("deletionTimestamp"):
            continue  # already on its way out (a namespace stays Terminating until its contents are gone)
        key = workload_key(obj)
        if key is not None and key not in wanted and owned(obj):
            observed.setdefault(key, Observed(key=key, release_id=None, fingerprint=None, replicas=0))
        meta = obj["metadata"]
        namespace = meta.get("namespace") or (meta["name"] if obj["kind"] == "Namespace" else "")
        if key is None and namespace and namespace not in namespaces and owned(obj):
            pseudo = NAMESPACE_KEY + namespace
            observed.setdefault(pseudo, Observed(key=pseudo, release_id=None, fingerprint=None, replicas=0))
    return observed
