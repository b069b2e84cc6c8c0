"""Settings from the environment, checked once at start with the variable named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{VAR_DIR / 'kintsugi.db'}"


class SettingsError(SystemExit):
    """A bad environment value; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", alias="TELEGRAM_API_BASE_URL"
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    encryption_keys: str | None = Field(default=None, alias="KINTSUGI_ENCRYPTION_KEYS")
    key_file: Path = Field(default=VAR_DIR / "encryption.key", alias="KINTSUGI_KEY_FILE")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: str | None = Field(default=None, alias="WEBHOOK_SECRET")
    host: str = Field(default="0.0.0.0", alias="HOST")
    port: int = Field(default=8080, alias="PORT", ge=1, le=65535)
    playground_port: int = Field(default=8765, alias="PLAYGROUND_PORT", ge=0, le=65535)
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    poll_timeout: int = Field(default=25, alias="POLL_TIMEOUT", ge=0, le=50)
    global_messages_per_second: float = Field(default=30.0, alias="SEND_GLOBAL_PER_SECOND", gt=0)
    chat_messages_per_second: float = Field(default=1.0, alias="SEND_CHAT_PER_SECOND", gt=0)
    chat_burst: int = Field(default=3, alias="SEND_CHAT_BURST", ge=1)
    outbox_max_age_hours: float = Field(default=24.0, alias="OUTBOX_MAX_AGE_HOURS", gt=0)
    invite_ttl_hours: float = Field(default=72.0, alias="INVITE_TTL_HOURS", gt=0)
    relink_window_days: float = Field(default=30.0, alias="RELINK_WINDOW_DAYS", ge=0)
    wrong_codes_per_hour: int = Field(default=5, alias="LINK_GUESSES_PER_HOUR", ge=1)
    proposal_ttl_days: float = Field(default=14.0, alias="PROPOSAL_TTL_DAYS", gt=0)
    nudge_tick_seconds: float = Field(default=5.0, alias="NUDGE_TICK_SECONDS", gt=0)
    nudge_grace_minutes: float = Field(default=120.0, alias="NUDGE_GRACE_MINUTES", ge=0)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        head, sep, tail = value.partition(":")
        if not (sep and head.isdigit() and len(tail) >= 20):
            raise ValueError("expected the form 123456:ABC... given by @BotFather")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value) if value else DEFAULT_DATABASE_URL

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
}


def async_database_url(url: str) -> str:
    """The ordinary SQLAlchemy URL forms, given their async drivers."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("expected a URL like sqlite:///path or postgresql://user@host/db")
    scheme = _DRIVERS.get(scheme, scheme)
    if scheme not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
        raise ValueError(f"unsupported database {scheme!r}: use sqlite or postgresql")
    return f"{scheme}://{rest}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; a bad value stops start-up naming its variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            variable = ".".join(str(part) for part in problem["loc"]) or "settings"
            lines.append(f"  {variable}: {problem['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(lines)) from None
