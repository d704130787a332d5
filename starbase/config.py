"""Starbase settings: the one reader of the environment for the Starbase process.

Every setting is ``STARFORM_<NAME>`` (INTERFACES.md). ``get_settings()`` is the cached accessor the
edges use; ``load_settings(**overrides)`` builds a fresh, validated instance (tests, ``bootstrap``).
Nothing here connects anywhere or touches the disk: the data dir and the generated embedded secret key
are created by ``bootstrap``. Bad values become one ``ConfigurationError`` that names the setting.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from starbase.errors import ConfigurationError

ENV_PREFIX = "STARFORM_"
PLACEHOLDERS = frozenset(
    {"", "changeme", "changethis", "change-me", "secret", "password", "placeholder", "xxx", "todo", "test"}
)
MIN_SECRET_KEY_LENGTH = 32
SUPPORTED_DATABASES = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


class Settings(BaseSettings):
    """Starbase's settings. Each field's description is the documentation of its variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    mode: Literal["embedded", "production"] = Field(
        "embedded", description="embedded: one machine (`starform up`); production: PostgreSQL, clusters."
    )
    data_dir: Path = Field(Path(".starform"), description="Where embedded mode keeps its files.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in the data dir.")
    secret_key: SecretStr | None = Field(
        None, description="Key for secrets at rest; embedded mode generates one in the data dir."
    )
    public_url: str = Field("http://localhost:3000", description="Where users reach Stardeck and the API.")
    apps_domain: str = Field("localhost", description="Apps answer at <app>-<workspace>.<apps_domain>.")
    apps_port: int | None = Field(
        None, ge=1, le=65535, description="Port in app URLs (embedded mode: Caddy's --apps-port); none for 80/443."
    )
    builder: Literal["local", "depot"] = Field("local", description="Which BuildService runs builds.")
    depot_token: SecretStr | None = None
    depot_api_url: str = Field("https://api.depot.dev", description="Depot's API (Connect, HTTP/JSON).")
    depot_cli: str = Field("depot", description="The depot CLI that runs builds with a build token.")
    image_repository: str | None = Field(None, description="Where Depot pushes images, e.g. registry.example/apps.")
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    github_webhook_secret: SecretStr | None = None
    github_oauth_url: str = Field("https://github.com", description="GitHub's OAuth endpoints (GHES: your host).")
    github_api_url: str = Field("https://api.github.com", description="GitHub's REST API.")
    clickhouse_url: str | None = None
    victoriametrics_url: str | None = None
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    s3_endpoint: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _parse_database_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        from sqlalchemy.engine import make_url  # here, not at import: the CLI client never needs SQLAlchemy
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError as e:
            raise ValueError(f"cannot parse {value!r} as a database URL (e.g. postgresql://u:p@host/db)") from e
        backend = url.get_backend_name()
        if backend not in SUPPORTED_DATABASES:
            raise ValueError(f"unsupported database {backend!r}: use sqlite:///path or postgresql://…")
        if "+" not in url.drivername:
            url = url.set(drivername=SUPPORTED_DATABASES[backend])
        elif backend == "postgres":
            url = url.set(drivername="postgresql+" + url.drivername.split("+", 1)[1])
        return url.render_as_string(hide_password=False)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def resolved_database_url(self) -> str:
        """The database URL to connect to: the setting, or SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'starform.db').resolve()}"

    @property
    def github_enabled(self) -> bool:
        return bool(self.github_client_id and self.github_client_secret)

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def is_embedded(self) -> bool:
        return self.mode == "embedded"

    def check(self) -> None:
        """Refuse start-up on settings that only embedded/dev use may leave at their defaults."""
        if self.is_embedded:
            return
        key = _secret(self.secret_key)
        if key is None or _is_placeholder(key):
            raise ConfigurationError(
                "production mode needs a real secret key (e.g. `openssl rand -hex 32`)", setting=_env("secret_key")
            )
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(
                f"must be at least {MIN_SECRET_KEY_LENGTH} characters in production mode", setting=_env("secret_key")
            )
        if not self.database_url or not self.database_url.startswith("postgresql"):
            raise ConfigurationError("production mode needs a PostgreSQL URL", setting=_env("database_url"))
        for name in ("github_client_secret", "github_webhook_secret", "stripe_api_key", "stripe_webhook_secret"):
            value = _secret(getattr(self, name))
            if value is not None and _is_placeholder(value):
                raise ConfigurationError("is left at a placeholder value", setting=_env(name))
        if self.builder == "depot" and _secret(self.depot_token) in (None, *PLACEHOLDERS):
            raise ConfigurationError("the depot builder needs a Depot token", setting=_env("depot_token"))
        if self.builder == "depot" and not self.image_repository:
            raise ConfigurationError("the depot builder needs a registry to push to", setting=_env("image_repository"))


class ClientSettings(BaseSettings):
    """The ``starform`` CLI as an API client: where the API is and who we are (then the saved login)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    url: str | None = Field(None, description="Starbase's URL, e.g. http://localhost:3000.")
    token: SecretStr | None = Field(None, description="An API token (`starform admin token create`).")
    workspace: str | None = Field(None, description="The workspace commands act in.")
    config: Path = Field(
        Path.home() / ".config" / "starform" / "config.toml", description="Where `starform login` saves these."
    )


def load_client_settings() -> ClientSettings:
    try:
        return ClientSettings()
    except ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        raise ConfigurationError(str(first["msg"]), setting=_env(field)) from e


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS


def _env(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings (environment first, then ``overrides``); raise ``ConfigurationError``."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(message, setting=_env(field)) from e
    settings.check()
    return settings


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
