"""The domain tables through the unit of work: sealed values, aware timestamps, uniqueness, rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from starbase.bootstrap import Starbase
from starbase.crypto import SecretUnreadable
from starbase.models import App, AppVariable, Environment, Member, Release, Role, User, Workspace


def make_workspace(starbase: Starbase, name: str = "acme") -> Workspace:
    with starbase.uow as uow:
        workspace = Workspace(name=name)
        uow.session.add(workspace)
        uow.commit()
    return workspace


def make_app(starbase: Starbase, workspace: Workspace, name: str = "web") -> App:
    with starbase.uow as uow:
        app = App(workspace_id=workspace.id, name=name, repo_url="file:///srv/repo.git")
        uow.session.add(app)
        uow.commit()
    return app


def test_unit_of_work_rolls_back_unless_committed(starbase: Starbase) -> None:
    with starbase.uow as uow:
        uow.session.add(Workspace(name="gone"))
    with starbase.uow as uow:
        assert uow.session.exec(select(Workspace)).all() == []


def test_unit_of_work_rolls_back_on_error(starbase: Starbase) -> None:
    with pytest.raises(RuntimeError), starbase.uow as uow:
        uow.session.add(Workspace(name="half"))
        uow.session.flush()
        raise RuntimeError("boom")
    with starbase.uow as uow:
        assert uow.session.exec(select(Workspace)).all() == []


def test_app_names_are_unique_per_workspace(starbase: Starbase) -> None:
    acme, other = make_workspace(starbase, "acme"), make_workspace(starbase, "other")
    make_app(starbase, acme, "web")
    make_app(starbase, other, "web")  # same name, other workspace: fine
    with pytest.raises(IntegrityError):
        make_app(starbase, acme, "web")


def test_a_user_has_one_role_per_workspace(starbase: Starbase) -> None:
    acme = make_workspace(starbase)
    with starbase.uow as uow:
        user = User(login="ada")
        uow.session.add(user)
        uow.session.flush()
        uow.session.add(Member(workspace_id=acme.id, user_id=user.id, role=Role.OWNER))
        uow.commit()
    with pytest.raises(IntegrityError), starbase.uow as uow:
        uow.session.add(Member(workspace_id=acme.id, user_id=user.id, role=Role.VIEWER))
        uow.commit()


def test_variable_values_are_sealed_at_rest_and_bound_to_their_row(starbase: Starbase) -> None:
    app = make_app(starbase, make_workspace(starbase))
    with starbase.uow as uow:
        first = AppVariable(app_id=app.id, name="API_KEY")
        first.seal(starbase.secrets, "sk-live-123")
        second = AppVariable(app_id=app.id, name="OTHER")
        second.seal(starbase.secrets, "x")
        uow.session.add_all([first, second])
        uow.commit()
    with starbase.uow as uow:
        stored = uow.session.exec(select(AppVariable).where(AppVariable.name == "API_KEY")).one()
        raw = stored.value_sealed
        assert b"sk-live-123" not in raw
        assert stored.reveal(starbase.secrets) == "sk-live-123"
        other = uow.session.exec(select(AppVariable).where(AppVariable.name == "OTHER")).one()
        other.value_sealed = raw  # a ciphertext copied into another row must not open there
        with pytest.raises(SecretUnreadable):
            other.reveal(starbase.secrets)


def test_release_config_snapshot_is_sealed(starbase: Starbase) -> None:
    app = make_app(starbase, make_workspace(starbase))
    with starbase.uow as uow:
        env = Environment(app_id=app.id)
        uow.session.add(env)
        uow.session.flush()
        release = Release(app_id=app.id, environment_id=env.id, number=1, config_digest="0" * 64)
        release.seal(starbase.secrets, '{"env": {"TOKEN": "t0p"}}')
        uow.session.add(release)
        uow.commit()
    assert release.name == "v1"
    assert b"t0p" not in release.config_sealed
    assert "t0p" in release.reveal(starbase.secrets)


def test_timestamps_come_back_timezone_aware_in_utc(starbase: Starbase) -> None:
    cest = timezone(timedelta(hours=2))
    with starbase.uow as uow:
        ws = Workspace(name="tz", created_at=datetime(2026, 6, 1, 14, 0, tzinfo=cest))
        uow.session.add(ws)
        uow.commit()
    with starbase.uow as uow:
        stored = uow.session.exec(select(Workspace).where(Workspace.name == "tz")).one()
        assert stored.created_at == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        assert stored.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(starbase: Starbase) -> None:
    with pytest.raises(StatementError, match="naive datetime"), starbase.uow as uow:
        uow.session.add(Workspace(name="naive", created_at=datetime(2026, 1, 1)))
        uow.commit()


def test_deleting_a_workspace_removes_its_apps(starbase: Starbase) -> None:
    ws = make_workspace(starbase)
    make_app(starbase, ws)
    with starbase.uow as uow:
        uow.session.delete(uow.session.get(Workspace, ws.id))
        uow.commit()
    with starbase.uow as uow:
        assert uow.session.exec(select(App)).all() == []
