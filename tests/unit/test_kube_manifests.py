"""What a desired state becomes on Kubernetes, checked offline: ``shuttle plan`` output validates with
kubernetes-validate against a current Kubernetes version (HTTPRoute, a Gateway API custom resource that
kubernetes-validate has no schema for, against the HTTPRoute schema the test API server installs), the
restricted-pod rules hold, env values never appear outside the Secret, and the sync rules are right."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes.client.exceptions import ApiException
from typer.testing import CliRunner

from shuttle.__main__ import app
from shuttle.targets.kubernetes.manifests import KubeOptions, cpu, image_of, render
from shuttle.targets.kubernetes.sync import contains, in_sync, owned
from shuttle.targets.kubernetes.target import KubernetesTarget
from starbase.contracts import Artifact, DesiredState, WorkloadSpec

ROOT = Path(__file__).resolve().parents[2]
K8S = kubernetes_validate.latest_version()
HTTPROUTE_SCHEMA = yaml.safe_load((ROOT / "tests/fixtures/k8s/httproute-crd.yaml").read_text())["spec"]["versions"][0][
    "schema"
]["openAPIV3Schema"]


def workload(app: str, replicas: int = 1, **extra: object) -> WorkloadSpec:
    return WorkloadSpec(
        workspace="acme",
        app=app,
        environment="production",
        release="v7",
        release_id=uuid.uuid4(),
        artifact=Artifact(kind="image", ref=f"registry.example/acme/{app}:v7", digest="sha256:" + "ab" * 32),
        command=["gunicorn", "app:app"],
        port=8000,
        replicas=replicas,
        env={"SECRET_TOKEN": "hunter2-never-inline"},
        hostnames=[f"{app}-acme.apps.example.com", "www.example.com"],
        namespace="acme-production",
        **extra,  # type: ignore[arg-type]
    )


def desired() -> DesiredState:
    return DesiredState(cluster_id=uuid.uuid4(), generation=3, workloads=[workload("web", 3), workload("api")])


def validate(obj: dict) -> None:  # type: ignore[type-arg]
    if obj["kind"] == "HTTPRoute":
        jsonschema.validate(obj, HTTPROUTE_SCHEMA)
        with pytest.raises(kubernetes_validate.SchemaNotFoundError):
            kubernetes_validate.validate(obj, K8S, strict=True)  # if this starts passing, drop the fallback
    else:
        kubernetes_validate.validate(obj, K8S, strict=True)


def test_shuttle_plan_emits_valid_objects(tmp_path: Path) -> None:
    source = tmp_path / "desired.json"
    source.write_text(desired().model_dump_json())
    result = CliRunner().invoke(app, ["plan", "--target", "kubernetes", "--desired-state", str(source)])
    assert result.exit_code == 0, result.output
    objects = list(yaml.safe_load_all(result.stdout))
    kinds = [o["kind"] for o in objects]
    assert kinds.count("Namespace") == 1 and kinds.count("Deployment") == 2 and kinds.count("PodDisruptionBudget") == 1
    assert kinds.count("NetworkPolicy") == 2 and {"ResourceQuota", "LimitRange", "HTTPRoute", "Secret"} <= set(kinds)
    for obj in objects:
        validate(obj)
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "starform"
    as_json = CliRunner().invoke(app, ["plan", "--desired-state", "-", "-o", "json"], input=source.read_text())
    assert json.loads(as_json.stdout) == objects


def test_restricted_and_zero_downtime_by_construction() -> None:
    objects, problems = render(desired(), KubeOptions())
    assert problems == {}
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "web")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert "hunter2" not in json.dumps([o for o in objects if o["kind"] != "Secret"])
    assert container["image"] == "registry.example/acme/web@sha256:" + "ab" * 32
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    assert (
        pod["terminationGracePeriodSeconds"] > 5 and container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    )
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
    namespace = next(o for o in objects if o["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    route = next(o for o in objects if o["kind"] == "HTTPRoute")
    assert route["spec"]["parentRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "starform", "namespace": "starform-gateway"}
    ]
    assert [o["metadata"]["name"] for o in objects if o["kind"] == "PodDisruptionBudget"] == ["web"]


def test_images_are_pinned_and_slugs_refused() -> None:
    assert image_of(workload("web")) == "registry.example/acme/web@sha256:" + "ab" * 32
    registry_with_port = workload("web").model_copy(
        update={"artifact": Artifact(kind="image", ref="registry:5000/acme/web", digest="sha256:" + "cd" * 32)}
    )
    assert image_of(registry_with_port) == "registry:5000/acme/web@sha256:" + "cd" * 32
    slug = workload("old").model_copy(
        update={"artifact": Artifact(kind="slug", ref="s.tgz", digest="sha256:" + "0" * 64)}
    )
    objects, problems = render(DesiredState(cluster_id=uuid.uuid4(), generation=1, workloads=[slug]), KubeOptions())
    assert "slug" in problems["acme/old/production"] and not any(o["kind"] == "Deployment" for o in objects)
    assert (cpu(1000), cpu(1500), cpu(250)) == ("1", "1500m", "250m")


def test_plan_names_a_bad_desired_state(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"cluster_id": "x", "generation": 1}')
    result = CliRunner().invoke(app, ["plan", "--desired-state", str(bad)])
    assert result.exit_code != 0


def test_containment_rules() -> None:
    live = {"spec": {"replicas": 2, "ports": [{"port": 80, "protocol": "TCP"}], "extra": True}, "status": {}}
    assert contains({"spec": {"replicas": 2, "ports": [{"port": 80}]}}, live)
    assert not contains({"spec": {"replicas": 3}}, live)
    assert not contains({"spec": {"ports": [{"port": 80}, {"port": 81}]}}, live)
    assert contains({"data": {}}, {}) and contains({"hostnames": []}, {"hostnames": None})
    assert not contains({"flag": False}, {"flag": 0}) and contains({"n": 1}, {"n": 1.0})
    deployment = {"kind": "Deployment", "spec": {"replicas": 3, "paused": False}}
    assert in_sync(deployment, {"kind": "Deployment", "spec": {"replicas": 1, "paused": False}}, ignore_replicas=True)
    assert not in_sync(deployment, None)
    ours = {
        "metadata": {"labels": {"app.kubernetes.io/managed-by": "starform"}, "managedFields": [{"manager": "shuttle"}]}
    }
    assert owned(ours)
    assert not owned({"metadata": {"labels": {"app.kubernetes.io/managed-by": "starform"}, "managedFields": []}})
    assert not owned({"metadata": {"managedFields": [{"manager": "shuttle"}]}})


def test_retries_conflicts_and_server_errors_but_not_other_4xx() -> None:
    target = KubernetesTarget.__new__(KubernetesTarget)
    waits: list[float] = []
    target.attempts, target.sleep = 4, waits.append
    answers = iter([ApiException(status=409), ApiException(status=503), "done"])

    def call() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert target._retry(call) == "done" and waits == [0.2, 0.4]
    with pytest.raises(ApiException) as refused:
        target._retry(lambda: (_ for _ in ()).throw(ApiException(status=422)))
    assert refused.value.status == 422 and len(waits) == 2


def _pod(release: str, **status: object) -> dict:  # type: ignore[type-arg]
    return {
        "metadata": {"labels": {"starform.dev/release": release}},
        "status": {"containerStatuses": [{"name": "app", "restartCount": 0, "ready": False, **status}]},
    }


def _deployment(release: str, generation: int = 2, observed: int = 2) -> dict:  # type: ignore[type-arg]
    return {
        "metadata": {"labels": {"starform.dev/release": release}, "generation": generation},
        "status": {"observedGeneration": observed, "updatedReplicas": 2},
    }


def test_reports_from_pods() -> None:
    from shuttle.targets.kubernetes.observe import workload_report

    spec = workload("web", 2)
    running = workload_report(spec, _deployment("v7"), [_pod("v7", ready=True), _pod("v7", ready=True)], None)
    assert (running.phase, running.ready_replicas, running.release) == ("running", 2, "v7")
    half = workload_report(spec, _deployment("v7"), [_pod("v7", ready=True), _pod("v7")], None)
    assert half.phase == "degraded" and half.ready_replicas == 1 and half.failed_rollouts == 0
    pull = workload_report(
        spec, _deployment("v7"), [_pod("v7", state={"waiting": {"reason": "ImagePullBackOff"}})], None
    )
    assert (
        pull.failure == "infrastructure" and pull.failed_rollouts == 0 and "ImagePullBackOff" in pull.last_exit_reason
    )
    old_serving = workload_report(spec, _deployment("v6"), [_pod("v6", ready=True)], None)
    assert old_serving.release == "v6" and old_serving.phase == "pending"
    broken = workload_report(spec, None, [], "403 Forbidden")
    assert broken.phase == "failed" and broken.last_exit_reason == "403 Forbidden"
