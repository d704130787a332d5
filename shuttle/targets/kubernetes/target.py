"""The Kubernetes target: server-side apply (field manager ``shuttle``) of what ``manifests`` renders,
through the official client's dynamic API. ``observe`` lists the objects Starform labels and compares
them with the desired ones, so a tick with nothing to change makes no writes, and an edited or deleted
object shows up as drift that the next ``apply`` repairs. Objects that left desired state are deleted;
objects Shuttle does not own are never touched, even with the same names. Conflicts, 429 and 5xx are
retried with back-off; other 4xx are reported for that workload while the others go on."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError

from shuttle.plan import Action, Deploy, Observed, Remove, Scale
from shuttle.targets.kubernetes.compare import NAMESPACE_KEY, compare
from shuttle.targets.kubernetes.manifests import (
    MANAGED_BY,
    MANAGER,
    KubeOptions,
    Obj,
    Unrunnable,
    namespace_objects,
    workload_objects,
)
from shuttle.targets.kubernetes.observe import workload_report
from shuttle.targets.kubernetes.sync import FIELD_MANAGER, Ident, ident, in_sync, owned, workload_key
from starbase.contracts import DesiredState, WorkloadReport, WorkloadSpec

log = logging.getLogger(__name__)
KINDS = (
    ("v1", "Namespace"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("v1", "ResourceQuota"),
    ("v1", "LimitRange"),
    ("v1", "ServiceAccount"),
    ("v1", "Secret"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("pdb", "PodDisruptionBudget"),
)
RETRIABLE = {409, 429, 500, 502, 503, 504}


class KubernetesTarget:
    name = "kubernetes"

    def __init__(
        self,
        api: ApiClient,
        opts: KubeOptions | None = None,
        *,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.dyn = DynamicClient(api)
        self.attempts, self.sleep = attempts, sleep
        self.writes = 0
        self.opts = opts or KubeOptions(pdb_api_version=self._pdb_version())
        self.desired: DesiredState | None = None
        self.live: dict[Ident, Obj] = {}
        self.problems: dict[str, str] = {}

    # --- discovery and reads -------------------------------------------------------------------------

    def _pdb_version(self) -> str:
        try:
            self.dyn.resources.get(api_version="policy/v1", kind="PodDisruptionBudget")
            return "policy/v1"
        except ResourceNotFoundError:
            return "policy/v1beta1"  # servers before 1.21

    def _resource(self, api_version: str, kind: str):  # type: ignore[no-untyped-def]
        version = self.opts.pdb_api_version if api_version == "pdb" else api_version
        return self.dyn.resources.get(api_version=version, kind=kind)

    def _list_managed(self) -> dict[Ident, Obj]:
        found: dict[Ident, Obj] = {}
        for api_version, kind in KINDS:
            try:
                items = self._list_kind(api_version, kind)
            except ResourceNotFoundError:
                continue  # e.g. the Gateway API is not installed: nothing of that kind to observe
            found.update((ident(obj), obj) for obj in items)
        return found

    # --- the Target protocol ---------------------------------------------------------------------------

    def observe(self, desired: DesiredState | None = None) -> dict[str, Observed]:
        self.desired = desired
        self.live = self._list_managed()
        return compare(desired, self.live, self.opts)

    def apply(self, actions: Sequence[Action]) -> list[str]:
        errors: list[str] = []
        for action in actions:
            try:
                if isinstance(action, Deploy | Scale):
                    self._sync(action.spec)
                elif isinstance(action, Remove):
                    self._remove(action.key)
            except Unrunnable as e:
                self.problems[action.spec.key] = str(e)  # type: ignore[union-attr]
                errors.append(str(e))
            except ResourceNotFoundError as e:  # e.g. the Gateway API's CRDs are not installed
                key = action.key if isinstance(action, Remove) else action.spec.key
                errors.append(f"{key}: the cluster does not serve a kind Shuttle needs: {e}")
                if not isinstance(action, Remove):
                    self.problems[key] = "the cluster does not serve a kind Shuttle needs (Gateway API installed?)"
            except ApiException as e:
                key = action.key if isinstance(action, Remove) else action.spec.key
                errors.append(f"{key}: {e.status} {e.reason}: {_message(e)}")
                if not isinstance(action, Remove):
                    self.problems[key] = f"{e.status} {e.reason}"  # reported as this workload's failure
        return errors

    def report(self) -> list[WorkloadReport]:
        if self.desired is None:
            return []
        # listed again, not taken from observe(): status after this tick's writes
        deployments = {ident(o): o for o in self._list_kind("apps/v1", "Deployment")}
        pods_by_key: dict[str, list[Obj]] = defaultdict(list)
        for pod in self._list_kind("v1", "Pod"):
            key = workload_key(pod)
            if key is not None:
                pods_by_key[key].append(pod)
        return [
            workload_report(
                spec,
                deployments.get(("Deployment", spec.namespace, spec.app)),
                pods_by_key.get(spec.key, []),
                self.problems.get(spec.key),
            )
            for spec in self.desired.workloads
        ]

    # --- writes --------------------------------------------------------------------------------------------

    def _sync(self, spec: WorkloadSpec) -> None:
        self.problems.pop(spec.key, None)
        objects = namespace_objects(spec.namespace, self.opts) + workload_objects(spec, self.opts)
        for obj in objects:
            if not in_sync(obj, self.live.get(ident(obj))):
                self._apply(obj)
        expected = {ident(o) for o in objects}
        for i, live in list(self.live.items()):
            if workload_key(live) == spec.key and i not in expected and owned(live):
                self._delete(live)  # e.g. the PodDisruptionBudget after scaling down to one replica

    def _apply(self, obj: Obj) -> None:
        kind, namespace, name = ident(obj)
        resource = self._resource(_api_version_key(obj), kind)
        if ident(obj) not in self.live:
            try:
                existing = self._retry(lambda: resource.get(name=name, namespace=namespace or None)).to_dict()
            except NotFoundError:
                existing = None
            if existing is not None and not owned(existing):
                raise ApiException(
                    status=409, reason=f"{kind} {namespace}/{name} exists and is not Starform's; left alone"
                )
        applied = self._retry(
            lambda: resource.server_side_apply(
                body=obj, name=name, namespace=namespace or None, field_manager=FIELD_MANAGER, force_conflicts=True
            )
        )
        self.writes += 1
        self.live[ident(obj)] = applied.to_dict()

    def _delete(self, live: Obj) -> None:
        kind, namespace, name = ident(live)
        resource = self._resource(_api_version_key(live), kind)
        try:
            self._retry(
                lambda: resource.delete(name=name, namespace=namespace or None, propagation_policy="Background")
            )
            self.writes += 1
        except NotFoundError:
            pass
        self.live.pop(ident(live), None)

    def _remove(self, key: str) -> None:
        if key.startswith(NAMESPACE_KEY):
            namespace = key.removeprefix(NAMESPACE_KEY)
            doomed = [o for o in self.live.values() if ident(o)[1] == namespace and workload_key(o) is None]
            doomed += [o for o in self.live.values() if ident(o) == ("Namespace", "", namespace)]
        else:
            doomed = [o for o in self.live.values() if workload_key(o) == key]
        for obj in reversed(doomed):
            if owned(obj):
                self._delete(obj)

    def _retry(self, call):  # type: ignore[no-untyped-def]
        for attempt in range(self.attempts):
            try:
                return call()
            except NotFoundError:
                raise
            except ApiException as e:
                if e.status not in RETRIABLE or attempt == self.attempts - 1:
                    raise
                self.sleep(min(0.2 * 2**attempt, 5.0))
        raise AssertionError("unreachable")

    def _list_kind(self, api_version: str, kind: str) -> list[Obj]:
        """Every object of one kind that Starform labels, cluster-wide (list items carry no ``kind``)."""
        items = self._resource(api_version, kind).get(label_selector=f"{MANAGED_BY}={MANAGER}").items
        return [{**item.to_dict(), "kind": kind} for item in items]


def _api_version_key(obj: Obj) -> str:
    return "pdb" if obj.get("kind") == "PodDisruptionBudget" else str(obj["apiVersion"])


def _message(e: ApiException) -> str:
    body = e.body if isinstance(e.body, str) else ""
    return body[:300] if body else str(e.reason)
