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
from core.nlu_text import SEPARATOR
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


def _parts_read_as(fake_rasa, marker: str, confidence: float) -> list[str]:
    """Make the fake Rasa read any text with ``marker`` as an emergency; returns the texts it was asked to parse."""
    parsed: list[str] = []
    handler = fake_rasa.handler

    def reading(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/model/parse":
            text = json.loads(request.content)["text"].split(SEPARATOR)[0]
            parsed.append(text)
            if marker in text:
                return httpx.Response(200, json={"intent": {"name": "emergency", "confidence": confidence}})
        return handler(request)

    fake_rasa.handler = reading
    return parsed


def test_a_danger_in_one_sentence_of_a_longer_message_puts_the_lines_above_the_answer(settings, fake_rasa) -> None:
    parsed = _parts_read_as(fake_rasa, "the foreman", 0.8)
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa.handler)))
    with TestClient(create_app(settings, rasa=rasa)) as local:
        chat(local, "my payslip is missing two days of work. the foreman waits for me every night after my shift "
                    "now. when do they pay the holiday money?")
        chat(local, "when do they pay the holiday money this year?")  # one sentence: no parts to read
    first, second = fake_rasa.received
    assert first["metadata"]["danger_in_part"] is True
    assert first["message"].startswith("my payslip is missing")  # the question itself still gets its answer
    assert "danger_in_part" not in second["metadata"]
    assert len(parsed) == 3 and any("the foreman" in p for p in parsed)


def test_an_unsure_part_or_a_danger_free_message_is_not_flagged(settings, fake_rasa) -> None:
    _parts_read_as(fake_rasa, "the foreman", 0.4)
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa.handler)))
    with TestClient(create_app(settings, rasa=rasa)) as local:
        chat(local, "my payslip is missing two days of work. the foreman says it is the agency's fault. who pays?")
        chat(local, "I moved last week to Venlo. Where do I register my new address now?")
    assert all("danger_in_part" not in r["metadata"] for r in fake_rasa.received)


def test_message_parts() -> None:
    from core.safety import MAX_PARTS, message_parts

    assert message_parts("how do I get a BSN?") == []
    assert message_parts("ok. thanks, how do I get a BSN?") == []  # "ok." is too short to be a part
    text = "question about my payslip, hours missing. i slept in the car again; when is holiday pay paid?"
    assert sorted(message_parts(text)) == sorted(["question about my payslip, hours missing.",
                                                  "i slept in the car again", "when is holiday pay paid?"])
    many = " ".join(f"this is sentence number {i}." for i in range(10))
    assert len(message_parts(many)) == MAX_PARTS
    assert message_parts('/report_abuse{"x": "a b c d. e f g h."}') == []
