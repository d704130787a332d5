"""A real Kubernetes API server for tests (INFRA.md): etcd and kube-apiserver v1.20.2, built from
Debian's source by scripts/kube-build.sh (``make test`` runs it; the binary is cached outside the repo),
on free loopback ports in a temporary directory. Two identities: ``admin`` (system:masters) and
``shuttle``, bound to the ClusterRole of deploy/shuttle/rbac.yaml so the tests run Shuttle with exactly
the permissions production gives it. No kubelet and no controllers: tests write pod status themselves."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import yaml
from kubernetes import client, utils
from kubernetes.dynamic import DynamicClient

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("STARFORM_KUBE_CACHE", Path.home() / ".cache/starform/k8s"))
APISERVER = CACHE / "v1.20.2-1" / "kube-apiserver"  # the name scripts/kube-build.sh caches it under
ETCD = Path(shutil.which("etcd") or "/usr/bin/etcd")
ADMIN_TOKEN, SHUTTLE_TOKEN = "admin-test-token", "shuttle-test-token"
WRITE_VERBS = {"APPLY", "PATCH", "POST", "PUT", "DELETE", "CREATE", "UPDATE", "DELETECOLLECTION"}
MANAGED = {
    "namespaces", "networkpolicies", "resourcequotas", "limitranges", "serviceaccounts", "secrets",
    "deployments", "services", "httproutes", "poddisruptionbudgets",
}  # fmt: skip


class KubeServer:
    def __init__(self, *, gateway_api: bool = True) -> None:
        self.gateway_api = gateway_api
        for binary in (APISERVER, ETCD):
            if not binary.exists():
                raise RuntimeError(f"{binary} is missing: run `make test` (it runs scripts/kube-build.sh)")
        self.root = Path(tempfile.mkdtemp(prefix="starform-kube-"))
        self.port, self.etcd_port, self.peer_port = free_port(), free_port(), free_port()
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> KubeServer:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (self.root / "sa.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (self.root / "tokens.csv").write_text(
            f'{ADMIN_TOKEN},admin,admin-uid,"system:masters"\n{SHUTTLE_TOKEN},shuttle,shuttle-uid\n'
        )
        etcd_url = f"http://127.0.0.1:{self.etcd_port}"
        self._spawn(
            "etcd",
            [str(ETCD), "--data-dir", str(self.root / "etcd"), "--listen-client-urls", etcd_url,
             "--advertise-client-urls", etcd_url, "--listen-peer-urls", f"http://127.0.0.1:{self.peer_port}",
             "--unsafe-no-fsync"],
        )  # fmt: skip
        self._spawn(
            "apiserver",
            [str(APISERVER), "--etcd-servers", etcd_url, "--bind-address", "127.0.0.1",
             "--secure-port", str(self.port), "--cert-dir", str(self.root / "certs"),
             "--token-auth-file", str(self.root / "tokens.csv"), "--authorization-mode", "RBAC",
             "--service-account-key-file", str(self.root / "sa.key"),
             "--service-account-signing-key-file", str(self.root / "sa.key"),
             "--service-account-issuer", "https://kubernetes.default.svc",
             "--disable-admission-plugins", "ServiceAccount", "--anonymous-auth=false",
             "--service-cluster-ip-range", "10.96.0.0/16"],
        )  # fmt: skip
        self._wait_ready()
        self._install()
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", headers=headers, verify=False, timeout=2).text == "ok":
                    return
            time.sleep(0.3)
        logs = "\n".join((self.root / f"{n}.log").read_text(errors="replace")[-1500:] for n in ("etcd", "apiserver"))
        raise RuntimeError(f"kube-apiserver did not become ready:\n{logs}")

    def _install(self) -> None:
        """The Gateway API's HTTPRoute kind, Shuttle's RBAC from deploy/, bound to the ``shuttle`` user."""
        admin = self.client(ADMIN_TOKEN)
        for doc in yaml.safe_load_all((ROOT / "deploy/shuttle/rbac.yaml").read_text()):
            if doc["kind"] == "ClusterRoleBinding":
                doc["subjects"].append({"kind": "User", "name": "shuttle", "apiGroup": "rbac.authorization.k8s.io"})
            utils.create_from_dict(admin, doc)
        if not self.gateway_api:
            return
        crd = yaml.safe_load((ROOT / "tests/fixtures/k8s/httproute-crd.yaml").read_text())
        utils.create_from_dict(admin, crd)
        ext = client.ApiextensionsV1Api(admin)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = ext.read_custom_resource_definition("httproutes.gateway.networking.k8s.io").status
            if any(c.type == "Established" and c.status == "True" for c in status.conditions or []):
                break
            time.sleep(0.2)
        while time.monotonic() < deadline:  # discovery serves the new kind a moment after Established
            with contextlib.suppress(Exception):
                DynamicClient(admin).resources.get(api_version="gateway.networking.k8s.io/v1", kind="HTTPRoute")
                return
            time.sleep(0.3)
        raise RuntimeError("the HTTPRoute kind never appeared in discovery")

    def client(self, token: str = SHUTTLE_TOKEN) -> client.ApiClient:
        configuration = client.Configuration()
        configuration.host = self.url
        configuration.verify_ssl = False
        configuration.api_key = {"authorization": f"Bearer {token}"}
        return client.ApiClient(configuration)

    def write_requests(self) -> int:
        """Writes to the kinds Shuttle manages that the API server has served so far, from its own
        ``apiserver_request_total`` counter (status subresources, which admission updates, excluded)."""
        text = httpx.get(
            f"{self.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, verify=False, timeout=10
        ).text
        total = 0
        for line in text.splitlines():
            if not line.startswith("apiserver_request_total{") or 'subresource="status"' in line:
                continue
            labels = line[line.index("{") + 1 : line.rindex("}")]
            fields = dict(part.split("=", 1) for part in labels.split(",") if "=" in part)
            if fields.get("verb", "").strip('"') in WRITE_VERBS and fields.get("resource", "").strip('"') in MANAGED:
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
