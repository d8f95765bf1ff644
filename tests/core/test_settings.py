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
