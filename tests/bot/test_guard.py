"""The gateway's abuse guards through Starlette's TestClient: rate limits on /api/chat, access to /api/understand."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.testclient import TestClient

from bot.gateway import create_app
from bot.rasa_client import RasaClient
from core.db.migrate import upgrade
from core.settings import Settings
from tests.bot.test_gateway import FakeRasa

SENDER = "b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"
OTHER = "00112233445566778899aabbccddeeff"
TOKEN = "t0k3n-" + "x" * 32
PUBLIC = ("203.0.113.9", 50000)
LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def make_client(tmp_path):
    """make_client(client=(host, port), **env) -> a started TestClient of the gateway with a fake Rasa."""
    opened: list[TestClient] = []
    fake = FakeRasa()

    def make(client: tuple[str, int] = PUBLIC, **env: str) -> TestClient:
        settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "ACTION_SERVER_URL": "http://127.0.0.1:9",
                                      **env})
        upgrade(settings.database_url)
        rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)))
        test_client = TestClient(create_app(settings, rasa=rasa), client=client)
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


def chat(client: TestClient, text: str = "hallo", sender: str = SENDER, **extra) -> httpx.Response:
    headers = extra.pop("headers", None)
    return client.post("/api/chat", json={"sender": sender, "text": text, **extra}, headers=headers)


# -- /api/chat rate limits ---------------------------------------------------------------------------------


def test_too_many_messages_get_a_429_with_retry_after_and_a_polite_line(make_client) -> None:
    client = make_client(WINBOT_CHAT_LIMIT_SENDER="20", WINBOT_CHAT_BURST_SENDER="3")
    assert [chat(client, language_hint="pl").status_code for _ in range(3)] == [200] * 3
    response = chat(client, "czy mogę jeszcze?", language_hint="pl")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"  # 20 a minute: a token every 3 s
    data = response.json()
    assert data["retry_after"] == 3 and data["language"] == "pl" and data["error"]
    ui = client.get("/api/ui", params={"lang": "pl"}).json()["strings"]
    assert data["message"] == ui["rate_limited"] and data["message"].startswith("Wysyłasz")


def test_the_refusal_is_in_the_browsers_language_without_a_hint(make_client) -> None:
    client = make_client(WINBOT_CHAT_LIMIT_SENDER="20", WINBOT_CHAT_BURST_SENDER="1")
    chat(client)
    headers = {"Accept-Language": "xx-YY, uk-UA;q=0.9, en;q=0.5"}
    data = chat(client, headers=headers).json()
    assert data["language"] == "uk"
    assert data["message"] == client.get("/api/ui", params={"lang": "uk"}).json()["strings"]["rate_limited"]
    assert chat(client, headers={"Accept-Language": "fr"}).json()["language"] == "en"


def test_a_different_sender_is_not_affected(make_client) -> None:
    client = make_client(WINBOT_CHAT_LIMIT_SENDER="20", WINBOT_CHAT_BURST_SENDER="2")
    chat(client)
    chat(client)
    assert chat(client).status_code == 429
    assert chat(client, sender=OTHER).status_code == 200


def test_many_senders_from_one_address_meet_the_address_limit(make_client) -> None:
    # 12 a minute: a new message every 5 s, so a slow machine does not earn the fifth one back in between.
    client = make_client(WINBOT_CHAT_LIMIT_ADDRESS="12", WINBOT_CHAT_BURST_ADDRESS="4")
    senders = [f"sender-{i:04d}-abcdef" for i in range(5)]
    assert [chat(client, sender=s).status_code for s in senders] == [200, 200, 200, 200, 429]
    assert 1 <= int(chat(client, sender=senders[0]).headers["Retry-After"]) <= 5
    neighbour = TestClient(client.app, client=("198.51.100.7", 40000))  # the same app from another address
    assert chat(neighbour, sender=senders[4]).status_code == 200


def test_bad_requests_are_refused_before_they_count(make_client) -> None:
    client = make_client(WINBOT_CHAT_LIMIT_SENDER="20", WINBOT_CHAT_BURST_SENDER="1")
    assert client.post("/api/chat", json={"sender": SENDER, "text": 5}).status_code == 400
    assert chat(client).status_code == 200


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(make_client) -> None:
    env = {"WINBOT_CHAT_LIMIT_ADDRESS": "60", "WINBOT_CHAT_BURST_ADDRESS": "1"}
    untrusted = make_client(client=LOCAL, **env)
    chat(untrusted, sender=SENDER, headers={"X-Forwarded-For": "198.51.100.1"})
    # A made-up header does not give a fresh bucket: everyone is 127.0.0.1 here.
    assert chat(untrusted, sender=OTHER, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429

    trusted = make_client(client=LOCAL, WINBOT_TRUSTED_PROXIES="127.0.0.1", **env)
    assert chat(trusted, sender=SENDER, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert chat(trusted, sender=OTHER, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    # The client's own entries (left of what our proxy added) are not believed.
    spoofed = {"X-Forwarded-For": "10.9.9.9, 198.51.100.1"}
    assert chat(trusted, sender="spoofing-sender-123", headers=spoofed).status_code == 429


def test_an_untrusted_forwarding_proxy_is_logged_once(make_client, caplog) -> None:
    client = make_client(client=LOCAL)
    with caplog.at_level(logging.WARNING, logger="winbot.guard"):
        chat(client, headers={"X-Forwarded-For": "198.51.100.1"})
        chat(client, headers={"X-Forwarded-For": "198.51.100.1"})
    assert len([r for r in caplog.records if "WINBOT_TRUSTED_PROXIES" in r.getMessage()]) == 1


def test_ipv6_clients_are_limited_per_64(make_client) -> None:
    client = make_client(client=("2001:db8:1:2::1", 40000), WINBOT_CHAT_BURST_ADDRESS="1")
    assert chat(client, sender=SENDER).status_code == 200
    guard = client.app.state.guard  # type: ignore[attr-defined]
    assert list(guard.limits.per_address._buckets) == ["2001:db8:1:2::/64"]


# -- /api/understand ---------------------------------------------------------------------------------------


def understand(client: TestClient, **headers: str) -> httpx.Response:
    return client.post("/api/understand", json={"text": "Gdzie jest punkt pomocy?"}, headers=headers)


def test_understand_answers_this_machine(make_client) -> None:
    assert understand(make_client(client=LOCAL)).status_code == 200
    assert understand(make_client(client=("::1", 50000))).status_code == 200


def test_understand_refuses_other_machines_without_the_token(make_client) -> None:
    response = understand(make_client(client=PUBLIC))
    assert response.status_code == 403
    assert "WINBOT_API_TOKEN" in response.json()["error"]
    client = make_client(client=PUBLIC, WINBOT_API_TOKEN=TOKEN)
    assert understand(client).status_code == 403
    assert understand(client, Authorization="Bearer wrong-token-of-some-length").status_code == 403
    assert understand(client, Authorization=f"Basic {TOKEN}").status_code == 403


def test_understand_accepts_the_token_from_anywhere(make_client) -> None:
    client = make_client(client=PUBLIC, WINBOT_API_TOKEN=TOKEN)
    response = understand(client, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response.json()["intent"]


def test_a_local_reverse_proxy_does_not_make_everyone_local(make_client) -> None:
    client = make_client(client=LOCAL)
    assert understand(client, **{"X-Forwarded-Proto": "https"}).status_code == 403
    assert understand(client, **{"X-Forwarded-For": "127.0.0.1"}).status_code == 403
    trusted = make_client(client=LOCAL, WINBOT_TRUSTED_PROXIES="127.0.0.1")
    assert understand(trusted, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert understand(trusted, **{"X-Forwarded-Proto": "https"}).status_code == 403
    assert understand(trusted).status_code == 200  # straight from this machine


# -- production keys ---------------------------------------------------------------------------------------


def test_the_gateway_refuses_postgresql_with_generated_keys(tmp_path) -> None:
    from core.settings import SettingsError

    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u:p@h/db"})
    with pytest.raises(SettingsError, match="WINBOT_PSEUDONYM_KEY and WINBOT_ENCRYPTION_KEY"):
        create_app(settings)
