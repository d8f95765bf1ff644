"""Visit announcements through the gateway's own worker, against the fake Bot API and Graph API: each channel
its way (Telegram text with a stop button, WhatsApp free text inside the 24-hour window and the kind's template
outside it, the web chat's inbox), blocked users, a 429 that outlasts python-telegram-bot's own retries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import announcements as ann
from core.db.models import (
    ChannelAddress,
    ChannelUserState,
    OutboxMessage,
    OutboxStatus,
    Subscription,
    User,
    utcnow,
)
from core.locations import get_location, import_locations
from core.privacy import pseudonym
from tests.channels.conftest import TOKEN, FakeGraph, FakeTelegram, db_call, idle, wait_until
from tests.channels.test_whatsapp import whatsapp_env

LOCATIONS = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,,,,,\n"
)


def add_resident(db: Session, client: Any, channel: str, address: str, language: str, *,
                 window_open: bool = False) -> str:
    """A subscribed resident as the chat would have left them (pseudonym, encrypted address, subscription)."""
    settings = client.settings
    user_id = pseudonym(settings.pseudonym_key, channel, address)
    db.add(User(id=user_id, channel=channel, language=language))
    db.flush()
    if channel != "web":
        db.add(ChannelAddress(user_id=user_id, channel=channel,
                              address_encrypted=client.app.state.router.vault.encrypt(address)))
    if window_open:
        db.add(ChannelUserState(user_id=user_id, channel=channel, last_inbound_at=utcnow() - dt.timedelta(hours=1)))
    location = get_location(db, "bosrand1")
    if location is None:
        import_locations(db, io.StringIO(LOCATIONS))
        location = get_location(db, "bosrand1")
    assert location is not None
    db.add(Subscription(user_id=user_id, location_id=location.id))
    db.flush()
    return user_id


def plan(client: Any, hours_ahead: float = 48) -> int:
    start = (utcnow() + dt.timedelta(hours=hours_ahead)).replace(minute=0, second=0, microsecond=0)

    def add(db: Session) -> int:
        return ann.plan_visit(db, client.app.state.runtime.jobs, "bosrand1", start, start + dt.timedelta(hours=2),
                              "BMIP Venlo", languages="pl,ro", topics="housing").id

    visit_id = db_call(client, add)
    client.app.state.runtime.jobs.notify(ann.ANNOUNCE_QUEUE)
    return visit_id


def statuses(client: Any) -> dict[str, OutboxStatus]:
    def read(db: Session) -> dict[str, OutboxStatus]:
        return {row.user_id: row.status for row in db.scalars(select(OutboxMessage))}

    return db_call(client, read)


@pytest.fixture
def both(fake_telegram: FakeTelegram, fake_graph: FakeGraph, make_client):
    client = make_client(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.url,
                         WHATSAPP_VISIT_TEMPLATE="visit_announcement", **whatsapp_env(fake_graph))
    wait_until(lambda: client.app.state.channels.telegram.running, what="telegram polling")
    return client


def test_each_channel_gets_the_announcement_its_way(both, fake_telegram: FakeTelegram, fake_graph: FakeGraph) -> None:
    fake_telegram.blocked.add(5003)
    users = db_call(both, lambda db: {
        "telegram": add_resident(db, both, "telegram", "5001", "pl"),
        "blocked": add_resident(db, both, "telegram", "5003", "uk"),
        "wa_open": add_resident(db, both, "whatsapp", "48600111222", "pl", window_open=True),
        "wa_closed": add_resident(db, both, "whatsapp", "40722333444", "ro"),
        "web": add_resident(db, both, "web", "web-sender-0001", "nl"),
    })
    visit_id = plan(both)
    wait_until(lambda: OutboxStatus.QUEUED not in statuses(both).values() and len(statuses(both)) == 5,
               what="the outbox to be sent")
    idle(both)

    (telegram,) = fake_telegram.sent_to(5001)
    assert telegram["text"].startswith("Zespół mobilny przyjedzie do Park De Bosrand.")
    assert "Napisz \"stop\"" in telegram["text"] or "Napisz &quot;stop&quot;" in telegram["text"]
    assert telegram["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == ann.STOP_PAYLOAD

    (free,) = fake_graph.sent_to("48600111222")  # inside the 24-hour window: free text with a stop button
    assert free["type"] == "interactive" and "Zespół mobilny" in free["interactive"]["body"]["text"]
    (template,) = fake_graph.sent_to("40722333444")  # outside it: the approved template, in Romanian
    assert template["type"] == "template"
    assert template["template"]["name"] == "visit_announcement"
    assert template["template"]["language"] == {"code": "ro"}
    parameters = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    expected = db_call(both, lambda db: ann.template_parameters(ann.locations.get_visit(db, visit_id), "ro"))
    assert parameters == expected  # date and time in Romanian, and the place
    assert parameters[2] == "Park De Bosrand, Bosweg 1, 5912 AB Venlo"

    # The web chat user finds it in their inbox, once; an unknown sender learns nothing.
    first = both.get("/api/chat/inbox", params={"sender": "web-sender-0001"}).json()
    assert len(first["messages"]) == 1 and first["messages"][0]["text"].startswith("Het mobiele team komt naar")
    assert first["messages"][0]["buttons"] == [{"title": "Stop berichten", "payload": ann.STOP_PAYLOAD}]
    assert both.get("/api/chat/inbox", params={"sender": "web-sender-0001"}).json() == {"messages": []}
    assert both.get("/api/chat/inbox", params={"sender": "never-seen-0001"}).json() == {"messages": []}
    assert both.get("/api/chat/inbox", params={"sender": "bad id"}).status_code == 400

    assert statuses(both) == {users["telegram"]: OutboxStatus.SENT, users["blocked"]: OutboxStatus.BLOCKED,
                              users["wa_open"]: OutboxStatus.SENT, users["wa_closed"]: OutboxStatus.TEMPLATE,
                              users["web"]: OutboxStatus.SENT}
    inactive = db_call(both, lambda db: db.get(ChannelUserState, users["blocked"]).inactive_since)
    assert inactive is not None

    # A change: no change template is configured, so the resident outside the window cannot be told on WhatsApp.
    db_call(both, lambda db: ann.edit_visit(db, both.app.state.runtime.jobs, visit_id, team="BMIP Noord-Limburg"))
    both.app.state.runtime.jobs.notify(ann.ANNOUNCE_QUEUE)
    wait_until(lambda: len(fake_telegram.sent_to(5001)) == 2, what="the change notice")
    idle(both)
    assert "BMIP Noord-Limburg" in fake_telegram.sent_to(5001)[1]["text"]
    lines = {(line.kind, line.channel, line.status): line.count for line in db_call(
        both, lambda db: ann.delivery_status(db, visit_id))}
    assert lines[("change", "whatsapp", "failed")] == 1 and lines[("change", "whatsapp", "sent")] == 1
    assert ("change", "telegram", "blocked") not in lines  # the blocked user is not written to again


def test_nothing_more_after_stop_nor_for_a_visit_that_moved_on(tmp_path) -> None:
    """A message planned before the resident wrote "stop" (or before the visit was cancelled) is not sent."""
    from bot.announcer import _load
    from core.db.migrate import upgrade
    from core.db.models import OutboxKind
    from core.db.session import make_engine, make_session_factory
    from core.jobs import Jobs, Task
    from core.privacy import Vault
    from core.reminders import parse_reminders

    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    upgrade(url)
    engine = make_engine(url)
    jobs = Jobs(Vault(b"k" * 32))
    ann.register_fanout(jobs, parse_reminders(""))
    jobs.register(Task(ann.SEND_TASK, ann.OUTBOUND_QUEUE, lambda job: None))  # type: ignore[arg-type,return-value]
    with make_session_factory(engine)() as db:
        import_locations(db, io.StringIO(LOCATIONS))
        location = get_location(db, "bosrand1")
        assert location is not None
        for user_id in ("te-1", "te-2"):
            db.add(User(id=user_id, channel="telegram", language="pl"))
            db.flush()
            db.add(Subscription(user_id=user_id, location_id=location.id))
        start = utcnow() + dt.timedelta(days=2)
        visit = ann.plan_visit(db, jobs, "bosrand1", start, start + dt.timedelta(hours=1), "BMIP")
        assert ann.fan_out(db, jobs, visit.id, OutboxKind.ANNOUNCEMENT, visit.version, 0, ()) == 2
        first, second = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        db.delete(db.scalar(select(Subscription).where(Subscription.user_id == "te-1")))  # wrote "stop"
        db.flush()
        assert _load(db, first.id, {}, None) is None and first.status is OutboxStatus.CANCELLED
        message = _load(db, second.id, {}, None)
        assert message is not None and message.reply.text.startswith("Zespół mobilny")
        ann.cancel_visit(db, jobs, visit.id)
        assert _load(db, second.id, {}, None) is None  # cancelled meanwhile
    engine.dispose()


def test_a_429_that_outlasts_the_libraries_retries_is_honoured_not_lost(both, fake_telegram: FakeTelegram) -> None:
    user = db_call(both, lambda db: add_resident(db, both, "telegram", "6001", "en"))
    for _ in range(4):  # AIORateLimiter waits out three; the fourth reaches the job, which tries again later
        fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    plan(both)
    (sent,) = wait_until(lambda: fake_telegram.delivered_to(6001), what="the announcement")
    assert sent["text"].startswith("The mobile team is coming to Park De Bosrand.")
    idle(both)
    assert len(fake_telegram.delivered_to(6001)) == 1
    assert statuses(both) == {user: OutboxStatus.SENT}
    assert len(fake_telegram.called("sendMessage")) == 5
