"""Settings: environment variables ``SAFECHAT_*`` over an optional TOML file over defaults.

The staff-session secret is never a hard-coded default: when unset it is generated once and
kept in the data folder, readable only by its owner.
"""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.errors import SafechatError


class SettingsError(SafechatError, ValueError):
    """A setting is invalid; the message names the setting and the problem."""

    code = "invalid_setting"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECHAT_", extra="forbid")

    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    secret: str = ""
    rules_dir: Path | None = None

    # Young people's messages.
    max_message_chars: int = Field(default=500, ge=1, le=10_000)
    rate_limit_count: int = Field(default=5, ge=1)
    rate_limit_window_s: float = Field(default=10.0, gt=0)
    # Moderation queue.
    claim_lease_s: float = Field(default=60.0, gt=0)
    schedule_tick_s: float = Field(default=1.0, gt=0)
    # Safeguarding acknowledgement deadlines, by severity (seconds).
    ack_deadline_urgent_s: float = Field(default=60.0, gt=0)
    ack_deadline_high_s: float = Field(default=300.0, gt=0)
    ack_deadline_medium_s: float = Field(default=900.0, gt=0)
    context_messages: int = Field(default=10, ge=0, le=100)
    # Staff login.
    login_attempts: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=60.0, gt=0)
    session_hours: float = Field(default=12.0, gt=0)
    secure_cookies: bool = False

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "mongodb://", "mongodb+srv://")):
            raise ValueError("must start with sqlite:/// or mongodb://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value or None

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'safechat.db').as_posix()}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = init_settings.init_kwargs.pop("_toml_file", None)  # type: ignore[attr-defined]
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    def ack_deadline_s(self, severity: str) -> float:
        return {
            "urgent": self.ack_deadline_urgent_s,
            "high": self.ack_deadline_high_s,
        }.get(severity, self.ack_deadline_medium_s)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings, turning every validation problem into one readable ``SettingsError``."""
    kwargs: dict[str, Any] = dict(overrides)
    if config_file is not None:
        if not config_file.is_file():
            raise SettingsError(f"config file {config_file}: not found")
        try:
            tomllib.loads(config_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {config_file}: {exc}") from exc
        kwargs["_toml_file"] = config_file
    try:
        return Settings(**kwargs)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            problems.append(f"SAFECHAT_{name.upper()} ({name}): {err['msg']}")
        raise SettingsError("; ".join(problems)) from exc


def ensure_secret(settings: Settings) -> str:
    """Return the configured secret, or the one generated on first run and kept in data_dir."""
    if settings.secret:
        return settings.secret
    path = settings.data_dir / "secret"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value
