"""Talking to a person on Telegram and WhatsApp: staff replies reach the user on their own channel (fake Bot API
and Graph API servers), the user's answers reach staff, and WhatsApp outside its 24-hour window gets the approved
template instead of a free-text reply that would fail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from core import handoff
from core import staff as accounts
from core.db.models import ChannelUserState, StaffRole
from tests.channels.conftest import TOKEN, FakeGraph, FakeTelegram, db_call, idle, wait_until
from tests.channels.test_telegram import update as telegram_update
from tests.channels.test_whatsapp import notification, post, text, whatsapp_env

PASSWORD = "staff password for the test"  # noqa: S105 - a test account


def login(client) -> str:
    db_call(client, lambda db: accounts.add_staff(db, "anna", PASSWORD, StaffRole.ADMIN))
    response = client.post("/staff/login", data={"username": "anna", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    return client.get("/staff/api/session").json()["csrf"]


def open_chat(client, channel: str, address: str, language: str) -> int:
    """What action_human_handoff does (the fake Rasa has no actions): queue the chat, pause the conversation."""
    user_id = client.app.state.router.user_id(channel, address)

    def request(db):
        chat = handoff.request_person(db, user_id, channel, language, None)
        chat.paused_in_rasa = True
        return chat.id

    return db_call(client, request)


def test_staff_answer_a_telegram_user_in_their_chat(fake_telegram: FakeTelegram, fake_rasa, make_client) -> None:
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url)
    wait_until(lambda: client.app.state.channels.telegram.running, what="telegram polling")
    csrf = login(client)
    fake_telegram.push(telegram_update(510, text="Потрібна допомога з житлом"))
    fake_telegram.wait_sent(510, 2)
    chat_id = open_chat(client, "telegram", "510", "uk")
    asked = len(fake_rasa.received)

    fake_telegram.push(telegram_update(510, text="Власник забрав мій паспорт"))
    wait_until(lambda: any(m["text"] == "Власник забрав мій паспорт" for m in
                           client.get(f"/staff/api/chats/{chat_id}").json()["messages"]), what="the user's message")
    sent = client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Привіт, це Анна з WIN-punt."},
                       headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 200
    wait_until(lambda: any(m["text"] == "Привіт, це Анна з WIN-punt." for m in fake_telegram.sent_to(510)),
               what="the staff reply on Telegram")
    assert len(fake_rasa.received) == asked  # Rasa heard nothing while a person had the chat

    assert client.post(f"/staff/api/chats/{chat_id}/release", headers={"X-CSRF-Token": csrf}).status_code == 200
    idle(client)
    fake_telegram.push(telegram_update(510, text="А що з медичною страховкою?"))
    wait_until(lambda: len(fake_rasa.received) > asked, what="the assistant again")
    user_id = client.app.state.router.user_id("telegram", "510")
    assert fake_rasa.resumed == [user_id] and fake_rasa.restarted == []  # resumed, the dialogue state kept


def test_whatsapp_outside_the_window_gets_the_template(fake_graph: FakeGraph, make_client) -> None:
    client = make_client(**whatsapp_env(fake_graph, WHATSAPP_TEMPLATE_NAME="reply_invitation"))
    csrf = login(client)
    number = "40722555666"
    post(client, notification(text(number, "Am nevoie de ajutor cu salariul")))
    fake_graph.wait_sent(number, 2)
    chat_id = open_chat(client, "whatsapp", number, "ro")

    assert client.get(f"/staff/api/chats/{chat_id}").json()["whatsapp_window_open"] is True
    client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Bună, sunt Ana."},
                headers={"X-CSRF-Token": csrf})
    idle(client)
    assert fake_graph.sent_to(number)[-1]["type"] == "interactive"  # free text (with the back-to-bot button)

    user_id = client.app.state.router.user_id("whatsapp", number)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    db_call(client, lambda db: db.execute(update(ChannelUserState).where(ChannelUserState.user_id == user_id)
                                          .values(last_inbound_at=long_ago)))
    chat = client.get(f"/staff/api/chats/{chat_id}").json()
    assert chat["whatsapp_window_open"] is False  # the console warns and says what will happen
    client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Mai ai nevoie de ajutor?"},
                headers={"X-CSRF-Token": csrf})
    idle(client)
    template = fake_graph.sent_to(number)[-1]
    assert template["type"] == "template" and template["template"]["name"] == "reply_invitation"


def shown_text(message: dict) -> str:
    """The text of a message the fake Graph API accepted (free text, or free text with buttons)."""
    if message["type"] == "interactive":
        return str(message["interactive"]["body"]["text"])
    return str(message["text"]["body"])


def test_staff_messages_sent_back_to_back_arrive_in_order(fake_graph: FakeGraph, make_client) -> None:
    """A reply, a second reply and the hand-back notice, sent within milliseconds, reach the user in that order,
    even when the first delivery fails once and is retried a couple of seconds later (the deliveries to one user
    are ordered jobs; without that, the second reply and the notice would arrive first)."""
    client = make_client(**whatsapp_env(fake_graph))
    csrf = login(client)
    number = "48600100299"
    post(client, notification(text(number, "Potrzebuję pomocy z wypłatą")))
    fake_graph.wait_sent(number, 2)
    chat_id = open_chat(client, "whatsapp", number, "pl")
    before, attempts = len(fake_graph.sent_to(number)), fake_graph.attempts

    fake_graph.fail_next(400, 131000, "Something went wrong")  # the first delivery is refused once
    replies = ["Dzień dobry, tu Anna z WIN-punt.", "Czy agencja zapłaciła za marzec?"]
    for reply in replies:
        response = client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": reply},
                               headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200
    assert client.post(f"/staff/api/chats/{chat_id}/release", headers={"X-CSRF-Token": csrf}).status_code == 200

    delivered = wait_until(lambda: (sent := fake_graph.sent_to(number)[before:]) and len(sent) >= 3 and sent,
                           what="two replies and the hand-back notice")
    texts = [shown_text(message) for message in delivered]
    assert texts[:2] == replies
    assert len(texts) == 3 and texts[2] not in replies  # the notice comes last
    assert fake_graph.attempts - attempts == 4  # the refused first attempt really happened
