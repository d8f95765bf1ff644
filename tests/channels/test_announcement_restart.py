"""2,000 subscribers on Telegram, WhatsApp and the web chat, six languages: every active one gets exactly one
announcement and one reminder, although the fake Bot API answers some requests with 429 (its flood limits are on),
some users blocked the bot, and the gateway is killed (SIGKILL) in the middle of the send and started again.

The gateway is a real process (as in test_restart.py). It is killed while the fake APIs hold the messages in
flight: a message the API never accepted is sent again after the restart, one it accepted is never sent twice.
The reminder is due 5 s after the announcement (295 s before a visit 5 minutes ahead): it waits until the
announcement is out, then goes at once, so the run takes as long as the two sends.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import time
from argparse import Namespace
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot import cli_ops
from core.db.migrate import upgrade
from core.db.models import (
    ChannelAddress,
    ChannelUserState,
    InboxMessage,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Subscription,
    User,
    utcnow,
)
from core.db.session import make_engine, make_session_factory
from core.formatting import AMSTERDAM
from core.locations import get_location, import_locations
from core.privacy import Vault, pseudonym
from core.settings import Settings
from tests.channels.conftest import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    VERIFY_TOKEN,
    FakeGraph,
    FakeTelegram,
    ServerThread,
    wait_until,
)
from tests.channels.test_restart import Gateway, _free_port

LANGUAGES = ("pl", "ro", "bg", "uk", "en", "nl")
#: The first line of each message kind in each language (the catalogs' words).
ANNOUNCEMENT = {"pl": "Zespół mobilny przyjedzie", "ro": "Echipa mobilă vine", "bg": "Мобилният екип идва",
                "uk": "Мобільна команда приїде", "en": "The mobile team is coming", "nl": "Het mobiele team komt"}
REMINDER = {"pl": "Przypomnienie:", "ro": "Reamintire:", "bg": "Напомняне:", "uk": "Нагадування:", "en": "Reminder:",
            "nl": "Herinnering:"}
TELEGRAM, WHATSAPP, WEB = 500, 400, 1100
BLOCKED = range(0, TELEGRAM, 20)  # 25 Telegram users blocked the bot


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    # Telegram's limits (the test's sender is allowed more), and flood control now and then whatever the rate.
    fake = FakeTelegram(overall_rate=150, per_chat_interval=1.0, every_nth_429=100)
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def gateway(tmp_path, telegram, graph) -> Iterator[Gateway]:
    env = {
        **os.environ,
        "WINBOT_VAR_DIR": str(tmp_path), "RASA_URL": "http://127.0.0.1:9", "ACTION_SERVER_URL": "http://127.0.0.1:9",
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.url, "TELEGRAM_MAX_RATE": "200",
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET, "WHATSAPP_API_BASE_URL": graph.url,
        "WHATSAPP_VISIT_TEMPLATE": "visit_announcement",
        "WINBOT_GATEWAY_WORKER": "1", "WINBOT_JOB_LEASE_SECONDS": "5", "WINBOT_JOB_POLL_SECONDS": "0.1",
        "WINBOT_OUTBOUND_RATE": "400", "WINBOT_OUTBOUND_CONCURRENCY": "24", "WINBOT_VISIT_REMINDERS": "295s",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    upgrade(Settings.from_env(env).database_url)
    process = Gateway(env, _free_port(), tmp_path / "gateway.log")
    yield process
    process.kill()


def populate(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """2,000 subscribers; user id -> (channel, address, language). Half the WhatsApp users wrote within 24 hours."""
    engine = make_engine(settings.database_url)
    vault = Vault(settings.encryption_key)
    residents: dict[str, tuple[str, str, str]] = {}
    languages = itertools.cycle(LANGUAGES)
    with make_session_factory(engine)() as db:
        import_locations(db, io.StringIO("code,name,operator,address,postcode,city,municipality,region,lat,lon,"
                                         "approximate\nbosrand1,Park De Bosrand,,Bosweg 1,5912 AB,Venlo,,,,,\n"))
        location = get_location(db, "bosrand1")
        assert location is not None
        people = ([("telegram", str(700000 + i)) for i in range(TELEGRAM)]
                  + [("whatsapp", f"4860{i:07d}") for i in range(WHATSAPP)]
                  + [("web", f"web-sender-{i:05d}") for i in range(WEB)])
        for channel, address in people:
            user_id = pseudonym(settings.pseudonym_key, channel, address)
            language = next(languages)
            residents[user_id] = (channel, address, language)
            db.add(User(id=user_id, channel=channel, language=language))
        db.flush()
        for n, (user_id, (channel, address, _)) in enumerate(residents.items()):
            if channel != "web":
                db.add(ChannelAddress(user_id=user_id, channel=channel, address_encrypted=vault.encrypt(address)))
            if channel == "whatsapp" and n % 2:
                db.add(ChannelUserState(user_id=user_id, channel=channel,
                                        last_inbound_at=utcnow() - dt.timedelta(hours=2)))
        db.flush()
        db.add_all([Subscription(user_id=user_id, location_id=location.id) for user_id in residents])
        db.commit()
    engine.dispose()
    return residents


def sent_rows(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            return int(db.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status != OutboxStatus.QUEUED)) or 0)
    finally:
        engine.dispose()


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def kind_of(text: str, language: str) -> str:
    if text.startswith(ANNOUNCEMENT[language]):
        return "announcement"
    if text.startswith(REMINDER[language]):
        return "reminder"
    return f"unexpected: {first_line(text)}"


def test_2000_subscribers_each_get_one_announcement_and_one_reminder_across_a_killed_gateway(
        gateway, telegram: FakeTelegram, graph: FakeGraph) -> None:
    settings = Settings.from_env(gateway.env)
    residents = populate(settings)
    blocked_chats = {700000 + i for i in BLOCKED}
    telegram.blocked.update(blocked_chats)
    gateway.start()

    start = (utcnow() + dt.timedelta(minutes=5)).astimezone(AMSTERDAM).replace(microsecond=0)
    out = io.StringIO()
    arguments = Namespace(command="visits", action="add", location="bosrand1", start=start.isoformat(),
                          end=(start + dt.timedelta(hours=2)).isoformat(), team="BMIP Venlo", languages="pl,ro",
                          topics="housing", note=None, note_languages=None, announce_at=None, hold=False)
    assert cli_ops.run(arguments, settings, out) == 0
    assert "announcement to 2000 subscriber(s)" in out.getvalue()

    # In the middle of the send: the APIs stop answering, the gateway dies with messages in flight.
    wait_until(lambda: sum(map(len, telegram.delivered.values())) >= 150, timeout=60, what="the send to start")
    telegram.hold.set()
    graph.hold.set()
    # Messages the APIs accepted just before are marked sent by their jobs (quickly, unless the machine is busy);
    # the rest wait in flight. Kill only then: a message accepted but not yet marked would be sent again (no Bot
    # API call has an idempotency key), a window of milliseconds that this test does not try to hit.
    marked, steady_since = -1, time.monotonic()
    while time.monotonic() - steady_since < 1.5:
        now_marked = sent_rows(settings)
        if now_marked != marked:
            marked, steady_since = now_marked, time.monotonic()
        time.sleep(0.2)
    gateway.kill()
    time.sleep(0.5)  # the fake servers see their callers gone
    telegram.hold.clear()
    graph.hold.clear()
    sent_before_restart = sum(map(len, telegram.delivered.values()))
    assert sent_before_restart < TELEGRAM - len(blocked_chats), "the send was over before the restart"
    gateway.start()

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)

    def outbox() -> Counter[tuple[str, str]]:
        time.sleep(0.5)  # a light poll: the gateway shares the machine with this test
        with sessions() as db:
            rows = db.execute(select(OutboxMessage.kind, OutboxMessage.status, func.count())
                              .group_by(OutboxMessage.kind, OutboxMessage.status))
            return Counter({(OutboxKind(k).value, OutboxStatus(st).value): int(n) for k, st, n in rows})

    active = len(residents) - len(blocked_chats)
    seen: list[Counter[tuple[str, str]]] = []

    def reminded() -> bool:
        seen.append(c := outbox())
        return c[("reminder", "sent")] + c[("reminder", "template")] == active and not c[("reminder", "queued")]

    try:
        wait_until(reminded, timeout=240, what="every reminder")
    except AssertionError as exc:
        spread = telegram.accepted[-1] - telegram.accepted[0] if telegram.accepted else 0
        raise AssertionError(f"{exc}; the outbox: {dict(seen[-1])}; {len(telegram.accepted)} Telegram messages in "
                             f"{spread:.1f} s, {telegram.limited} answered 429") from None
    time.sleep(5.5)  # longer than the lease: nothing else may come
    counts = outbox()
    assert counts[("announcement", "blocked")] == len(blocked_chats)
    assert counts[("announcement", "sent")] + counts[("announcement", "template")] == active
    assert not counts[("announcement", "queued")] and not counts[("announcement", "failed")]
    assert telegram.limited > 0, "the fake Bot API never answered 429: the test does not test it"

    # Telegram: exactly one of each per active chat, in the user's language; nothing to blocked users.
    by_chat = {int(address): (user_id, language) for user_id, (channel, address, language) in residents.items()
               if channel == "telegram"}
    for chat_id, (_, language) in by_chat.items():
        kinds = sorted(kind_of(m["text"], language) for m in telegram.delivered.get(chat_id, []))
        assert kinds == ([] if chat_id in blocked_chats else ["announcement", "reminder"]), chat_id
    # WhatsApp: free text inside the window, the template outside it.
    templates = 0
    for number in (address for channel, address, _ in residents.values() if channel == "whatsapp"):
        sent = graph.sent_to(number)
        assert len(sent) == 2, number
        templates += sum(1 for m in sent if m["type"] == "template")
    assert templates == WHATSAPP  # half of them x (announcement + reminder)
    # Web chat: both wait in the inbox.
    vault = Vault(settings.encryption_key)
    with sessions() as db:
        waiting = Counter()
        for row in db.scalars(select(InboxMessage)):
            (message,) = json.loads(vault.decrypt(row.body_encrypted))
            waiting[(row.user_id, kind_of(message["text"], residents[row.user_id][2]))] += 1
        blocked_users = set(db.scalars(select(ChannelUserState.user_id).where(
            ChannelUserState.inactive_since.is_not(None))))
        kinds = {OutboxKind(k) for k in db.scalars(select(OutboxMessage.kind))}
    web_users = [user_id for user_id, (channel, _, _) in residents.items() if channel == "web"]
    assert all(waiting[(u, "announcement")] == 1 and waiting[(u, "reminder")] == 1 for u in web_users)
    assert len(waiting) == 2 * WEB
    assert blocked_users == {pseudonym(settings.pseudonym_key, "telegram", str(c)) for c in blocked_chats}
    assert kinds == {OutboxKind.ANNOUNCEMENT, OutboxKind.REMINDER}
    assert OutboxStatus.FAILED.value not in {status for _, status in counts}
    engine.dispose()
