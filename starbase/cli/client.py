"""The CLI's link to Starbase: resolving URL, token and workspace (options, then ``STARFORM_*``, then the
saved login), the saved login file, and an HTTP client that turns API errors into ``StarbaseError``s."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from starbase.config import load_client_settings
from starbase.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    StarbaseError,
    Unauthenticated,
    UpstreamUnavailable,
)

ERRORS: dict[int, type[StarbaseError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
}


@dataclass
class Globals:
    """The global options: ``--output``, ``--url``, ``--token``, ``--workspace``."""

    output: str = "table"
    url: str | None = None
    token: str | None = None
    workspace: str | None = None


def read_saved(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        return {k: str(v) for k, v in tomllib.loads(path.read_text()).items()}
    except tomllib.TOMLDecodeError as e:
        raise Invalid(f"cannot read {path}: {e}", field="STARFORM_CONFIG") from e


def save_login(values: dict[str, str]) -> Path:
    path = load_client_settings().config
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{key} = {json.dumps(value)}\n" for key, value in values.items() if value)
    os.replace(tmp, path)
    return path


class Api:
    """A thin httpx client for ``/api/v1`` that raises the error taxonomy on 4xx/5xx."""

    def __init__(self, g: Globals, *, timeout: float = 30) -> None:
        settings = load_client_settings()
        saved = read_saved(settings.config)
        self.url = (g.url or settings.url or saved.get("url") or "").rstrip("/")
        token = g.token or (settings.token.get_secret_value() if settings.token else None) or saved.get("token")
        if not self.url:
            raise Invalid("no Starform URL: pass --url, set STARFORM_URL, or run `starform login`", field="url")
        if not token:
            raise Invalid("no token: pass --token, set STARFORM_TOKEN, or run `starform login`", field="token")
        self._workspace = g.workspace or settings.workspace or saved.get("workspace")
        self._http = httpx.Client(base_url=self.url, timeout=timeout, headers={"Authorization": f"Bearer {token}"})

    def workspace(self) -> str:
        if self._workspace is None:
            me = self.get("/me")
            self._workspace = me.get("default_workspace")
            if not self._workspace:
                raise Invalid("which workspace? pass --workspace or set STARFORM_WORKSPACE", field="workspace")
        return self._workspace

    def ws(self, path: str = "") -> str:
        return f"/workspaces/{self.workspace()}{path}"

    def get(self, path: str, **params: Any) -> Any:
        return self._send("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("POST", path, json=body)

    def patch(self, path: str, body: Any) -> Any:
        return self._send("PATCH", path, json=body)

    def put(self, path: str) -> Any:
        return self._send("PUT", path)

    def delete(self, path: str) -> Any:
        return self._send("DELETE", path)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, "/api/v1" + path, **kwargs)
        except httpx.TransportError as e:
            raise UpstreamUnavailable(f"cannot reach Starform at {self.url}: {e}") from e
        if response.status_code >= 400:
            raise _error(response)
        return response.json() if response.content else None


def _error(response: httpx.Response) -> StarbaseError:
    try:
        body = response.json()["error"]
        message, field = str(body["message"]), body.get("field")
    except (ValueError, KeyError, TypeError):
        message, field = f"HTTP {response.status_code}: {response.text[:200]}", None
    if response.status_code == 422:
        return Invalid(message, field=field or "input")
    cls = ERRORS.get(response.status_code, UpstreamUnavailable if response.status_code >= 500 else StarbaseError)
    return cls(message, field=field)
