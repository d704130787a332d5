"""The Kubernetes target against a real kube-apiserver + etcd, as Shuttle's least-privilege user: apply
from empty, a second tick with zero writes (the API server's own counter), drift repair, pruning, an
unowned object left alone, Starbase unreachable → nothing deleted, and a pod status written by the test
(standing in for a kubelet) reported as crash-looping."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from shuttle.agent import Agent
from shuttle.client import ControlPlane
from shuttle.config import ShuttleConfigError, load_settings
from shuttle.plan import plan
from shuttle.targets.kubernetes.connect import kube_target
from shuttle.targets.kubernetes.target import KubernetesTarget
from starbase.contracts import Artifact, DesiredState, WorkloadSpec
from tests.kube import ADMIN_TOKEN, SHUTTLE_TOKEN, KubeServer
from tests.servers import free_port

NS = "acme-production"
CLUSTER = uuid.uuid4()


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeServer]:
    server = KubeServer().start()
    yield server
    server.stop()


@pytest.fixture
def admin(kube: KubeServer) -> client.ApiClient:
    return kube.client(ADMIN_TOKEN)


def spec(app: str, *, replicas: int = 1, release: int = 1, namespace: str = NS, **extra: object) -> WorkloadSpec:
    return WorkloadSpec(
        workspace=namespace.split("-")[0],
        app=app,
        environment="production",
        release=f"v{release}",
        release_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{app}/{release}"),
        artifact=Artifact(kind="image", ref=f"registry.example/{app}:main", digest="sha256:" + f"{release}" * 64),
        command=["gunicorn", "app:app"],
        port=8000,
        replicas=replicas,
        env={"DATABASE_URL": f"postgres://{app}:s3cret@db/{app}", "DEBUG": "0"},
        hostnames=[f"{app}-acme.apps.example.com"],
        namespace=namespace,
        **extra,  # type: ignore[arg-type]
    )


def state(*workloads: WorkloadSpec, generation: int = 1) -> DesiredState:
    return DesiredState(cluster_id=CLUSTER, generation=generation, workloads=list(workloads))


def pdb(admin: client.ApiClient, name: str) -> dict:  # type: ignore[type-arg]
    """A PodDisruptionBudget as the 1.20 server serves it (policy/v1beta1, which the client has no class for)."""
    return client.CustomObjectsApi(admin).get_namespaced_custom_object(
        "policy", "v1beta1", NS, "poddisruptionbudgets", name
    )


def tick(target: KubernetesTarget, desired: DesiredState) -> tuple[int, list[str]]:
    actions = plan(desired, target.observe(desired))
    return len(actions), target.apply(actions) if actions else []


def test_apply_from_empty_then_a_tick_without_writes(kube: KubeServer, admin: client.ApiClient) -> None:
    target = KubernetesTarget(kube.client())
    assert target.opts.pdb_api_version == "policy/v1beta1"  # discovered: a 1.20 server
    desired = state(spec("web", replicas=2), spec("api"))
    actions, errors = tick(target, desired)
    assert (actions, errors) == (2, [])
    core, apps = client.CoreV1Api(admin), client.AppsV1Api(admin)
    ns = core.read_namespace(NS)
    assert ns.metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"
    policies = client.NetworkingV1Api(admin).list_namespaced_network_policy(NS).items
    assert {p.metadata.name for p in policies} == {"default-deny-ingress", "allow-from-gateway"}
    assert core.read_namespaced_resource_quota("starform-quota", NS).spec.hard["pods"] == "200"
    assert core.read_namespaced_limit_range("starform-defaults", NS).spec.limits[0].default["cpu"] == "500m"
    assert core.read_namespaced_service_account("web", NS).automount_service_account_token is False
    secret = core.read_namespaced_secret("web-env", NS)
    assert base64.b64decode(secret.data["DATABASE_URL"]).decode() == "postgres://web:s3cret@db/web"
    deployment = apps.read_namespaced_deployment("web", NS)
    assert "s3cret" not in json.dumps(admin.sanitize_for_serialization(deployment))  # env only via the Secret
    pod = deployment.spec.template.spec
    container = pod.containers[0]
    assert container.image == "registry.example/web@sha256:" + "1" * 64
    assert deployment.spec.strategy.rolling_update.max_unavailable == 0
    assert deployment.spec.strategy.rolling_update.max_surge == 1
    assert container.readiness_probe.http_get.path == "/" and container.liveness_probe.http_get.port == "http"
    assert container.lifecycle.pre_stop._exec.command == ["sleep", "5"] and pod.termination_grace_period_seconds == 30
    assert container.env_from[0].secret_ref.name == "web-env"
    assert container.security_context.capabilities.drop == ["ALL"]
    assert container.security_context.allow_privilege_escalation is False
    assert (
        pod.security_context.run_as_non_root is True and pod.security_context.seccomp_profile.type == "RuntimeDefault"
    )
    assert pod.automount_service_account_token is False
    assert container.resources.limits == {"cpu": "500m", "memory": "512Mi"}
    assert deployment.metadata.labels["app.kubernetes.io/managed-by"] == "starform"
    assert deployment.metadata.labels["starform.dev/release"] == "v1"
    route = client.CustomObjectsApi(admin).get_namespaced_custom_object(
        "gateway.networking.k8s.io", "v1", NS, "httproutes", "web"
    )
    assert route["spec"]["hostnames"] == ["web-acme.apps.example.com"]
    assert route["spec"]["parentRefs"][0]["name"] == "starform"
    assert pdb(admin, "web")["spec"]["maxUnavailable"] == 1
    with pytest.raises(ApiException) as missing:
        pdb(admin, "api")
    assert missing.value.status == 404  # one replica: no budget

    before = kube.write_requests()
    again = KubernetesTarget(kube.client())  # a restarted Shuttle sees the same: nothing to do
    assert tick(again, desired) == (0, [])
    assert tick(target, desired) == (0, [])
    assert kube.write_requests() - before == 0 and again.writes == 0


def test_drift_is_repaired_on_the_next_tick(kube: KubeServer, admin: client.ApiClient) -> None:
    target = KubernetesTarget(kube.client())
    desired = state(spec("web", replicas=2), spec("api"))
    tick(target, desired)
    core, apps = client.CoreV1Api(admin), client.AppsV1Api(admin)
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "evil.example/miner:latest"}]}}}})  # fmt: skip
    core.delete_namespaced_secret("api-env", NS)
    client.NetworkingV1Api(admin).delete_namespaced_network_policy("default-deny-ingress", NS)
    actions, errors = tick(target, desired)
    assert errors == [] and actions == 2
    assert (
        apps.read_namespaced_deployment("web", NS)
        .spec.template.spec.containers[0]
        .image.startswith("registry.example/web@sha256:")
    )
    assert core.read_namespaced_secret("api-env", NS).data["DEBUG"] == base64.b64encode(b"0").decode()
    client.NetworkingV1Api(admin).read_namespaced_network_policy("default-deny-ingress", NS)
    before = kube.write_requests()
    assert tick(target, desired) == (0, []) and kube.write_requests() == before


def test_scale_and_new_release(kube: KubeServer, admin: client.ApiClient) -> None:
    target = KubernetesTarget(kube.client())
    tick(target, state(spec("web", replicas=2), spec("api")))
    assert tick(target, state(spec("web", replicas=1), spec("api", release=2))) == (2, [])
    apps = client.AppsV1Api(admin)
    assert apps.read_namespaced_deployment("web", NS).spec.replicas == 1
    with pytest.raises(ApiException):
        pdb(admin, "web")  # pruned at one replica
    api = apps.read_namespaced_deployment("api", NS)
    assert api.metadata.labels["starform.dev/release"] == "v2" and api.spec.template.spec.containers[0].image.endswith(
        "2" * 64
    )


def test_pruning_and_unowned_objects(kube: KubeServer, admin: client.ApiClient) -> None:
    core, apps = client.CoreV1Api(admin), client.AppsV1Api(admin)
    target = KubernetesTarget(kube.client())
    tick(target, state(spec("web"), spec("api"), spec("side", namespace="beta-production")))
    # someone else's objects: a Service named like a Starform app, and a ConfigMap in a Starform namespace
    core.create_namespaced_service(NS, {"metadata": {"name": "blog"}, "spec": {"ports": [{"port": 81}]}})
    core.create_namespaced_config_map(NS, {"metadata": {"name": "theirs"}, "data": {"a": "b"}})
    actions, errors = tick(target, state(spec("web"), spec("blog"), generation=2))
    assert actions == 4 and len(errors) == 1 and "blog" in errors[0]  # deploy blog; remove api, side, beta ns
    assert "not Starform's" in errors[0]
    blog = core.read_namespaced_service("blog", NS)
    assert blog.spec.ports[0].port == 81 and not (blog.metadata.labels or {})  # untouched
    with pytest.raises(ApiException) as gone:
        apps.read_namespaced_deployment("api", NS)
    assert gone.value.status == 404
    with pytest.raises(ApiException):
        core.read_namespaced_secret("api-env", NS)
    assert apps.read_namespaced_deployment("web", NS).metadata.name == "web"
    assert core.read_namespaced_config_map("theirs", NS).data == {"a": "b"}
    beta = core.read_namespace("beta-production")  # no workloads left there: pruned (no namespace controller
    assert beta.metadata.deletion_timestamp is not None  # runs here, so it stays Terminating)
    assert core.list_namespaced_resource_quota("beta-production").items == []
    report = {r.app: r for r in target.report()}
    assert report["blog"].phase == "failed" and "not Starform's" in (report["blog"].last_exit_reason or "")
    assert report["web"].phase == "pending"  # no controllers here: no pods yet
    core.delete_namespaced_service("blog", NS, _preload_content=False)


def test_starbase_unreachable_deletes_nothing(kube: KubeServer, admin: client.ApiClient) -> None:
    target = KubernetesTarget(kube.client())
    desired = state(spec("web"), spec("api"), generation=5)
    tick(target, desired)
    gone = ControlPlane(f"http://127.0.0.1:{free_port()}", "sf_cluster_x", cluster_id=str(CLUSTER), timeout=1)
    agent = Agent(gone, target, interval=1)
    agent.desired = desired  # the last good desired state, fetched before Starbase went away
    before = kube.write_requests()
    for _ in range(2):
        result = agent.tick()
        assert result.fetched is False and result.actions == 0
    assert kube.write_requests() == before
    assert {d.metadata.name for d in client.AppsV1Api(admin).list_namespaced_deployment(NS).items} >= {"web", "api"}


def test_a_crash_looping_pod_is_reported_with_failed_rollouts(kube: KubeServer, admin: client.ApiClient) -> None:
    target = KubernetesTarget(kube.client())
    web = spec("web", release=3)
    tick(target, state(web))
    labels = client.AppsV1Api(admin).read_namespaced_deployment("web", NS).spec.template.metadata.labels
    core = client.CoreV1Api(admin)
    core.create_namespaced_pod(
        NS,
        {"metadata": {"name": "web-abc12", "labels": labels}, "spec": {"containers": [{"name": "app", "image": "x"}]}},
    )
    core.patch_namespaced_pod_status(
        "web-abc12",
        NS,
        {"status": {"phase": "Running", "containerStatuses": [{
            "name": "app", "image": "x", "imageID": "", "ready": False, "restartCount": 3,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "ImportError: no module app"}},
        }]}},
    )  # fmt: skip
    (report,) = target.report()
    assert report.phase == "crash_looping" and report.crash_looping
    assert report.failed_rollouts == 3 and report.failure == "application" and report.restarts == 3
    assert report.last_exit_reason == "Error (exit code 1): ImportError: no module app"
    core.delete_namespaced_pod("web-abc12", NS, grace_period_seconds=0)


def test_a_slug_cannot_run_here_and_says_why(kube: KubeServer) -> None:
    target = KubernetesTarget(kube.client())
    slug = spec("legacy").model_copy(
        update={"artifact": Artifact(kind="slug", ref="slugs/x.tgz", digest="sha256:" + "f" * 64)}
    )
    _actions, errors = tick(target, state(spec("web"), slug))
    assert len(errors) == 1 and "slug" in errors[0] and "legacy" in errors[0]
    assert {r.app: r.phase for r in target.report()} == {"web": "pending", "legacy": "failed"}


def test_settings_build_the_target_from_a_kubeconfig(kube: KubeServer, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "test", "cluster": {"server": kube.url, "insecure-skip-tls-verify": True}}],
                "users": [{"name": "shuttle", "user": {"token": SHUTTLE_TOKEN}}],
                "contexts": [{"name": "test", "context": {"cluster": "test", "user": "shuttle"}}],
                "current-context": "test",
            }
        )
    )
    settings = load_settings(target="kubernetes", kubeconfig=kubeconfig, gateway_name="edge", gateway_namespace="gw")
    target = kube_target(settings)
    assert (target.opts.gateway_name, target.opts.gateway_namespace, target.opts.pdb_api_version) == (
        "edge",
        "gw",
        "policy/v1beta1",
    )
    assert tick(target, state(spec("web"), generation=9)) == (1, [])
    route = client.CustomObjectsApi(kube.client(ADMIN_TOKEN)).get_namespaced_custom_object(
        "gateway.networking.k8s.io", "v1", NS, "httproutes", "web"
    )
    assert route["spec"]["parentRefs"][0]["name"] == "edge" and route["spec"]["parentRefs"][0]["namespace"] == "gw"
    with pytest.raises(ShuttleConfigError) as bad:
        kube_target(load_settings(target="kubernetes", kubeconfig=tmp_path / "missing"))
    assert "SHUTTLE_KUBECONFIG" in str(bad.value)


def test_a_cluster_without_the_gateway_api_gets_a_clear_error() -> None:
    bare = KubeServer(gateway_api=False).start()
    try:
        target = KubernetesTarget(bare.client())
        _actions, errors = tick(target, state(spec("web")))
        assert len(errors) == 1 and "does not serve a kind" in errors[0] and "HTTPRoute" in errors[0]
        (report,) = target.report()
        assert report.phase == "failed" and "Gateway API" in (report.last_exit_reason or "")
        assert client.AppsV1Api(bare.client(ADMIN_TOKEN)).read_namespaced_deployment("web", NS).metadata.name == "web"
    finally:
        bare.stop()
