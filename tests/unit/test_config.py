"""Settings: defaults, parsing, and refusal of placeholder secrets outside embedded mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from starbase.config import load_settings
from starbase.errors import ConfigurationError

GOOD_KEY = "k" * 40
PG = "postgresql://starform:pw@db.internal:5432/starform"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STARFORM_MODE", "STARFORM_DATABASE_URL", "STARFORM_SECRET_KEY", "STARFORM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_embedded_defaults_to_sqlite_in_the_data_dir() -> None:
    settings = load_settings(data_dir=Path("/srv/sf"))
    assert settings.mode == "embedded"
    assert settings.resolved_database_url == "sqlite:////srv/sf/starform.db"
    assert settings.apps_domain == "localhost"
    assert settings.builder == "local"


def test_settings_come_from_starform_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARFORM_APPS_DOMAIN", "apps.example.com")
    monkeypatch.setenv("STARFORM_LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.apps_domain == "apps.example.com"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:////var/lib/sf.db", "sqlite:////var/lib/sf.db"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(given: str, expected: str) -> None:
    assert load_settings(database_url=given).resolved_database_url == expected


@pytest.mark.parametrize("bad", ["nonsense", "mysql://u@h/db", "://"])
def test_unusable_database_url_names_the_setting(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(database_url=bad)
    assert info.value.setting == "STARFORM_DATABASE_URL"
    assert str(info.value).startswith("STARFORM_DATABASE_URL: ")
    assert "\n" not in str(info.value)


def test_bad_enum_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARFORM_BUILDER", "kaniko")
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert info.value.setting == "STARFORM_BUILDER"


def test_production_refuses_a_missing_secret_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode="production", database_url=PG)
    assert info.value.setting == "STARFORM_SECRET_KEY"


@pytest.mark.parametrize("placeholder", ["changeme", "changethis", "  secret ", ""])
def test_production_refuses_a_placeholder_secret_key(placeholder: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode="production", database_url=PG, secret_key=placeholder)
    assert info.value.setting == "STARFORM_SECRET_KEY"


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(ConfigurationError, match="at least 32"):
        load_settings(mode="production", database_url=PG, secret_key="x" * 31)


def test_production_needs_postgresql() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode="production", secret_key=GOOD_KEY)
    assert info.value.setting == "STARFORM_DATABASE_URL"


def test_production_refuses_placeholder_integration_secrets() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode="production", database_url=PG, secret_key=GOOD_KEY, stripe_api_key="changeme")
    assert info.value.setting == "STARFORM_STRIPE_API_KEY"


def test_depot_builder_needs_a_token_in_production() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode="production", database_url=PG, secret_key=GOOD_KEY, builder="depot")
    assert info.value.setting == "STARFORM_DEPOT_TOKEN"


def test_production_with_real_settings_starts() -> None:
    settings = load_settings(mode="production", database_url=PG, secret_key=GOOD_KEY)
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert not settings.is_embedded


def test_embedded_mode_accepts_placeholders_for_local_use() -> None:
    assert load_settings(secret_key="changeme").secret_key is not None
