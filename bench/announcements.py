"""A visit announced to N Telegram subscribers (default 10,000) through the outbox and the job worker, against a
local fake Bot API that enforces Telegram's flood limits (30 messages a second overall, 1 a second per chat, 429
with retry_after beyond them). Prints a table: messages a second as a share of the 30/s ceiling (target at least
0.9), the 429s met, and the memory used. 10,000 at 30/s takes about 5.5 minutes; `--count 2000` for a quick run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
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


async def announce(settings: Settings, fake: FakeTelegram, count: int) -> tuple[float, int]:
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
        while True:
            await asyncio.sleep(1.0)
            with runtime.sessions() as db:
                queued = db.scalar(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status == OutboxStatus.QUEUED))
                rows = db.scalar(select(func.count()).select_from(OutboxMessage))
            if rows == count and not queued:
                break
            if time.monotonic() - began > count / 10 + 120:
                raise TimeoutError(f"{queued} of {rows} still queued")
        return time.monotonic() - began, len(fake.accepted)
    finally:
        await worker.stop()
        await runtime.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="subscribers (default 10,000: about 5.5 minutes)")
    parser.add_argument("--rate", type=float, default=None, help="WINBOT_OUTBOUND_RATE (default: the setting's)")
    parser.add_argument("--concurrency", type=int, default=None, help="WINBOT_OUTBOUND_CONCURRENCY (default: the "
                        "setting's)")
    args = parser.parse_args()
    fake = FakeTelegram(overall_rate=CEILING, per_chat_interval=1.0)
    with tempfile.TemporaryDirectory() as tmp, ServerThread(fake.app) as url:
        env = {"WINBOT_VAR_DIR": tmp, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url,
               "RASA_URL": "http://127.0.0.1:9", "WINBOT_JOB_POLL_SECONDS": "0.1"}
        if args.rate:
            env["WINBOT_OUTBOUND_RATE"] = str(args.rate)
        if args.concurrency:
            env["WINBOT_OUTBOUND_CONCURRENCY"] = str(args.concurrency)
        settings = Settings.from_env(env)
        upgrade(settings.database_url)
        populate(settings, args.count)
        before = rss_mb()
        elapsed, accepted = asyncio.run(announce(settings, fake, args.count))
        peak = rss_mb()
    spread = fake.accepted[-1] - fake.accepted[0] if len(fake.accepted) > 1 else elapsed
    rate = accepted / spread if spread else 0.0
    rows = [
        ("subscribers", f"{args.count:,}"),
        ("messages accepted by the Bot API", f"{accepted:,}"),
        ("send time (first to last message)", f"{spread:.1f} s"),
        ("until every outbox row was settled", f"{elapsed:.1f} s"),
        ("messages a second", f"{rate:.1f}"),
        ("share of Telegram's 30/s ceiling", f"{rate / CEILING:.2f} (target >= 0.90)"),
        ("429 answered by the fake Bot API", f"{fake.limited:,}"),
        ("outbound rate setting", f"{settings.outbound_rate:g}/s, {settings.outbound_concurrency} at once"),
        ("peak memory (RSS, whole process)", f"{peak:.0f} MB ({peak - before:+.0f} MB during the send)"),
    ]
    width = max(len(name) for name, _ in rows)
    print("\nAnnouncement to Telegram subscribers, fake Bot API with Telegram's flood limits")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
