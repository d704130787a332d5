"""The whole path on Kubernetes: `starform api`, a cluster registered with --kind kubernetes, an app whose
release is an image, and `shuttle once --target kubernetes` (the console script, a kubeconfig for the
real kube-apiserver, Shuttle's least-privilege user) applying it; the report reaches Starbase, and a
second run has nothing to do."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client

from starbase.bootstrap import bootstrap
from starbase.config import load_settings
from starbase.contracts import Artifact
from starbase.services.access import SYSTEM
from starbase.services.releases import release_artifact
from tests.e2e.conftest import run
from tests.kube import ADMIN_TOKEN, SHUTTLE_TOKEN, KubeServer

pytestmark = pytest.mark.slow
DIGEST = "sha256:" + "7e" * 32


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeServer]:
    server = KubeServer().start()
    yield server
    server.stop()


def sf(env: dict[str, str], *args: str) -> object:
    result = run(["starform", *args, "-o", "json"], env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def kubeconfig(kube: KubeServer, path: Path) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "t", "cluster": {"server": kube.url, "insecure-skip-tls-verify": True}}],
                "users": [{"name": "shuttle", "user": {"token": SHUTTLE_TOKEN}}],
                "contexts": [{"name": "t", "context": {"cluster": "t", "user": "shuttle"}}],
                "current-context": "t",
            }
        )
    )
    return path


def test_shuttle_once_applies_an_image_release_to_kubernetes(
    api: dict[str, str], kube: KubeServer, tmp_path: Path
) -> None:
    token = sf(api, "admin", "token", "create", "--workspace", "acme", "--role", "owner")["token"]  # type: ignore[index]
    assert run(["starform", "login", "--url", api["API_URL"], "--token", token], api).returncode == 0
    cluster = sf(api, "clusters", "register", "k8s-1", "--region", "eu", "--kind", "kubernetes")
    sf(api, "apps", "create", "web", "--repo", "https://git.example/web.git")
    sb = bootstrap(load_settings(data_dir=api["STARFORM_DATA_DIR"]))
    try:  # what a Depot build would have produced: an image pinned by digest
        release_artifact(
            uow=sb.uow,
            box=sb.secrets,
            clock=sb.clock,
            principal=SYSTEM,
            workspace="acme",
            app="web",
            artifact=Artifact(kind="image", ref="registry.example/acme/web:main", digest=DIGEST),
            description="Deploy build 1",
        )
    finally:
        sb.close()
    sf(api, "env", "set", "web", "GREETING=hello")

    shuttle = {
        **api,
        "SHUTTLE_KUBECONFIG": str(kubeconfig(kube, tmp_path / "kubeconfig")),
        "SHUTTLE_GATEWAY_NAMESPACE": "edge",
    }
    args = ["shuttle", "once", "--target", "kubernetes", "--control-plane", api["API_URL"]]
    first = run([*args, "--token", cluster["token"]], shuttle)  # type: ignore[index]
    assert first.returncode == 0 and ": 1 actions, 0 errors" in first.stdout, (first.stdout, first.stderr)

    admin = kube.client(ADMIN_TOKEN)
    deployment = client.AppsV1Api(admin).read_namespaced_deployment("web", "acme-production")
    assert deployment.spec.template.spec.containers[0].image == f"registry.example/acme/web@{DIGEST}"
    assert deployment.metadata.labels["starform.dev/release"] == "v2"
    secret = client.CoreV1Api(admin).read_namespaced_secret("web-env", "acme-production")
    assert base64.b64decode(secret.data["GREETING"]).decode() == "hello"
    route = client.CustomObjectsApi(admin).get_namespaced_custom_object(
        "gateway.networking.k8s.io", "v1", "acme-production", "httproutes", "web"
    )
    assert route["spec"]["parentRefs"][0]["namespace"] == "edge"

    status = sf(api, "status", "web")
    assert status["cluster"] == "k8s-1" and status["status"] in ("deploying", "pending"), status  # type: ignore[index]
    leases = {c["name"]: c["lease_state"] for c in sf(api, "clusters", "list")}  # type: ignore[union-attr,index]
    assert leases["k8s-1"] == "ready"  # the report renewed the lease

    again = run([*args, "--token", cluster["token"]], shuttle)  # type: ignore[index]
    assert again.returncode == 0 and ": 0 actions, 0 errors" in again.stdout, (again.stdout, again.stderr)
