"""Channel settings, which routes exist, and erasing Rasa's stored events."""

from __future__ import annotations

import sqlite3

import pytest

from bot.channels.state import purge_rasa_events, rasa_tracker_url
from core.settings import Settings, SettingsError
from tests.channels.conftest import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN

WHATSAPP = {"WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET}


def test_channels_are_off_by_default(tmp_path) -> None:
    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path)})
    assert settings.telegram_bot_token is None and not settings.whatsapp_enabled
    assert settings.telegram_api_base_url == "https://api.telegram.org"
    assert settings.whatsapp_api_base_url == "https://graph.facebook.com/v21.0"
    assert settings.whatsapp_template_languages["en"] == "en"


def test_channel_settings_from_the_environment(tmp_path) -> None:
    settings = Settings.from_env({
        "WINBOT_VAR_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/", "TELEGRAM_WEBHOOK_URL": "https://x.org/webhooks/telegram",
        **WHATSAPP, "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9/v21.0/", "WHATSAPP_TEMPLATE_NAME": "visit",
        "WHATSAPP_TEMPLATE_LANGUAGES": "en=en_GB, pl=pl",
    })
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081"
    assert settings.whatsapp_enabled and settings.whatsapp_api_base_url == "http://127.0.0.1:9/v21.0"
    assert settings.whatsapp_template_languages == {"en": "en_GB", "pl": "pl"}


@pytest.mark.parametrize(("env", "message"), [
    ({"WHATSAPP_ACCESS_TOKEN": "x"}, "WHATSAPP_PHONE_NUMBER_ID"),
    ({**WHATSAPP, "WHATSAPP_APP_SECRET": ""}, "WHATSAPP_APP_SECRET"),
    ({"WHATSAPP_TEMPLATE_LANGUAGES": "en"}, "WHATSAPP_TEMPLATE_LANGUAGES"),
    ({"TELEGRAM_WEBHOOK_SECRET": "has spaces"}, "TELEGRAM_WEBHOOK_SECRET"),
])
def test_half_a_configuration_is_an_error(tmp_path, env, message) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), **env})


def test_webhook_routes_exist_only_when_configured(make_client, fake_graph) -> None:
    plain = make_client()
    assert plain.post("/webhooks/whatsapp", json={}).status_code in (404, 405)
    assert plain.post("/webhooks/telegram", json={}).status_code in (404, 405)
    assert plain.app.state.channels.telegram is None and plain.app.state.channels.whatsapp is None


def test_an_unreachable_telegram_leaves_the_web_chat_running(make_client) -> None:
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9")
    assert client.post("/api/chat", json={"sender": "abcdefgh12345678", "text": "hi"}).status_code == 200
    assert client.app.state.channels.telegram.running is False


def test_purging_rasa_events(tmp_path) -> None:
    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path)})
    url = rasa_tracker_url(settings)
    assert url == f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    assert purge_rasa_events(url, "te-abc") == 0  # no tracker database yet
    db = sqlite3.connect(tmp_path / "rasa-tracker.db")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
    db.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, 'user', '{}')",
                   [("te-abc",), ("te-abc",), ("te-other",)])
    db.commit()
    assert purge_rasa_events(url, "te-abc") == 2
    assert db.execute("SELECT sender_id FROM events").fetchall() == [("te-other",)]
    assert rasa_tracker_url(Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path),
                                               "DATABASE_URL": "postgresql://u:p@h/db"})) == "postgresql://u:p@h/db"
