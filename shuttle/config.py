"""Shuttle's settings: the one reader of the environment for the agent process (``SHUTTLE_*``)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ShuttleConfigError(Exception):
    """A bad ``SHUTTLE_*`` setting; the message names it."""


class ShuttleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHUTTLE_", extra="ignore", frozen=True)

    control_plane: AnyHttpUrl | None = Field(None, description="Starbase's URL, e.g. https://starform.example.")
    token: SecretStr | None = Field(None, description="This cluster's token from `starform clusters register`.")
    target: Literal["local", "kubernetes"] = Field("local", description="Where workloads are applied.")
    interval: float = Field(30.0, gt=0, le=3600, description="Seconds between reconcile ticks (with jitter).")
    state_dir: Path = Field(Path(".shuttle"), description="Local target: slugs, releases, replica logs, state.")
    apps_port: int = Field(8080, ge=1, le=65535, description="Local target: where Caddy serves the apps.")
    caddy_admin_port: int = Field(2019, ge=1, le=65535, description="Local target: Caddy's admin API (loopback).")
    kubeconfig: Path | None = Field(None, description="Kubernetes target: a kubeconfig file (default: in-cluster).")
    kube_context: str | None = Field(None, description="Kubernetes target: the kubeconfig context to use.")
    gateway_name: str = Field("starform", description="Kubernetes target: the Gateway every HTTPRoute attaches to.")
    gateway_namespace: str = Field("starform-gateway", description="Kubernetes target: the Gateway's namespace.")
    gateway_section: str | None = Field(None, description="Kubernetes target: the Gateway listener to attach to.")


def load_settings(**overrides: object) -> ShuttleSettings:
    """Environment first, then ``overrides`` (command-line options); one clear error per bad value."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return ShuttleSettings(**clean)  # type: ignore[arg-type]
    except ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        raise ShuttleConfigError(f"SHUTTLE_{field.upper()}: {first['msg']}") from e


@functools.lru_cache(maxsize=1)
def get_settings() -> ShuttleSettings:
    return load_settings()
