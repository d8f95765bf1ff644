"""The safety layer in the router: a message with a danger sign reaches Rasa as an emergency payload, so the
classifier cannot out-vote it, and the user's words ride along in the metadata (issue 10, item 3)."""

from __future__ import annotations

import json
import sqlite3

import httpx
from starlette.testclient import TestClient

from bot.gateway import create_app
from bot.rasa_client import RasaClient
from core.db.models import InboundMessage
from core.privacy import Vault
from tests.bot.test_gateway import chat
from tests.bot.test_gateway import client as client  # noqa: F401  (fixtures)
from tests.bot.test_gateway import fake_rasa as fake_rasa  # noqa: F401
from tests.bot.test_gateway import settings as settings  # noqa: F401


def test_a_danger_message_is_sent_as_an_emergency_payload_with_the_text_in_metadata(client, fake_rasa) -> None:
    text = "ne iskam veche da jiveq, vsichko mi e mnogo"
    chat(client, text)
    (question,) = fake_rasa.received
    assert fake_rasa.raw == ['/emergency{"danger":"suicide"}']  # no free text for the classifier to weigh
    assert question["metadata"]["original_text"] == text
    # On a first contact the greeting still comes, after the answer (actions.base.ANSWER_BEFORE_GREETING).
    assert question["metadata"]["first_contact"] is True


def test_nowhere_to_sleep_tonight_is_an_emergency_in_english_and_dutch(client, fake_rasa) -> None:
    chat(client, "I have nowhere to sleep tonight")
    chat(client, "ik heb vannacht geen slaapplek, help")
    assert fake_rasa.raw == ['/emergency{"danger":"homeless"}'] * 2
    assert [r["metadata"]["original_text"] for r in fake_rasa.received] == [
        "I have nowhere to sleep tonight", "ik heb vannacht geen slaapplek, help"]
    assert fake_rasa.received[1]["metadata"]["first_contact"] is False


def test_places_in_a_danger_message_are_still_found(client, fake_rasa) -> None:
    chat(client, "Szef mnie uderzył, jestem w Rotterdamie")
    (question,) = fake_rasa.received
    assert json.loads(question["message"].removeprefix("/emergency")) == {"danger": "violence"}
    assert question["metadata"]["entities"]["city"] == "Rotterdam"


def test_look_alikes_and_buttons_go_to_the_classifier_unchanged(client, fake_rasa) -> None:
    chat(client, "my phone is dead, can I register online?")
    chat(client, '/emergency{"danger":"suicide"}')
    chat(client, "/start")
    assert fake_rasa.raw[0].startswith("my phone is dead, can I register online? | ")
    assert fake_rasa.raw[1:] == ['/emergency{"danger":"suicide"}', "/greet"]
    assert "original_text" not in fake_rasa.received[1]["metadata"]


def test_the_message_is_stored_as_written(client, fake_rasa, settings) -> None:
    chat(client, "they locked us in the house")
    db = sqlite3.connect(settings.var_dir / "winbot.db")
    assert InboundMessage.__tablename__ == "inbound_messages"
    (encrypted,) = db.execute("select text_encrypted from inbound_messages").fetchone()
    assert "locked" not in str(encrypted)
    assert Vault(settings.encryption_key).decrypt(encrypted) == "they locked us in the house"


def test_a_danger_message_kept_while_rasa_was_down_is_answered_as_an_emergency(client, fake_rasa) -> None:
    fake_rasa.down = True
    response = chat(client, "мені нема де спати сьогодні вночі")
    assert "112" in response.json()["messages"][-1]["text"]
    fake_rasa.down = False
    fake_rasa.received.clear()
    fake_rasa.raw.clear()
    chat(client, "дякую")
    assert fake_rasa.raw[0] == '/emergency{"danger":"homeless"}'
    assert fake_rasa.received[0]["metadata"]["original_text"] == "мені нема де спати сьогодні вночі"


def test_understand_reports_the_danger_the_safety_layer_sees(settings, fake_rasa) -> None:
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa.handler)))
    with TestClient(create_app(settings, rasa=rasa), client=("127.0.0.1", 50000)) as local:
        seen = local.post("/api/understand", json={"text": "ne iskam veche da jiveq"}).json()
        assert seen["danger"] == "suicide"
        assert local.post("/api/understand", json={"text": "Gdzie jest punkt pomocy?"}).json()["danger"] is None


def test_a_message_that_is_only_a_report_code_is_a_status_request(client, fake_rasa) -> None:
    """To the classifier "k7m-4qx2" is random letters (it once read one as an emergency, another as a fallback);
    to language detection it is any language. The gateway sends it as a status request and keeps the language."""
    chat(client, "Dzień dobry, mam pytanie")
    for pasted in ("k7m-4qx2", " #K7M 4QX2. ", "K7M4QX2"):
        chat(client, pasted)
    assert fake_rasa.raw[1:] == ['/report_status{"report_code":"K7M-4QX2"}'] * 3
    assert [r["metadata"]["language"] for r in fake_rasa.received] == ["pl"] * 4


def test_a_code_inside_a_sentence_or_a_plain_word_is_left_to_the_classifier(client, fake_rasa) -> None:
    chat(client, "what is the status of k7m-4qx2 please")
    chat(client, "weekend")  # seven letters, no digit: a word
    assert fake_rasa.raw[0].startswith("what is the status of k7m-4qx2 please")
    assert fake_rasa.raw[1].startswith("weekend")
