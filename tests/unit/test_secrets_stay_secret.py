"""Secret values never appear in API answers (outside an admin's reveal and the cluster's own desired
state), in events, in the audit log, or in log output."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from starbase.models import AuditEntry, Event, Release
from tests.unit.world import GROUP_SECRET, SECRET, World

WS = "/api/v1/workspaces/acme"


def test_secrets_never_leak(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world.deploy(1)
    world.call("owner", "PATCH", f"{WS}/apps/web/env", json={"set": {"DB_PASSWORD": "pw-" + SECRET}})
    world.call("owner", "POST", f"{WS}/apps/web/rollback", json={})
    made = world.call("owner", "POST", f"{WS}/tokens", json={"name": "ci", "role": "viewer"}).json()
    reads = [
        f"{WS}/apps",
        f"{WS}/apps/web",
        f"{WS}/apps/web/env",
        f"{WS}/apps/web/releases",
        f"{WS}/apps/web/status",
        f"{WS}/vargroups",
        f"{WS}/vargroups/shared",
        f"{WS}/events",
        f"{WS}/audit",
        f"{WS}/tokens",
        f"{WS}/members",
        "/api/v1/clusters",
        "/api/v1/me",
    ]
    for path in reads:
        text = world.call("owner", "GET", path).text
        for secret in (SECRET, GROUP_SECRET, made["token"], world.cluster_token):
            assert secret not in text, (path, secret)
    with world.sb.uow as uow:
        stored = [f"{e.message} {e.reason} {e.data}" for e in uow.session.exec(select(Event)).all()]
        stored += [f"{a.action} {a.resource_name} {a.data}" for a in uow.session.exec(select(AuditEntry)).all()]
        stored += [str(r.changes) + r.description for r in uow.session.exec(select(Release)).all()]
    for text in stored:
        assert SECRET not in text and GROUP_SECRET not in text
    assert caplog.records, "the flow logs something"
    assert SECRET not in caplog.text and GROUP_SECRET not in caplog.text
    assert made["token"] not in caplog.text
