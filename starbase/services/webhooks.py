"""GitHub push webhooks: the signature (HMAC-SHA256 of the raw body) is checked in constant time, each
delivery id is handled once, ``ping`` is answered, and a push to an app's branch starts a build of the
pushed commit for every app that follows that repository and branch."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from starbase.errors import Invalid, NotFound, Unauthenticated
from starbase.models import App, WebhookDelivery, Workspace
from starbase.ports import Clock, LogStore, UnitOfWork
from starbase.services.access import Principal
from starbase.services.builds import start_build

DELETED = "0" * 40


def verify_signature(secret: str | None, body: bytes, signature: str | None) -> None:
    if not secret:
        raise NotFound("GitHub webhooks are not configured (STARFORM_GITHUB_WEBHOOK_SECRET)")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        raise Unauthenticated("bad or missing X-Hub-Signature-256")


def normalise_repo(url: str) -> str:
    """``https://github.com/Acme/Web.git``, ``git@github.com:acme/web`` and the like compare equal."""
    text = url.strip().lower().removesuffix("/").removesuffix(".git")
    if text.startswith("git@"):
        host, _, path = text[4:].partition(":")
        return f"{host}/{path}"
    return text.split("://", 1)[-1].split("@", 1)[-1]


def handle_github(
    *,
    uow: UnitOfWork,
    clock: Clock,
    logs: LogStore,
    secret: str | None,
    body: bytes,
    signature: str | None,
    event: str | None,
    delivery: str | None,
) -> dict[str, Any]:
    verify_signature(secret, body, signature)
    if not delivery or len(delivery) > 64:
        raise Invalid("missing or too long", field="X-GitHub-Delivery")
    with uow:
        uow.session.add(WebhookDelivery(id=delivery, event=(event or "")[:64], received_at=clock.now()))
        try:
            uow.commit()
        except IntegrityError:
            return {"status": "duplicate", "delivery": delivery}
    if event == "ping":
        return {"status": "pong"}
    if event != "push":
        return {"status": "ignored", "event": event}
    try:
        payload = json.loads(body)
        ref, after, repo = payload["ref"], payload["after"], payload["repository"]
    except (ValueError, KeyError, TypeError) as e:
        raise Invalid("not a GitHub push payload", field="body") from e
    if not str(ref).startswith("refs/heads/") or after == DELETED:
        return {"status": "ignored", "reason": "not a branch push"}
    branch = str(ref).removeprefix("refs/heads/")
    urls = {normalise_repo(str(repo.get(k))) for k in ("clone_url", "html_url", "ssh_url", "git_url") if repo.get(k)}
    with uow:
        targets = [
            (ws.name, app.name)
            for app, ws in uow.session.exec(select(App, Workspace).join(Workspace)).all()
            if app.branch == branch and normalise_repo(app.repo_url) in urls
        ]
    pusher = str(payload.get("pusher", {}).get("name") or "github")
    started = []
    for workspace, app in targets:
        principal = Principal(kind="system", name=f"push by {pusher}"[:128], correlation_id=delivery)
        build = start_build(
            uow=uow,
            clock=clock,
            logs=logs,
            principal=principal,
            workspace=workspace,
            app=app,
            ref=branch,
            trigger="push",
            commit_sha=str(after),
        )
        started.append({"workspace": workspace, "app": app, "build": str(build.id)})
    return {"status": "accepted", "builds": started}
