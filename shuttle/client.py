"""Shuttle's only link to Starbase: HTTP. Fetch the desired state with ``If-None-Match``, post reports,
ship log lines as NDJSON, download artifacts. Errors are classified for the loop: ``Fatal`` (401/403: the
token is wrong or revoked, stop) and ``Transient`` (network, 5xx: keep the last good state, back off)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx

from starbase.contracts import ClusterReport, DesiredState, LogLine


class Fatal(Exception):
    """Stop the agent: retrying cannot help."""


class Transient(Exception):
    """Try again later; keep what we have."""


class ControlPlane:
    def __init__(self, url: str, token: str, cluster_id: str | None = None, *, timeout: float = 15) -> None:
        self._http = httpx.Client(
            base_url=url.rstrip("/"), timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )
        self._cluster_id = cluster_id

    @property
    def cluster_id(self) -> str:
        """Known from the token itself: Starbase says which cluster it belongs to."""
        if self._cluster_id is None:
            me = self._send("GET", "/api/v1/me").json()
            if me.get("kind") != "cluster" or not me.get("cluster_id"):
                raise Fatal("SHUTTLE_TOKEN is not a cluster token (use the one `starform clusters register` printed)")
            self._cluster_id = str(me["cluster_id"])
        return self._cluster_id

    def desired_state(self, etag: str | None) -> tuple[DesiredState | None, str | None]:
        """(state, etag); state is None when unchanged since ``etag`` (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", f"/api/v1/clusters/{self.cluster_id}/desired-state", headers=headers)
        if response.status_code == 304:
            return None, etag
        try:
            return DesiredState.model_validate_json(response.content), response.headers.get("ETag")
        except ValueError as e:
            raise Transient(f"desired state is not valid: {e}") from e

    def report(self, report: ClusterReport) -> None:
        self._send(
            "POST",
            f"/api/v1/clusters/{self.cluster_id}/reports",
            content=report.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    def ship_logs(self, lines: Sequence[LogLine]) -> None:
        if lines:
            body = "\n".join(line.model_dump_json(exclude_none=True) for line in lines)
            self._send("POST", "/api/v1/logs/ingest", content=body, headers={"Content-Type": "application/x-ndjson"})

    def download(self, digest: str, target: Path) -> None:
        tmp = target.with_suffix(".part")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._http.stream("GET", f"/api/v1/clusters/{self.cluster_id}/artifacts/{digest}") as response:
                _raise_for(response)
                with tmp.open("wb") as handle:
                    for chunk in response.iter_bytes():
                        handle.write(chunk)
        except httpx.HTTPError as e:
            raise Transient(f"downloading {digest}: {e}") from e
        tmp.replace(target)

    def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as e:
            raise Transient(f"{method} {path}: {e}") from e
        _raise_for(response)
        return response


def _raise_for(response: httpx.Response) -> None:
    if response.status_code in (401, 403):
        raise Fatal(
            f"Starbase refused this cluster's token ({response.status_code}): register the cluster again "
            "or fix SHUTTLE_TOKEN"
        )
    if response.status_code == 404:
        raise Fatal("Starbase does not know this cluster (404): check the cluster id and token")
    if response.status_code >= 400 and response.status_code != 304:
        raise Transient(f"Starbase answered {response.status_code}")
