"""Building the Kubernetes target from Shuttle's settings: a kubeconfig file when one is given, the
in-cluster service account otherwise (Shuttle's Deployment in deploy/shuttle)."""

from __future__ import annotations

import os

from kubernetes import client, config

from shuttle.config import ShuttleConfigError, ShuttleSettings
from shuttle.targets.kubernetes.manifests import KubeOptions
from shuttle.targets.kubernetes.target import KubernetesTarget


def api_client(settings: ShuttleSettings) -> client.ApiClient:
    try:
        if settings.kubeconfig is not None:
            return config.new_client_from_config(config_file=str(settings.kubeconfig), context=settings.kube_context)
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config()
            return client.ApiClient()
        return config.new_client_from_config(context=settings.kube_context)
    except config.ConfigException as e:
        raise ShuttleConfigError(f"SHUTTLE_KUBECONFIG: no usable Kubernetes configuration: {e}") from None


def options(settings: ShuttleSettings, *, pdb_api_version: str = "policy/v1") -> KubeOptions:
    return KubeOptions(
        gateway_name=settings.gateway_name,
        gateway_namespace=settings.gateway_namespace,
        gateway_section=settings.gateway_section,
        pdb_api_version=pdb_api_version,
    )


def kube_target(settings: ShuttleSettings) -> KubernetesTarget:
    target = KubernetesTarget(api_client(settings))
    target.opts = options(settings, pdb_api_version=target.opts.pdb_api_version)
    return target
