"""What a desired state becomes on Kubernetes: pure functions from ``WorkloadSpec`` to object manifests
(plain dicts, as server-side apply sends them). Per environment namespace: the Namespace (Pod Security
``restricted``), a default-deny ingress NetworkPolicy plus an allow from the gateway's namespace, a
ResourceQuota and a LimitRange. Per workload: ServiceAccount (no token), Secret (the env), Deployment,
Service, HTTPRoute and, above one replica, a PodDisruptionBudget. No I/O: ``shuttle plan`` prints these."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from shuttle.plan import fingerprint
from starbase.contracts import DesiredState, WorkloadSpec

Obj = dict[str, Any]
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "starform"
WORKSPACE, APP, ENVIRONMENT, RELEASE = (f"starform.dev/{k}" for k in ("workspace", "app", "environment", "release"))
RELEASE_ID, FINGERPRINT = "starform.dev/release-id", "starform.dev/fingerprint"
PRE_STOP_S, DRAIN_S = 5, 25  # preStop sleep, then up to DRAIN_S for the app to finish after SIGTERM


class Unrunnable(ValueError):
    """A workload that cannot run on Kubernetes as given (the message says why)."""


@dataclass(frozen=True)
class KubeOptions:
    gateway_name: str = "starform"
    gateway_namespace: str = "starform-gateway"
    gateway_section: str | None = None
    pdb_api_version: str = "policy/v1"  # the target picks policy/v1beta1 on servers older than 1.21
    quota: tuple[tuple[str, str], ...] = (
        ("requests.cpu", "16"),
        ("requests.memory", "32Gi"),
        ("limits.cpu", "32"),
        ("limits.memory", "64Gi"),
        ("pods", "200"),
    )
    default_cpu: str = "500m"
    default_memory: str = "512Mi"
    run_as_user: int = 10001


def cpu(millis: int) -> str:
    """A CPU quantity in the form the API server keeps (``1000m`` comes back as ``1``)."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def workload_labels(spec: WorkloadSpec) -> dict[str, str]:
    return {
        MANAGED_BY: MANAGER,
        "app.kubernetes.io/name": spec.app,
        WORKSPACE: spec.workspace,
        APP: spec.app,
        ENVIRONMENT: spec.environment,
    }


def key_of(labels: dict[str, str]) -> str | None:
    """The workload key (``workspace/app/environment``) an object's labels name, if any."""
    parts = [labels.get(k) for k in (WORKSPACE, APP, ENVIRONMENT)]
    return "/".join(parts) if all(parts) else None  # type: ignore[arg-type]


def _meta(name: str, namespace: str | None, labels: dict[str, str], annotations: dict[str, str] | None = None) -> Obj:
    meta: Obj = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = annotations
    return meta


def namespace_objects(namespace: str, opts: KubeOptions) -> list[Obj]:
    labels = {MANAGED_BY: MANAGER}
    psa = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(namespace, None, {**labels, **psa})},
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("default-deny-ingress", namespace, labels),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("allow-from-gateway", namespace, labels),
            "spec": {
                "podSelector": {"matchLabels": {MANAGED_BY: MANAGER}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": opts.gateway_namespace}
                                }
                            }
                        ]
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": _meta("starform-quota", namespace, labels),
            "spec": {"hard": dict(opts.quota)},
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": _meta("starform-defaults", namespace, labels),
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": opts.default_cpu, "memory": opts.default_memory},
                        "defaultRequest": {"cpu": opts.default_cpu, "memory": opts.default_memory},
                    }
                ]
            },
        },
    ]


def image_of(spec: WorkloadSpec) -> str:
    if spec.artifact.kind != "image":
        raise Unrunnable(
            f"{spec.key}: release {spec.release} is a slug; Kubernetes runs images (build with "
            "STARFORM_BUILDER=depot for clusters of kind kubernetes)"
        )
    repository = spec.artifact.ref.split("@", 1)[0]
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]  # a tag is dropped: the digest pins the image
    return f"{repository}@{spec.artifact.digest}"


def _container(spec: WorkloadSpec, name: str) -> Obj:
    probe = {
        "httpGet": {"path": spec.health.path, "port": "http"},
        "timeoutSeconds": max(1, round(spec.health.timeout_s)),
        "periodSeconds": max(1, round(spec.health.period_s)),
    }
    container: Obj = {
        "name": "app",
        "image": image_of(spec),
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "env": [{"name": "PORT", "value": str(spec.port)}],
        "envFrom": [{"secretRef": {"name": f"{name}-env"}}],
        "readinessProbe": {**probe, "failureThreshold": 3},
        "livenessProbe": {**probe, "initialDelaySeconds": 10, "failureThreshold": 6},
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", str(PRE_STOP_S)]}}},
        "resources": {
            "requests": {"cpu": cpu(spec.resources.cpu_millis), "memory": f"{spec.resources.memory_mb}Mi"},
            "limits": {"cpu": cpu(spec.resources.cpu_millis), "memory": f"{spec.resources.memory_mb}Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    if spec.command:
        container["command"] = list(spec.command)
    return container


def workload_objects(spec: WorkloadSpec, opts: KubeOptions) -> list[Obj]:
    name, ns = spec.app, spec.namespace
    labels = workload_labels(spec)
    selector = {k: labels[k] for k in (WORKSPACE, APP, ENVIRONMENT)}
    pod_labels = {**labels, RELEASE: spec.release}
    secret = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(spec.env.items())}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(
            name,
            ns,
            {**labels, RELEASE: spec.release},
            {RELEASE_ID: str(spec.release_id), FINGERPRINT: fingerprint(spec)},
        ),
        "spec": {
            "replicas": spec.replicas,
            "revisionHistoryLimit": 5,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": selector},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": pod_labels, "annotations": {RELEASE_ID: str(spec.release_id)}},
                "spec": {
                    "serviceAccountName": name,
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": PRE_STOP_S + DRAIN_S,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": opts.run_as_user,
                        "runAsGroup": opts.run_as_user,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [_container(spec, name)],
                },
            },
        },
    }
    parent: Obj = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": opts.gateway_name}
    parent["namespace"] = opts.gateway_namespace
    if opts.gateway_section:
        parent["sectionName"] = opts.gateway_section
    objects: list[Obj] = [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(name, ns, labels),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": _meta(f"{name}-env", ns, labels),
            "type": "Opaque",
            "data": secret,
        },
        deployment,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(name, ns, labels),
            "spec": {
                "type": "ClusterIP",
                "selector": selector,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": _meta(name, ns, labels),
            "spec": {
                "parentRefs": [parent],
                "hostnames": [h for h in spec.hostnames if ":" not in h],
                "rules": [{"backendRefs": [{"name": name, "port": 80}]}],
            },
        },
    ]
    if spec.replicas > 1:
        objects.append(
            {
                "apiVersion": opts.pdb_api_version,
                "kind": "PodDisruptionBudget",
                "metadata": _meta(name, ns, labels),
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}},
            }
        )
    return objects


def render(desired: DesiredState, opts: KubeOptions) -> tuple[list[Obj], dict[str, str]]:
    """Every object of the desired state, namespaces first; plus the workloads that cannot run (key → why)."""
    objects: list[Obj] = []
    problems: dict[str, str] = {}
    for ns in sorted({w.namespace for w in desired.workloads}):
        objects += namespace_objects(ns, opts)
    for spec in desired.workloads:
        try:
            objects += workload_objects(spec, opts)
        except Unrunnable as e:
            problems[spec.key] = str(e)
    return objects, problems
