"""Telegram end to end: the gateway's bot against a fake Bot API server (real HTTP, no network) and a fake Rasa.

Long polling is the default mode; the webhook tests post updates to /webhooks/telegram.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.router import Outgoing
from core.content import channel_messages as cm
from core.content import messages as m
from core.db.models import ChannelUserState, User
from core.i18n import LANGUAGES, gettext, use_locale
from core.render import Reply
from tests.channels.conftest import LONG_PAYLOAD, TOKEN, FakeRasa, FakeTelegram, db_call, in_uow, wait_until

_ids = itertools.count(5000)
WEBHOOK_SECRET = "s3cret-Token_for-tests"  # noqa: S105 - a fake


def update(chat_id: int, *, language_code: str | None = "en", update_id: int | None = None,
           chat_type: str = "private", kind: str = "message", **content: Any) -> dict[str, Any]:
    sender: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Anna", "last_name": "Kowalska"}
    if language_code:
        sender["language_code"] = language_code
    if chat_type == "private":
        chat = {"id": chat_id, "type": "private", "first_name": "Anna"}
    else:
        chat = {"id": -chat_id, "type": chat_type, "title": "Workers"}
    message = {"message_id": next(_ids), "date": int(time.time()), "chat": chat, "from": sender, **content}
    text = content.get("text", "")
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id or next(_ids), kind: message}


def press(chat_id: int, data: str, language_code: str = "en") -> dict[str, Any]:
    """A callback query: the user pressed an inline button carrying ``data``."""
    sender = {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": language_code}
    message = {"message_id": next(_ids), "date": int(time.time()), "text": "...",
               "chat": {"id": chat_id, "type": "private", "first_name": "Anna"},
               "from": {"id": 123456, "is_bot": True, "first_name": "WIN"}}
    return {"update_id": next(_ids),
            "callback_query": {"id": str(next(_ids)), "from": sender, "chat_instance": "1", "data": data,
                               "message": message}}


def texts(sent: list[dict[str, Any]]) -> list[str]:
    return [p["text"] for p in sent]


def buttons(params: dict[str, Any]) -> list[dict[str, str]]:
    return [b for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def localised(language: str, message: str, **values: Any) -> str:
    with use_locale(language):
        return gettext(message, **values)


@pytest.fixture
def telegram_client(fake_telegram: FakeTelegram, make_client):
    """The gateway with Telegram in polling mode, ready."""
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url)
    wait_until(lambda: client.app.state.channels.telegram.running, what="telegram polling")
    return client


@pytest.fixture
def webhook_client(fake_telegram: FakeTelegram, make_client):
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url,
                         TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhooks/telegram",
                         TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    wait_until(lambda: client.app.state.channels.telegram.running, what="telegram webhook")
    return client


def post_update(client, body: Any, secret: str | None = WEBHOOK_SECRET, **kwargs: Any):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    if "content" in kwargs:
        headers["content-type"] = kwargs.pop("content_type", "application/json")
        return client.post("/webhooks/telegram", headers=headers, **kwargs)
    return client.post("/webhooks/telegram", json=body, headers=headers)


def user_row(client, chat_id: int) -> User | None:
    channels = client.app.state.channels
    user_id = channels.conversations.user_id("telegram", str(chat_id))
    return db_call(client, lambda db: db.get(User, user_id))


# -- conversations -----------------------------------------------------------------------------------------

CONVERSATIONS = {
    "pl": ("Jak mogę się zarejestrować w gminie i dostać numer BSN?", "dziękuję bardzo"),
    "ro": ("Cum mă pot înregistra la primărie ca să primesc numărul BSN?", "mulțumesc frumos"),
    "uk": ("Як мені зареєструватися в гемеенте і отримати номер BSN?", "дуже дякую"),
}


@pytest.mark.parametrize("language", list(CONVERSATIONS))
def test_a_full_conversation(telegram_client, fake_telegram: FakeTelegram, fake_rasa: FakeRasa, language) -> None:
    chat_id = 100 + list(CONVERSATIONS).index(language)
    question, thanks = CONVERSATIONS[language]
    # The app is set to English: the hint loses against a clear question in the user's language.
    fake_telegram.push(update(chat_id, text=question, language_code="en"))
    greeting, answer = fake_telegram.wait_sent(chat_id, 2)
    assert greeting["text"] == f"greeting [{language}] deep_link=None"
    assert answer["text"] == f"echo [{language}] {question}"
    assert answer["parse_mode"] == "HTML"
    assert [b["text"] for b in buttons(answer)] == ["Menu", "RNI documents"]
    assert {b["callback_data"] for b in buttons(greeting)} >= {'/change_language{"language":"pl"}'}

    menu = next(b for b in buttons(answer) if b["text"] == "Menu")
    fake_telegram.push(press(chat_id, menu["callback_data"]))
    fake_telegram.wait_sent(chat_id, 3)
    assert fake_rasa.received[-1]["message"] == '/greet{"menu":"1"}'
    assert fake_rasa.received[-1]["metadata"]["language"] == language
    assert wait_until(lambda: fake_telegram.called("answerCallbackQuery"), what="callback answered")

    fake_telegram.push(update(chat_id, text=thanks))
    assert fake_telegram.wait_sent(chat_id, 4)[-1]["text"] == f"echo [{language}] {thanks}"
    fake_telegram.push(update(chat_id, text="ok"))
    assert fake_telegram.wait_sent(chat_id, 5)[-1]["text"] == f"echo [{language}] ok"


def test_the_apps_language_is_only_a_hint_for_the_first_message(telegram_client, fake_telegram) -> None:
    fake_telegram.push(update(210, text="hi", language_code="ro-RO"))
    assert texts(fake_telegram.wait_sent(210)) == ["greeting [ro] deep_link=None"]
    fake_telegram.push(update(210, text="Czy mogę dostać zasiłek chorobowy od agencji pracy?", language_code="ro-RO"))
    assert fake_telegram.wait_sent(210, 2)[-1]["text"].startswith("echo [pl]")


def test_deep_link_start_greets_and_carries_the_payload(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(220, text="/start loc_parkbosrand", language_code="pl"))
    assert texts(fake_telegram.wait_sent(220)) == ["greeting [pl] deep_link=loc_parkbosrand"]
    (greet,) = fake_rasa.received
    assert greet["message"] == "/greet"
    assert greet["metadata"]["deep_link"] == "loc_parkbosrand" and greet["metadata"]["first_contact"] is True


def test_language_switch_by_command_and_button(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(230, text="Jak mogę się zarejestrować w gminie?"))
    fake_telegram.wait_sent(230, 2)
    fake_telegram.push(update(230, text="/language"))
    fake_telegram.wait_sent(230, 3)
    assert fake_rasa.received[-1]["message"] == "/change_language"
    fake_telegram.push(press(230, '/change_language{"language":"uk"}'))
    assert fake_telegram.wait_sent(230, 4)[-1]["text"] == "language now uk"
    fake_telegram.push(update(230, text="BSN"))
    assert fake_telegram.wait_sent(230, 5)[-1]["text"] == "echo [uk] BSN"
    assert user_row(telegram_client, 230).language == "uk"


def test_a_shared_location_asks_for_the_nearest_help(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(240, text="Dzień dobry, szukam pomocy w sprawie pracy"))
    fake_telegram.wait_sent(240, 2)
    fake_telegram.push(update(240, location={"latitude": 51.3704, "longitude": 6.1724}))
    assert fake_telegram.wait_sent(240, 3)[-1]["text"] == "nearest help [pl] for {'lat': 51.3704, 'lon': 6.1724}"
    assert fake_rasa.received[-1]["message"] == "/find_win_point"


MEDIA = {
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}},
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "s1u", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular"}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}], "caption": "look"},
    "document": {"document": {"file_id": "d1", "file_unique_id": "d1u", "file_name": "contract.pdf"}},
    "video": {"video": {"file_id": "x1", "file_unique_id": "x1u", "width": 1, "height": 1, "duration": 1}},
}


@pytest.mark.parametrize("kind", list(MEDIA))
def test_media_get_a_short_answer_in_the_users_language_and_the_menu(
    telegram_client, fake_telegram, fake_rasa, kind
) -> None:
    fake_telegram.push(update(250, text="Cum mă pot înregistra la primărie ca să primesc numărul BSN?"))
    fake_telegram.wait_sent(250, 2)
    asked = len(fake_rasa.received)
    fake_telegram.push(update(250, **MEDIA[kind]))
    reply = fake_telegram.wait_sent(250, 3)[-1]
    assert reply["text"] == localised("ro", cm.MEDIA_NOT_UNDERSTOOD) + "\n" + localised("ro", m.EMERGENCY_LINE)
    assert any(b["callback_data"].startswith("/brp_registration") for b in buttons(reply))  # the menu
    assert len(fake_rasa.received) == asked


def test_contact_cards_are_refused_politely(telegram_client, fake_telegram, fake_rasa) -> None:
    contact = {"contact": {"phone_number": "+48600100200", "first_name": "Piotr", "user_id": 42}}
    fake_telegram.push(update(260, language_code="pl", **contact))
    (reply,) = fake_telegram.wait_sent(260)
    assert reply["text"] == localised("pl", cm.CONTACT_REFUSED)
    assert fake_rasa.received == []
    assert user_row(telegram_client, 260) is None  # nothing stored for a contact card


def test_edited_messages_and_groups_are_ignored(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(270, text="Jak mogę się zarejestrować?", kind="edited_message"))
    fake_telegram.push(update(271, text="Jak mogę się zarejestrować?", chat_type="group"))
    fake_telegram.push(update(272, text="Jak mogę się zarejestrować?", chat_type="supergroup"))
    fake_telegram.push(update(273, text="hi"))  # a marker: processed after the three above
    fake_telegram.wait_sent(273)
    assert fake_telegram.sent_to(270) == [] and fake_telegram.sent_to(-271) == [] and fake_telegram.sent_to(-272) == []
    assert [r["metadata"]["channel"] for r in fake_rasa.received] == ["telegram"]


def test_long_answers_are_split_at_sentences_and_text_is_escaped_with_clickable_links(
    telegram_client, fake_telegram
) -> None:
    fake_telegram.push(update(280, text="hi"))
    fake_telegram.wait_sent(280)
    fake_telegram.push(update(280, text="please give me the long answer"))
    sent = wait_until(lambda: len(fake_telegram.sent_to(280)) >= 4 and fake_telegram.sent_to(280)[1:])
    assert len(sent) == 3  # 10 320 characters in three messages
    assert all(len(p["text"]) <= 4096 and p["text"].endswith("Netherlands.") for p in sent)
    assert [bool(buttons(p)) for p in sent] == [False, False, True]

    tricky = "<b>bold</b> & snake_case *stars* see https://example.org/a_b?x=1&y=2."
    fake_telegram.push(update(280, text=tricky))
    reply = fake_telegram.wait_sent(280, 5)[-1]
    assert reply["parse_mode"] == "HTML"
    assert reply["text"] == (
        'echo [en] &lt;b&gt;bold&lt;/b&gt; &amp; snake_case *stars* see '
        '<a href="https://example.org/a_b?x=1&amp;y=2">https://example.org/a_b?x=1&amp;y=2</a>.'
    )
    assert reply["link_preview_options"] == {"is_disabled": True}


def test_long_payloads_travel_as_short_stable_ids(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(290, text="Jak mogę się zarejestrować w gminie?"))
    answer = fake_telegram.wait_sent(290, 2)[-1]
    data = next(b["callback_data"] for b in buttons(answer) if b["text"] == "RNI documents")
    assert data != LONG_PAYLOAD and len(data.encode()) <= 64 and data.startswith("#")
    fake_telegram.push(update(290, text="A co z mieszkaniem?"))
    again = fake_telegram.wait_sent(290, 3)[-1]
    assert next(b["callback_data"] for b in buttons(again) if b["text"] == "RNI documents") == data  # stable
    fake_telegram.push(press(290, data))
    fake_telegram.wait_sent(290, 4)
    assert fake_rasa.received[-1]["message"] == LONG_PAYLOAD

    asked = len(fake_rasa.received)
    fake_telegram.push(press(290, "#no-such-button-id"))
    reply = fake_telegram.wait_sent(290, 5)[-1]
    assert reply["text"] == localised("pl", cm.UNKNOWN_BUTTON) + "\n" + localised("pl", m.EMERGENCY_LINE)
    assert buttons(reply)
    assert len(fake_rasa.received) == asked


def test_the_command_menu_is_set_in_every_language(telegram_client, fake_telegram) -> None:
    calls = fake_telegram.called("setMyCommands")
    by_language = {call.get("language_code"): call["commands"] for call in calls}
    assert set(by_language) == {None, *LANGUAGES}
    for language in LANGUAGES:
        commands = {c["command"]: c["description"] for c in by_language[language]}
        assert list(commands) == ["start", "help", "language", "privacy", "stop", "forget"]
        assert commands["forget"] == localised(language, cm.COMMAND_FORGET)
    assert by_language[None] == by_language["en"]


def test_help_stop_and_privacy_commands(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(300, text="Jak mogę się zarejestrować w gminie?"))
    fake_telegram.wait_sent(300, 2)
    fake_telegram.push(update(300, text="/help"))
    fake_telegram.wait_sent(300, 3)
    assert fake_rasa.received[-1]["message"] == '/greet{"menu":"1"}'
    fake_telegram.push(update(300, text="/stop"))
    fake_telegram.wait_sent(300, 4)
    assert fake_rasa.received[-1]["message"] == '/mobile_team_visit{"unsubscribe":"all"}'
    fake_telegram.push(update(300, text="/privacy"))
    assert fake_telegram.wait_sent(300, 5)[-1]["text"] == localised("pl", cm.PRIVACY_DETAILS)


def test_forget_erases_the_user_after_a_confirmation(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(310, text="Jak mogę się zarejestrować w gminie?"))
    fake_telegram.wait_sent(310, 2)
    fake_telegram.push(update(310, text="/forget"))
    question = fake_telegram.wait_sent(310, 3)[-1]
    assert question["text"] == localised("pl", cm.FORGET_QUESTION)
    yes, no = buttons(question)
    assert (yes["text"], no["text"]) == (localised("pl", cm.BUTTON_FORGET_YES), localised("pl", cm.BUTTON_FORGET_NO))

    fake_telegram.push(press(310, no["callback_data"]))
    kept = localised("pl", cm.FORGET_KEPT) + "\n" + localised("pl", m.EMERGENCY_LINE)  # with the menu: 112 too
    assert fake_telegram.wait_sent(310, 4)[-1]["text"] == kept
    assert user_row(telegram_client, 310) is not None

    fake_telegram.push(press(310, yes["callback_data"]))
    assert fake_telegram.wait_sent(310, 5)[-1]["text"] == localised("pl", cm.FORGET_DONE)
    assert user_row(telegram_client, 310) is None
    user_id = telegram_client.app.state.channels.conversations.user_id("telegram", "310")
    assert fake_rasa.restarted == [user_id]
    db = sqlite3.connect(telegram_client.settings.var_dir / "winbot.db")
    for table in ("users", "channel_addresses", "inbound_messages", "channel_user_states"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table  # noqa: S608

    fake_rasa.received.clear()
    fake_telegram.push(update(310, text="Jak mogę się zarejestrować w gminie?"))
    fake_telegram.wait_sent(310, 7)
    assert fake_rasa.received[0]["metadata"]["first_contact"] is True  # a new user


def test_rasa_down_gives_an_apology_and_keeps_the_message(telegram_client, fake_telegram, fake_rasa) -> None:
    fake_telegram.push(update(320, text="Як мені зареєструватися в гемеенте?"))
    fake_telegram.wait_sent(320, 2)
    fake_rasa.down = True
    fake_telegram.push(update(320, text="Чи потрібна мені медична страховка?"))
    assert fake_telegram.wait_sent(320, 3)[-1]["text"] == localised("uk", m.SERVICE_DOWN)
    fake_rasa.down = False
    fake_telegram.push(update(320, text="А скільки це коштує?"))
    sent = fake_telegram.wait_sent(320, 5)
    assert texts(sent[-2:]) == ["echo [uk] Чи потрібна мені медична страховка?", "echo [uk] А скільки це коштує?"]


# -- delivery: rate limits, blocked users --------------------------------------------------------------------


def test_429_is_retried_after_retry_after(telegram_client, fake_telegram) -> None:
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    fake_telegram.push(update(330, text="hi"))
    first, second = fake_telegram.wait_sent(330, 2)  # refused with 429, then sent again
    assert first["text"] == second["text"] == "greeting [en] deep_link=None"
    assert time.monotonic() - started >= 1.0
    time.sleep(0.3)
    assert len(fake_telegram.sent_to(330)) == 2


def test_a_user_who_blocked_the_bot_is_marked_inactive_not_retried(telegram_client, fake_telegram) -> None:
    channels = telegram_client.app.state.channels
    user_id = channels.conversations.user_id("telegram", "340")
    fake_telegram.blocked.add(340)
    fake_telegram.push(update(340, text="Jak mogę się zarejestrować w gminie?"))
    wait_until(lambda: fake_telegram.sent_to(340), what="the attempt")
    wait_until(lambda: not db_call(telegram_client, channels.conversations.state.is_active, user_id), what="inactive")
    time.sleep(0.3)
    assert len(fake_telegram.sent_to(340)) == 1  # the greeting failed; nothing more was tried

    announcement = Outgoing("pl", [Reply("Mobile team visit on Tuesday")])
    assert in_uow(telegram_client, lambda uow: channels.telegram.notify(user_id, announcement, uow)) is False
    assert len(fake_telegram.sent_to(340)) == 1

    # Unblocking (my_chat_member) or writing again makes the user reachable.
    fake_telegram.blocked.clear()
    member = {"chat": {"id": 340, "type": "private", "first_name": "Anna"},
              "from": {"id": 340, "is_bot": False, "first_name": "Anna"}, "date": int(time.time()),
              "old_chat_member": {"status": "kicked", "user": {"id": 123456, "is_bot": True, "first_name": "WIN"},
                                  "until_date": 0},
              "new_chat_member": {"status": "member", "user": {"id": 123456, "is_bot": True, "first_name": "WIN"}}}
    fake_telegram.push({"update_id": next(_ids), "my_chat_member": member})
    wait_until(lambda: db_call(telegram_client, channels.conversations.state.is_active, user_id), what="active again")
    assert in_uow(telegram_client, lambda uow: channels.telegram.notify(user_id, announcement, uow)) is True
    assert fake_telegram.sent_to(340)[-1]["text"] == "Mobile team visit on Tuesday"

    blocked = {**member, "old_chat_member": member["new_chat_member"],
               "new_chat_member": {**member["old_chat_member"]}}
    fake_telegram.push({"update_id": next(_ids), "my_chat_member": blocked})
    wait_until(lambda: not db_call(telegram_client, channels.conversations.state.is_active, user_id),
               what="blocked via my_chat_member")
    state = db_call(telegram_client,
                    lambda db: db.scalar(select(ChannelUserState).where(ChannelUserState.user_id == user_id)))
    assert state is not None and state.inactive_reason == "blocked the bot"


# -- webhook mode --------------------------------------------------------------------------------------------


def test_webhook_mode_registers_the_webhook_and_answers(webhook_client, fake_telegram) -> None:
    (webhook,) = fake_telegram.called("setWebhook")
    assert webhook["url"] == "https://bot.example.org/webhooks/telegram"
    assert webhook["secret_token"] == WEBHOOK_SECRET
    assert set(webhook["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    assert fake_telegram.called("deleteWebhook") == []
    response = post_update(webhook_client, update(400, text="Cum mă pot înregistra la primărie?"))
    assert response.status_code == 200
    assert fake_telegram.wait_sent(400, 2)[-1]["text"] == "echo [ro] Cum mă pot înregistra la primărie?"


def test_a_duplicate_update_is_processed_once(webhook_client, fake_telegram, fake_rasa) -> None:
    first = update(410, text="Як мені зареєструватися в гемеенте?")
    assert post_update(webhook_client, first).status_code == 200
    assert post_update(webhook_client, first).status_code == 200  # Telegram retried: our 200 got lost
    fake_telegram.wait_sent(410, 2)
    assert post_update(webhook_client, update(410, text="дуже дякую")).status_code == 200
    fake_telegram.wait_sent(410, 3)
    assert fake_rasa.messages() == ["Як мені зареєструватися в гемеенте?", "дуже дякую"]


@pytest.mark.parametrize("secret", [None, "", "wrong", WEBHOOK_SECRET + "x", WEBHOOK_SECRET[:-1]])
def test_a_bad_webhook_secret_is_refused(webhook_client, fake_telegram, fake_rasa, secret) -> None:
    response = post_update(webhook_client, update(420, text="hi"), secret=secret)
    assert response.status_code == 403
    time.sleep(0.2)
    assert fake_telegram.sent_to(420) == [] and fake_rasa.received == []


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"update_id": 1, "message": {', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"message": {"text": "hi"}}', "application/json", 400),
        (b'{"update_id": "7"}', "application/json", 400),
        (b'{"update_id": 7, "message": "hi"}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"update_id=7", "application/x-www-form-urlencoded", 415),
        (b'{"update_id": 7, "pad": "' + b"x" * 300_000 + b'"}', "application/json", 413),
    ],
)
def test_malformed_webhook_bodies_get_a_4xx(webhook_client, caplog, content, content_type, status) -> None:
    caplog.set_level(logging.INFO, logger="winbot")
    response = post_update(webhook_client, None, content=content, content_type=content_type)
    assert response.status_code == status
    assert any(r.name == "winbot.telegram" and str(status) in r.getMessage() for r in caplog.records)


def test_unknown_fields_in_an_update_are_tolerated(webhook_client, fake_telegram) -> None:
    body = update(430, text="hi")
    body["message"]["some_future_field"] = {"x": 1}
    body["another_future_update_kind"] = {"y": 2}
    assert post_update(webhook_client, body).status_code == 200
    fake_telegram.wait_sent(430)


# -- privacy -------------------------------------------------------------------------------------------------


def test_no_chat_id_name_or_text_in_logs_or_database(telegram_client, fake_telegram, fake_rasa, caplog) -> None:
    caplog.set_level(logging.INFO)
    chat_id = 987654321
    question = "Moja agencja zabrała mi paszport, co mam zrobić?"
    fake_telegram.push(update(chat_id, text=question))
    fake_telegram.wait_sent(chat_id, 2)
    fake_telegram.push(update(chat_id, voice={"file_id": "v", "file_unique_id": "vu", "duration": 1}))
    fake_telegram.wait_sent(chat_id, 3)
    fake_rasa.down = True
    fake_telegram.push(update(chat_id, text="Czy ktoś mi pomoże?"))
    fake_telegram.wait_sent(chat_id, 4)
    fake_rasa.down = False
    fake_telegram.blocked.add(chat_id)
    fake_telegram.push(update(chat_id, text="Dziękuję bardzo za pomoc"))
    user_id = telegram_client.app.state.channels.conversations.user_id("telegram", str(chat_id))
    state = telegram_client.app.state.channels.conversations.state
    wait_until(lambda: not db_call(telegram_client, state.is_active, user_id))

    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    for secret in (str(chat_id), "Anna", "Kowalska", "paszport", "pomoże", "Dziękuję", TOKEN):
        assert secret not in logged, secret
    assert {r.name for r in caplog.records if r.name.startswith("winbot")}  # we did log something
    dump = "\n".join(sqlite3.connect(telegram_client.settings.var_dir / "winbot.db").iterdump())
    for secret in (str(chat_id), "Anna", "Kowalska", "paszport"):
        assert secret not in dump, secret



def test_a_rejected_token_turns_the_webhook_away(fake_telegram, make_client, caplog) -> None:
    client = make_client(TELEGRAM_BOT_TOKEN="999:not-the-token", TELEGRAM_API_BASE_URL=fake_telegram.url,  # noqa: S106
                         TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhooks/telegram",
                         TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    telegram = client.app.state.channels.telegram
    wait_until(lambda: telegram._starting.done(), what="the start to give up")
    assert not telegram.running
    assert any("rejected TELEGRAM_BOT_TOKEN" in r.getMessage() for r in caplog.records)
    assert post_update(client, update(440, text="hi")).status_code == 503
    assert client.post("/api/chat", json={"sender": "abcdefgh12345678", "text": "hi"}).status_code == 200


def test_a_webhook_telegram_refuses_is_reported_at_start(fake_telegram, make_client, caplog) -> None:
    fake_telegram.fail_next("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url,
                         TELEGRAM_WEBHOOK_URL="http://bot.example.org/webhooks/telegram",
                         TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    telegram = client.app.state.channels.telegram
    wait_until(lambda: telegram._starting.done(), what="the start to give up")
    assert not telegram.running
    assert any("url must be provided" in r.getMessage() for r in caplog.records if r.name == "winbot.telegram")
    assert post_update(client, update(450, text="hi")).status_code == 503


def test_telegram_unreachable_at_first_is_retried(fake_telegram, make_client) -> None:
    fake_telegram.fail_next("getMe", 502, "Bad Gateway")
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url)
    wait_until(lambda: client.app.state.channels.telegram.running, what="telegram after a retry")
    assert len(fake_telegram.called("getMe")) == 2


async def test_a_429_pauses_the_announcement_pacer_also_for_the_sends_it_holds(monkeypatch) -> None:
    """AIORateLimiter waits out a 429 and lets the held sends go together: the pacer gives no turn before the pause
    is over and those sends have had their time at the rate (else the next second has more than 30 and each 429
    brings the next)."""
    import asyncio

    from telegram.error import RetryAfter

    from bot.channels.telegram import FloodAwareRateLimiter, Pacer

    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as TelegramChannel sets it
    pacer = Pacer(rate=20.0)  # a turn every 50 ms
    limiter = FloodAwareRateLimiter(pacer.pause, overall_max_rate=30, max_retries=1)
    answers: list[Any] = [RetryAfter(1), True]

    async def bot_call() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    await pacer.wait()  # the pacer has been sending
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def send() -> Any:
        async with pacer.turn():
            return await limiter.process_request(bot_call, (), {}, "sendMessage", {"chat_id": 1}, None)

    sending = asyncio.create_task(send())
    await asyncio.sleep(0.01)  # the send had its turn and met the 429; AIORateLimiter now waits 1.1 s
    waiting = asyncio.create_task(pacer.wait())  # the next send already waits for its turn
    await waiting
    assert loop.time() - began >= 1.1 + 0.05 - 0.01  # retry_after + 0.1, then one interval for the held send
    assert await sending is True and answers == []
