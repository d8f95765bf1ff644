import pytest

from core.settings import Settings, SettingsError


def test_defaults_use_sqlite_under_var_and_generate_keys_once(tmp_path) -> None:
    env = {"WINBOT_VAR_DIR": str(tmp_path)}
    first = Settings.from_env(env)
    assert first.database_url == f"sqlite:///{tmp_path / 'winbot.db'}"
    assert first.port == 8080
    assert Settings.from_env(env).pseudonym_key == first.pseudonym_key
    assert (tmp_path / "secrets" / "winbot_pseudonym_key").stat().st_mode & 0o077 == 0


def test_overrides_and_errors(tmp_path) -> None:
    env = {"WINBOT_VAR_DIR": str(tmp_path), "PORT": "9000", "DATABASE_URL": "postgresql://u:p@h/db",
           "WINBOT_PSEUDONYM_KEY": "ab" * 32}
    settings = Settings.from_env(env)
    assert settings.port == 9000 and settings.database_url.startswith("postgresql")
    assert settings.pseudonym_key == bytes.fromhex("ab" * 32)
    with pytest.raises(SettingsError, match="PORT"):
        Settings.from_env({**env, "PORT": "eighty"})
    with pytest.raises(SettingsError, match="at least 32 bytes"):
        Settings.from_env({**env, "WINBOT_PSEUDONYM_KEY": "abcd"})


def test_postgresql_needs_both_keys_from_the_environment(tmp_path) -> None:
    env = {"WINBOT_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u:p@h/db"}
    with pytest.raises(SettingsError, match="WINBOT_PSEUDONYM_KEY and WINBOT_ENCRYPTION_KEY") as error:
        Settings.from_env(env).require_production_keys()
    assert "openssl rand -hex 32" in str(error.value)
    with pytest.raises(SettingsError, match="set WINBOT_ENCRYPTION_KEY ") as error:
        Settings.from_env({**env, "WINBOT_PSEUDONYM_KEY": "ab" * 32}).require_production_keys()
    assert "WINBOT_PSEUDONYM_KEY" not in str(error.value)
    # A key generated earlier and kept in var/secrets/ is still not from the environment.
    with pytest.raises(SettingsError, match="WINBOT_PSEUDONYM_KEY"):
        Settings.from_env({**env, "DATABASE_URL": "postgresql+psycopg://u:p@h/db",
                           "WINBOT_ENCRYPTION_KEY": "cd" * 32}).require_production_keys()
    Settings.from_env({**env, "WINBOT_PSEUDONYM_KEY": "ab" * 32,
                       "WINBOT_ENCRYPTION_KEY": "cd" * 32}).require_production_keys()
    Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path)}).require_production_keys()  # SQLite: development


def test_abuse_limit_settings(tmp_path) -> None:
    base = {"WINBOT_VAR_DIR": str(tmp_path)}
    defaults = Settings.from_env(base)
    assert (defaults.chat_limit_sender, defaults.chat_burst_sender) == (20, 10)
    assert (defaults.chat_limit_address, defaults.chat_burst_address) == (120, 60)
    assert defaults.trusted_proxies == () and defaults.api_token is None
    settings = Settings.from_env({**base, "WINBOT_CHAT_LIMIT_SENDER": "0",
                                  "WINBOT_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1", "WINBOT_API_TOKEN": "a" * 32})
    assert settings.chat_limit_sender == 0
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert settings.api_token == "a" * 32
    with pytest.raises(SettingsError, match="WINBOT_TRUSTED_PROXIES"):
        Settings.from_env({**base, "WINBOT_TRUSTED_PROXIES": "proxy.example.org"})
    with pytest.raises(SettingsError, match="WINBOT_CHAT_BURST_ADDRESS"):
        Settings.from_env({**base, "WINBOT_CHAT_BURST_ADDRESS": "0"})
    with pytest.raises(SettingsError, match="WINBOT_CHAT_LIMIT_SENDER"):
        Settings.from_env({**base, "WINBOT_CHAT_LIMIT_SENDER": "-5"})
    with pytest.raises(SettingsError, match="WINBOT_API_TOKEN"):
        Settings.from_env({**base, "WINBOT_API_TOKEN": "short"})


def test_visit_announcement_settings(tmp_path) -> None:

    base = {"WINBOT_VAR_DIR": str(tmp_path)}
    settings = Settings.from_env(base)
    assert settings.visit_reminders == "-1d@18:00,2h" and settings.outbound_rate == 28.0
    assert settings.whatsapp_visit_templates == {}
    settings = Settings.from_env({**base, "WHATSAPP_VISIT_TEMPLATE": "visit_announcement",
                                  "WHATSAPP_VISIT_CANCEL_TEMPLATE": "visit_cancelled", "WINBOT_VISIT_REMINDERS": ""})
    assert settings.whatsapp_visit_templates == {"announcement": "visit_announcement",
                                                 "reminder": "visit_announcement", "cancellation": "visit_cancelled"}
    assert settings.visit_reminders == ""
    with pytest.raises(SettingsError, match="WINBOT_VISIT_REMINDERS"):
        Settings.from_env({**base, "WINBOT_VISIT_REMINDERS": "the evening before"})
