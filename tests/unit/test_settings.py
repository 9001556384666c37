from __future__ import annotations

import stat
from pathlib import Path

import pytest

from config.settings import SettingsError, ensure_secret, load_settings


def test_env_over_toml_over_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "safechat.toml"
    cfg.write_text('port = 9000\nclaim_lease_s = 30\nredis_url = "redis://127.0.0.1:6379"\n')
    monkeypatch.setenv("SAFECHAT_PORT", "9100")
    s = load_settings(cfg)
    assert s.port == 9100 and s.claim_lease_s == 30 and s.redis_url == "redis://127.0.0.1:6379"
    assert s.max_message_chars == 500
    assert s.database_url == f"sqlite:///{(s.data_dir / 'safechat.db').as_posix()}"


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("SAFECHAT_PORT", "70000", "SAFECHAT_PORT"),
        ("SAFECHAT_DATABASE_URL", "mysql://x", "SAFECHAT_DATABASE_URL"),
        ("SAFECHAT_REDIS_URL", "http://x", "SAFECHAT_REDIS_URL"),
        ("SAFECHAT_CLAIM_LEASE_S", "0", "SAFECHAT_CLAIM_LEASE_S"),
    ],
)
def test_invalid_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert needle in str(info.value)


def test_missing_or_broken_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 1")
    with pytest.raises(SettingsError, match=r"broken\.toml"):
        load_settings(broken)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="prot"):
        load_settings(unknown)


def test_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    s = load_settings(data_dir=tmp_path / "data")
    first = ensure_secret(s)
    assert len(first) >= 32 and ensure_secret(s) == first
    mode = (tmp_path / "data" / "secret").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)
    other = load_settings(data_dir=tmp_path / "other")
    assert ensure_secret(other) != first
    assert ensure_secret(load_settings(secret="configured-secret")) == "configured-secret"
