"""GitHubIdentity: sign-in with GitHub OAuth through Authlib, with ``state`` and PKCE (S256) and the exact
redirect URI sent on both legs. Base URLs are settings so tests (and GitHub Enterprise) can point elsewhere."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

import httpx2
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from starbase.errors import Unauthenticated, UpstreamUnavailable
from starbase.ports import IdentityProfile

SCOPE = "read:user user:email"


class GitHubIdentity:
    def __init__(
        self, *, client_id: str, client_secret: str, oauth_url: str, api_url: str, timeout: float = 10
    ) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self._oauth_url, self._api_url = oauth_url.rstrip("/"), api_url.rstrip("/")
        self._timeout = timeout

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            self._client_id,
            self._client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=self._timeout,
        )

    def authorization_url(self, *, redirect_uri: str) -> tuple[str, dict[str, Any]]:
        verifier = generate_token(64)
        with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                f"{self._oauth_url}/login/oauth/authorize", code_verifier=verifier
            )
        return url, {"state": state, "code_verifier": verifier, "redirect_uri": redirect_uri}

    def complete(self, *, params: Mapping[str, str], saved: Mapping[str, Any]) -> IdentityProfile:
        if "error" in params:
            raise Unauthenticated(f"GitHub sign-in failed: {params.get('error_description') or params['error']}")
        state = params.get("state", "")
        if not saved.get("state") or not hmac.compare_digest(state, str(saved["state"])):
            raise Unauthenticated("sign-in state does not match: start again from the sign-in page")
        if not params.get("code"):
            raise Unauthenticated("GitHub sent no authorization code")
        try:
            with self._client(str(saved["redirect_uri"])) as client:
                client.fetch_token(
                    f"{self._oauth_url}/login/oauth/access_token",
                    code=params["code"],
                    code_verifier=saved["code_verifier"],
                    headers={"Accept": "application/json"},
                )
                user = client.get(f"{self._api_url}/user", headers={"Accept": "application/vnd.github+json"})
                user.raise_for_status()
                data = user.json()
        except OAuthError as e:
            raise Unauthenticated(f"GitHub refused the sign-in: {e.description or e.error}") from e
        except httpx2.HTTPError as e:
            raise UpstreamUnavailable(f"GitHub did not answer: {e}", retry_after=10) from e
        return IdentityProfile(
            provider="github",
            subject=str(data["id"]),
            login=str(data["login"]),
            name=data.get("name"),
            email=data.get("email"),
        )
