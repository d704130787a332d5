"""deploy/ checked offline: every Kubernetes manifest parses and validates with kubernetes-validate
(Gateway API kinds, which it has no schemas for, by their required fields), Shuttle's ClusterRole grants
exactly the kinds the Kubernetes target applies and observes, and the telemetry agents' configurations
parse and ship records shaped as Starbase's LogLine to its ingest endpoint."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from shuttle.targets.kubernetes.target import KINDS
from starbase.contracts import LogLine

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = kubernetes_validate.latest_version()
GATEWAY_KINDS = {"Gateway", "GatewayClass", "HTTPRoute"}
MANIFESTS = sorted(p for p in DEPLOY.glob("*/*.yaml") if p.parent.name != "telemetry")
PLURAL = {
    "Namespace": "namespaces", "NetworkPolicy": "networkpolicies", "ResourceQuota": "resourcequotas",
    "LimitRange": "limitranges", "ServiceAccount": "serviceaccounts", "Secret": "secrets",
    "Deployment": "deployments", "Service": "services", "HTTPRoute": "httproutes",
    "PodDisruptionBudget": "poddisruptionbudgets",
}  # fmt: skip


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_manifests_validate(path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert docs, f"{path} is empty"
    for doc in docs:
        if doc["kind"] in GATEWAY_KINDS:
            assert doc["apiVersion"] == "gateway.networking.k8s.io/v1" and doc["metadata"]["name"]
            spec = doc["spec"]
            assert ("controllerName" in spec) if doc["kind"] == "GatewayClass" else spec["gatewayClassName"]
            continue
        kubernetes_validate.validate(doc, K8S, strict=True)


def test_shuttle_rbac_is_exactly_what_the_target_needs() -> None:
    docs = list(yaml.safe_load_all((DEPLOY / "shuttle/rbac.yaml").read_text()))
    role = next(d for d in docs if d["kind"] == "ClusterRole")
    granted: dict[str, set[str]] = {}
    for rule in role["rules"]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"], "no wildcards"
        for resource in rule["resources"]:
            granted.setdefault(resource, set()).update(rule["verbs"])
    managed = {PLURAL[kind] for _version, kind in KINDS}
    assert {r for r, verbs in granted.items() if "patch" in verbs} == managed
    assert all(granted[r] == {"get", "list", "watch", "create", "patch", "delete"} for r in managed)
    assert granted["pods"] == granted["replicasets"] == {"get", "list", "watch"}
    assert set(granted) == managed | {"pods", "replicasets"}
    binding = next(d for d in docs if d["kind"] == "ClusterRoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "shuttle", "namespace": "starform-system"}]


def test_vmagent_scrapes_starform_pods_with_workload_labels() -> None:
    config = yaml.safe_load((DEPLOY / "telemetry/vmagent.yaml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "starform-apps")
    targets = {r.get("target_label") for r in job["relabel_configs"]}
    assert {"workspace", "app", "environment", "release"} <= targets
    keep = next(r for r in job["relabel_configs"] if r.get("action") == "keep")
    assert keep["regex"] == "starform"
    for rule in job["relabel_configs"]:
        re.compile(str(rule.get("regex", ".*")))


def test_vector_ships_loglines_to_the_ingest_endpoint() -> None:
    config = yaml.safe_load((DEPLOY / "telemetry/vector.yaml").read_text())
    sink = config["sinks"]["starbase"]
    assert sink["uri"].endswith("/api/v1/logs/ingest") and sink["framing"]["method"] == "newline_delimited"
    assert sink["auth"]["strategy"] == "bearer" and sink["inputs"] == ["loglines"]
    source = config["transforms"]["loglines"]["source"]
    emitted = set(re.findall(r'^\s+"(\w+)":', source, re.MULTILINE))
    assert emitted <= set(LogLine.model_fields) and {"ts", "workspace", "app", "stream", "line"} <= emitted


def test_fluent_bit_ships_loglines_to_the_ingest_endpoint() -> None:
    config = yaml.safe_load((DEPLOY / "telemetry/fluent-bit.yaml").read_text())
    (output,) = config["pipeline"]["outputs"]
    assert output["uri"] == "/api/v1/logs/ingest" and output["format"] == "json_lines"
    lua = next(f for f in config["pipeline"]["filters"] if f["name"] == "lua")
    script = (DEPLOY / "telemetry" / lua["script"]).read_text()
    assert f"function {lua['call']}(" in script
    emitted = set(re.findall(r"^\s+(\w+) = ", script[script.index("local out = {") :], re.MULTILINE))
    assert emitted <= set(LogLine.model_fields) and {"ts", "workspace", "app", "stream", "line"} <= emitted
