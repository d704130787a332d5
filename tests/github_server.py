"""A local stand-in for GitHub's OAuth and user endpoints, served over real HTTP for tests.

It checks what GitHub checks: the client id and secret, a single-use code bound to the exact redirect URI,
and PKCE (S256) — the ``code_verifier`` must hash to the ``code_challenge`` given at authorize time.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.servers import free_port

USER = {"id": 4242, "login": "Octo-Dev", "name": "Octo Dev", "email": "octo@example.com"}


class GitHubServer:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                Route("/login/oauth/authorize", self.authorize),
                Route("/login/oauth/access_token", self.access_token, methods=["POST"]),
                Route("/user", self.user),
            ]
        )
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> GitHubServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("local GitHub server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "bad_request"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "pkce_required"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "challenge": q["code_challenge"]}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

    async def access_token(self, request: Request) -> Response:
        form = await request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return JSONResponse({"error": "incorrect_client_credentials"})
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse(
                {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}
            )
        digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return JSONResponse({"error": "bad_verification_code", "error_description": "PKCE verification failed."})
        token = secrets.token_urlsafe(20)
        self.tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})

    async def user(self, request: Request) -> Response:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse(USER)
