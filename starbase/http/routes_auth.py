"""Browser sign-in: GitHub OAuth (state + PKCE kept in a sealed, short-lived, httpOnly cookie; the exact
redirect URI on both legs), embedded mode's one-time link, and sign-out. Sessions live in an httpOnly
cookie whose value is a random token stored hashed."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from starbase.bootstrap import Starbase
from starbase.crypto import SecretUnreadable
from starbase.errors import NotFound, Unauthenticated
from starbase.http.deps import SB, SESSION_COOKIE
from starbase.services import auth
from starbase.services.auth import SESSION_TTL

router = APIRouter(tags=["sign-in"])
OAUTH_COOKIE = "starform_oauth"
OAUTH_CONTEXT = "oauth-state"


def _redirect_uri(sb: Starbase) -> str:
    return sb.settings.public_url.rstrip("/") + "/auth/github/callback"


def _signed_in(sb: Starbase, session_secret: str) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_secret,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=sb.settings.secure_cookies,
        path="/",
    )
    return response


@router.get("/auth/github/login")
def github_login(sb: SB) -> RedirectResponse:
    if sb.identity is None:
        raise NotFound("GitHub sign-in is not configured (STARFORM_GITHUB_CLIENT_ID and _SECRET)")
    url, saved = sb.identity.authorization_url(redirect_uri=_redirect_uri(sb))
    sealed = sb.secrets.seal(json.dumps(saved), context=OAUTH_CONTEXT)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        OAUTH_COOKIE,
        base64.urlsafe_b64encode(sealed).decode(),
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=sb.settings.secure_cookies,
        path="/auth/github",
    )
    return response


@router.get("/auth/github/callback")
def github_callback(request: Request, sb: SB) -> RedirectResponse:
    if sb.identity is None:
        raise NotFound("GitHub sign-in is not configured")
    cookie = request.cookies.get(OAUTH_COOKIE)
    if not cookie:
        raise Unauthenticated("sign-in took too long or started elsewhere: start again from the sign-in page")
    try:
        saved = json.loads(sb.secrets.open(base64.urlsafe_b64decode(cookie.encode()), context=OAUTH_CONTEXT))
    except (SecretUnreadable, ValueError) as e:  # binascii.Error and JSONDecodeError are ValueErrors
        raise Unauthenticated("sign-in state is unreadable: start again from the sign-in page") from e
    profile = sb.identity.complete(params=dict(request.query_params), saved=saved)
    response = _signed_in(sb, auth.sign_in_identity(uow=sb.uow, clock=sb.clock, profile=profile))
    response.delete_cookie(OAUTH_COOKIE, path="/auth/github")
    return response


@router.get("/auth/local")
def local_sign_in(token: str, sb: SB) -> RedirectResponse:
    """Embedded mode's one-time sign-in link, as printed by ``starform up``."""
    return _signed_in(sb, auth.redeem_login_link(uow=sb.uow, clock=sb.clock, secret=token))


@router.post("/auth/logout")
def logout(request: Request, sb: SB) -> RedirectResponse:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        auth.end_session(uow=sb.uow, clock=sb.clock, secret=secret)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
