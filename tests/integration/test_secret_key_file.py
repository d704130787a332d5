"""Embedded mode generates its secret key once, saves it privately, and reuses it."""

from __future__ import annotations

import stat
from pathlib import Path

from starbase.bootstrap import bootstrap
from starbase.config import load_settings
from starbase.crypto import KEY_FILE, SecretBox, load_or_create_key


def test_key_is_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "data")
    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 43
    assert load_or_create_key(tmp_path / "data") == first
    assert not list((tmp_path / "data").glob("*.tmp"))


def test_values_sealed_before_a_restart_open_after_it(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    before = bootstrap(settings)
    sealed = before.secrets.seal("survives", context="x")
    before.close()
    after = bootstrap(settings)
    assert after.secrets.open(sealed, context="x") == "survives"
    after.close()


def test_configured_key_wins_over_the_key_file(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, secret_key="configured-key-0123456789abcdef01234")
    container = bootstrap(settings)
    sealed = container.secrets.seal("v")
    assert SecretBox("configured-key-0123456789abcdef01234").open(sealed) == "v"
    assert not (tmp_path / KEY_FILE).exists()
    container.close()
