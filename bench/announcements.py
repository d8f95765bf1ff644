"""A visit announced to N Telegram subscribers (default 10,000) through the outbox and the job worker, against a
local fake Bot API that enforces Telegram's flood limits (30 messages a second overall, 1 a second per chat, 429
with retry_after beyond them). Prints a table: messages a second as a share of the 30/s ceiling (target at least
0.9), the 429s met, and the memory used. 10,000 at 28/s takes about 6 minutes; `--count 2000` for a quick run.

What is measured: the rate is the messages the fake Bot API accepted over the time from its first to its last
accepted message. The fan-out (writing the outbox rows and send jobs) runs in batches while the first batches are
already being sent, so all of it but the first batch (a fraction of a second, shown as "first message after") is
inside that window. The worker sends at WINBOT_OUTBOUND_RATE (28/s, 0.93 of the ceiling) evenly spaced, never
catching up after a pause, so every moment it has no message ready (or waits out a 429) is lost: the table
splits that lost time into while the fan-out was still writing rows and after it. The fake Bot API runs in this
process (a thread), the job worker polls at the default WINBOT_JOB_POLL_SECONDS, and the load average is printed
with the result: the machine's other work takes CPU from the sender. On a loaded machine the fake now and then
sees more than 30 messages within a second (a stall bunches them) and answers 429: the table counts them;
`--surprise-429 N` adds one every N messages to measure what each costs (before the pacer paused on a 429, each
brought the next).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.runtime import build_runtime  # noqa: E402
from core import announcements as ann  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.db.models import ChannelAddress, OutboxMessage, OutboxStatus, Subscription, User, utcnow  # noqa: E402
from core.locations import get_location, import_locations  # noqa: E402
from core.privacy import Vault, pseudonym  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.channels.conftest import TOKEN, FakeTelegram, ServerThread  # noqa: E402

CEILING = 30.0
LANGUAGES = ("pl", "ro", "bg", "uk", "en", "nl")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(settings: Settings, count: int) -> None:
    from core.db.session import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    vault = Vault(settings.encryption_key)
    with make_session_factory(engine)() as db:
        import_locations(db, io.StringIO("code,name,operator,address,postcode,city,municipality,region,lat,lon,"
                                         "approximate\nbosrand1,Park De Bosrand,,Bosweg 1,5912 AB,Venlo,,,,,\n"))
        location = get_location(db, "bosrand1")
        assert location is not None
        chats = [str(800000 + i) for i in range(count)]
        users = [(pseudonym(settings.pseudonym_key, "telegram", chat), chat) for chat in chats]
        db.add_all([User(id=u, channel="telegram", language=LANGUAGES[i % 6]) for i, (u, _) in enumerate(users)])
        db.flush()
        db.add_all([ChannelAddress(user_id=u, channel="telegram", address_encrypted=vault.encrypt(a))
                    for u, a in users])
        db.add_all([Subscription(user_id=u, location_id=location.id) for u, _ in users])
        db.commit()
    engine.dispose()


async def announce(settings: Settings, fake: FakeTelegram, count: int) -> tuple[float, float, float]:
    """Plan the visit, wait until every outbox row is settled; (when it was planned, when the fan-out had written
    every row, how long until all were settled), in time.monotonic()."""
    runtime = build_runtime(settings, receive=False, answer=True)
    worker = runtime.worker()
    runtime.channels.start()
    worker.start()
    try:
        start = utcnow() + dt.timedelta(days=2)

        def plan(db):  # type: ignore[no-untyped-def]
            return ann.plan_visit(db, runtime.jobs, "bosrand1", start, start + dt.timedelta(hours=2), "BMIP Venlo",
                                  languages="pl,ro", topics="housing").id

        with runtime.sessions() as db:
            plan(db)
            db.commit()
        runtime.jobs.notify(ann.ANNOUNCE_QUEUE)
        began = time.monotonic()
        written = 0.0
        while True:
            await asyncio.sleep(1.0)
            with runtime.sessions() as db:
                queued = db.scalar(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status == OutboxStatus.QUEUED))
                rows = db.scalar(select(func.count()).select_from(OutboxMessage))
            if rows == count and not written:
                written = time.monotonic()
            if rows == count and not queued:
                break
            if time.monotonic() - began > count / 10 + 120:
                raise TimeoutError(f"{queued} of {rows} still queued")
        return began, written, time.monotonic() - began
    finally:
        await worker.stop()
        await runtime.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="subscribers (default 10,000: about 6 minutes)")
    parser.add_argument("--rate", type=float, default=None, help="WINBOT_OUTBOUND_RATE (default: the setting's)")
    parser.add_argument("--concurrency", type=int, default=None, help="WINBOT_OUTBOUND_CONCURRENCY (default: the "
                        "setting's)")
    parser.add_argument("--surprise-429", type=int, default=None, metavar="N", help="the fake Bot API also answers "
                        "every N-th message with 429 (retry_after 1), as a loaded machine's stalls make it do now and "
                        "then: how much each costs")
    args = parser.parse_args()
    fake = FakeTelegram(overall_rate=CEILING, per_chat_interval=1.0, every_nth_429=args.surprise_429)
    with tempfile.TemporaryDirectory() as tmp, ServerThread(fake.app) as url:
        env = {"WINBOT_VAR_DIR": tmp, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url,
               "RASA_URL": "http://127.0.0.1:9"}
        if args.rate:
            env["WINBOT_OUTBOUND_RATE"] = str(args.rate)
        if args.concurrency:
            env["WINBOT_OUTBOUND_CONCURRENCY"] = str(args.concurrency)
        settings = Settings.from_env(env)
        upgrade(settings.database_url)
        populate(settings, args.count)
        before = rss_mb()
        load_before = os.getloadavg()[0]
        began, written, elapsed = asyncio.run(announce(settings, fake, args.count))
        peak = rss_mb()
        load_after = os.getloadavg()[0]
    accepted = len(fake.accepted)
    first, last = fake.accepted[0], fake.accepted[-1]
    spread = last - first if accepted > 1 else elapsed
    rate = (accepted - 1) / spread if spread else 0.0  # N messages, N - 1 intervals
    # Time without a message ready for the pacer: the time taken minus the time the messages need at the rate.
    interval = 1 / settings.outbound_rate
    during = [at for at in fake.accepted if at <= written]
    lost_during = max(0.0, (written - first) - len(during) * interval) if during else 0.0
    lost_after = max(0.0, (last - max(written, first)) - (accepted - len(during)) * interval)
    rows = [
        ("subscribers", f"{args.count:,}"),
        ("messages accepted by the Bot API", f"{accepted:,}"),
        ("send time (first to last message)", f"{spread:.1f} s"),
        ("until every outbox row was settled", f"{elapsed:.1f} s"),
        ("first message after", f"{first - began:.1f} s (the fan-out's first batch; not in the send time)"),
        ("fan-out wrote every row after", f"{written - began:.0f} s (polled each second)"),
        ("time lost (no message ready, 429 pauses)",
         f"{lost_during:.1f} s during the fan-out, {lost_after:.1f} s after"),
        ("messages a second", f"{rate:.1f}"),
        ("share of Telegram's 30/s ceiling", f"{rate / CEILING:.2f} (target >= 0.90)"),
        ("429 answered by the fake Bot API", f"{fake.limited:,}"),
        ("outbound rate setting", f"{settings.outbound_rate:g}/s, {settings.outbound_concurrency} at once"),
        ("peak memory (RSS, whole process)", f"{peak:.0f} MB ({peak - before:+.0f} MB during the send)"),
        ("load average (1 min), 2 cores", f"{load_before:.1f} before, {load_after:.1f} after"),
    ]
    width = max(len(name) for name, _ in rows)
    print("\nAnnouncement to Telegram subscribers, fake Bot API with Telegram's flood limits")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
