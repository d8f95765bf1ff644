"""The gateway and router against a fake Rasa: validation, privacy, language, nothing lost when Rasa is down."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from starlette.testclient import TestClient

from bot.gateway import create_app
from bot.rasa_client import RasaClient
from core.db.migrate import upgrade
from core.nlu_text import SEPARATOR
from core.settings import Settings


class FakeRasa:
    def __init__(self) -> None:
        self.down = False
        self.received: list[dict] = []
        self.raw: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content or b"{}")
        if request.url.path == "/model/parse":
            text = body["text"].split(SEPARATOR)[0]
            intent = "greet" if text.lower() in ("hi", "cześć", "hallo") else "brp_registration"
            return httpx.Response(200, json={"intent": {"name": intent, "confidence": 0.93}})
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "models/x.tar.gz"})
        # Rasa sees the text with its folded form appended (core/nlu_text.py); tests compare what the user wrote.
        self.raw.append(body["message"])
        body = {**body, "message": body["message"].split(SEPARATOR)[0]}
        self.received.append(body)
        replies = [{"recipient_id": body["sender"], "text": f"echo {body['message']} [{body['metadata']['language']}]",
                    "buttons": [{"title": "Menu", "payload": '/greet{"menu":"1"}'}]}]
        if body["message"].startswith("/change_language"):
            replies.insert(0, {"recipient_id": body["sender"], "custom": {"set_language": "uk"}})
        return httpx.Response(200, json=replies)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "WINBOT_MAX_MESSAGE_CHARS": "300",
                                  "ACTION_SERVER_URL": "http://127.0.0.1:9"})
    upgrade(settings.database_url)
    return settings


@pytest.fixture
def client(settings: Settings, fake_rasa: FakeRasa):
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa.handler)))
    with TestClient(create_app(settings, rasa=rasa)) as client:
        yield client


SENDER = "b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"


def chat(client: TestClient, text: str, sender: str = SENDER, **extra) -> httpx.Response:
    return client.post("/api/chat", json={"sender": sender, "text": text, **extra})


def test_first_message_is_one_rasa_round_trip_marked_as_first_contact(client, fake_rasa) -> None:
    """The greeting and privacy notice come with the answer (actions.base.welcome): no extra round trip."""
    response = chat(client, "Gdzie mogę dostać numer BSN w Rotterdamie?")
    assert response.status_code == 200
    data = response.json()
    assert data["language"] == "pl"
    assert [m["text"].split(" [")[0] for m in data["messages"]] == ["echo Gdzie mogę dostać numer BSN w Rotterdamie?"]
    (question,) = fake_rasa.received
    assert question["metadata"]["first_contact"] is True
    assert question["metadata"]["entities"] == {"city": "Rotterdam", "postcode": None}
    chat(client, "A DigiD?")
    assert fake_rasa.received[-1]["metadata"]["first_contact"] is False


def test_rasa_sees_the_text_with_its_folded_form_and_payloads_unchanged(client, fake_rasa) -> None:
    chat(client, "Як отримати BSN у Роттердамі?")
    chat(client, "/start")
    assert fake_rasa.raw == ["Як отримати BSN у Роттердамі? | iak otrimati bsn u rotterdami", "/greet"]


def test_latin_letter_ukrainian_reaches_rasa_in_cyrillic_with_the_text_as_typed_kept(client, fake_rasa) -> None:
    # A Ukrainian user (chosen by the button) types without a Cyrillic keyboard: the model reads the message in
    # Cyrillic (core/transliteration.py), the folded form is still what was typed, and the actions get the
    # original text.
    chat(client, '/change_language{"language":"uk"}')
    response = chat(client, "shcho take huurtoeslag")
    assert response.json()["language"] == "uk"
    assert fake_rasa.raw[-1] == "що таке huurtoeslag | shcho take huurtoeslag"
    assert fake_rasa.received[-1]["metadata"]["original_text"] == "shcho take huurtoeslag"


def test_a_first_greeting_is_one_round_trip(client, fake_rasa) -> None:
    chat(client, "cześć")
    assert [r["message"] for r in fake_rasa.received] == ["cześć"]
    assert fake_rasa.received[0]["metadata"]["first_contact"] is True


def test_short_messages_keep_the_language_and_clear_ones_switch_it(client) -> None:
    assert chat(client, "Jak mogę się zarejestrować w gminie?").json()["language"] == "pl"
    assert chat(client, "ok").json()["language"] == "pl"
    assert chat(client, "5912 AB").json()["language"] == "pl"
    assert chat(client, "Cum pot să mă înregistrez la primărie?").json()["language"] == "ro"


def test_the_language_chosen_by_a_button_is_kept(client, settings) -> None:
    chat(client, "/start", language_hint="en-GB")
    data = chat(client, '/change_language{"language":"uk"}').json()
    assert data["language"] == "uk"
    assert chat(client, "BSN").json()["language"] == "uk"


def test_rasa_only_sees_a_pseudonym_and_the_database_holds_no_raw_address(client, fake_rasa, settings) -> None:
    chat(client, "hallo")
    senders = {r["sender"] for r in fake_rasa.received}
    assert senders and SENDER not in senders and all(s.startswith("we-") for s in senders)
    db = sqlite3.connect(settings.var_dir / "winbot.db")
    dump = "\n".join(db.iterdump())
    assert SENDER not in dump
    assert "hallo" not in dump  # message texts are encrypted too


def test_messages_are_kept_when_rasa_is_down_and_answered_when_it_is_back(client, fake_rasa) -> None:
    chat(client, "Jak mogę się zarejestrować w gminie?")
    fake_rasa.down = True
    response = chat(client, "Czy potrzebuję DigiD do zorgtoeslag?")
    assert response.status_code == 200
    data = response.json()
    assert data["language"] == "pl" and "112" in data["messages"][-1]["text"]
    assert data["messages"][-1]["text"] != "Sorry, I can't answer right now"  # translated, not English
    fake_rasa.down = False
    fake_rasa.received.clear()
    chat(client, "A ile to kosztuje?")
    assert [r["message"] for r in fake_rasa.received] == ["Czy potrzebuję DigiD do zorgtoeslag?", "A ile to kosztuje?"]


def test_long_messages_are_cut_with_a_notice(client, fake_rasa) -> None:
    data = chat(client, "Jak mogę się zarejestrować? " * 100).json()
    assert "300" in data["messages"][0]["text"]
    assert all(len(r["message"]) <= 300 for r in fake_rasa.received)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"sender": "x', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"sender": "short", "text": "hi"}', "application/json", 400),
        (json.dumps({"sender": SENDER, "text": 5}).encode(), "application/json", 400),
        (b"sender=abc&text=hi", "application/x-www-form-urlencoded", 415),
        (json.dumps({"sender": SENDER, "text": "x" * 70_000}).encode(), "application/json", 413),
        (b"\xff\xfe\x00", "application/json", 400),
    ],
)
def test_bad_requests_get_a_4xx_never_a_500(client, content, content_type, status) -> None:
    response = client.post("/api/chat", content=content, headers={"content-type": content_type})
    assert response.status_code == status
    assert "error" in response.json()


def test_empty_text_gets_a_polite_answer_in_the_users_language(client) -> None:
    chat(client, "Dzień dobry, mam pytanie o pracę")
    data = chat(client, "   ").json()
    assert data["language"] == "pl" and data["messages"][0]["text"]


def test_ui_strings_come_from_the_catalogs(client) -> None:
    data = client.get("/api/ui", params={"lang": "pl"}).json()
    assert data["language"] == "pl"
    assert data["strings"]["send"] != "Send"
    assert [lang["code"] for lang in data["languages"]] == ["pl", "ro", "bg", "uk", "en", "nl"]
    assert client.get("/api/ui", params={"lang": "xx"}).json()["language"] == "en"


def test_healthz_is_503_until_every_service_answers(client, fake_rasa) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["actions"] == "unreachable"
    fake_rasa.down = True
    assert client.get("/healthz").json()["rasa"] == "unreachable"


def test_index_page_is_served(client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "<html" in response.text.lower()


def test_a_deep_link_kept_while_rasa_was_down_still_carries_its_payload(client, fake_rasa) -> None:
    fake_rasa.down = True
    chat(client, "/start loc_bosrand1", language_hint="pl")
    fake_rasa.down = False
    fake_rasa.received.clear()
    chat(client, "Dzień dobry, mam pytanie")
    replayed = fake_rasa.received[0]
    assert replayed["message"] == "/greet" and replayed["metadata"]["deep_link"] == "loc_bosrand1"
    assert [r["metadata"]["first_contact"] for r in fake_rasa.received] == [False, False]


def test_the_inbox_is_rate_limited_apart_from_the_chat(tmp_path, fake_rasa) -> None:
    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "ACTION_SERVER_URL": "http://127.0.0.1:9",
                                  "WINBOT_CHAT_LIMIT_SENDER": "2", "WINBOT_CHAT_BURST_SENDER": "2"})
    upgrade(settings.database_url)
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa.handler)))
    with TestClient(create_app(settings, rasa=rasa)) as client:
        for _ in range(2):
            assert client.get("/api/chat/inbox", params={"sender": SENDER}).json() == {"messages": []}
        refused = client.get("/api/chat/inbox", params={"sender": SENDER, "lang": "pl"})
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert chat(client, "hallo").status_code == 200  # the page's polling did not use up the chat's share
