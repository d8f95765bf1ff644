"""What the gateway and a worker both build from the settings: one engine, the router, the channels, the jobs.

The gateway (bot/gateway.py) serves HTTP: the web chat answers in the request; Telegram and WhatsApp updates are
stored as jobs. A worker (bot/worker.py, ``winbot worker``) runs the jobs: it answers those updates and sends
visit announcements (bot/announcer.py). The gateway can run a worker itself (``WINBOT_GATEWAY_WORKER``, on by
default; ``winbot run`` turns it off and starts a separate worker process).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.announcer import Announcer
from bot.channels import Channels, build_channels
from bot.handoff import MAINTAIN_EVERY, MAINTAIN_TASK, Handoff
from bot.rasa_client import RasaClient
from bot.rasa_store import rasa_tracker_url
from bot.router import Router
from core import jobs as job_table
from core.announcements import ANNOUNCE_QUEUE, OUTBOUND_QUEUE, register_fanout
from core.db.session import make_engine, make_session_factory
from core.jobs import JobContext, Jobs, QueueConfig, Task, Worker
from core.places import Gazetteer
from core.privacy import Vault
from core.reminders import parse_reminders
from core.settings import Settings

log = logging.getLogger("winbot.runtime")

MAINTENANCE_QUEUE = "maintenance"
PRUNE_TASK = "jobs.prune"
PRUNE_EVERY = 6 * 3600.0


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    rasa: RasaClient
    router: Router
    jobs: Jobs
    channels: Channels
    handoff: Handoff
    vault: Vault

    def worker(self) -> Worker:
        """A worker for every queue this deployment has, configured from the settings."""
        worker = Worker(
            self.sessions,
            self.jobs,
            {
                "inbound": QueueConfig(concurrency=self.settings.inbound_concurrency),
                MAINTENANCE_QUEUE: QueueConfig(concurrency=1),
                ANNOUNCE_QUEUE: QueueConfig(concurrency=1),
                # Telegram allows about 30 messages a second per bot: this is per worker process, so with N
                # workers give each 1/N (WINBOT_OUTBOUND_RATE); a 429 beyond that is honoured (retry_after).
                # Jobs start a little faster than the rate and are claimed a few at a time (fewer claims); the
                # Telegram channel spaces the sends themselves evenly at the rate (TelegramChannel.pacer).
                OUTBOUND_QUEUE: QueueConfig(concurrency=self.settings.outbound_concurrency,
                                            rate=self.settings.outbound_rate * 1.15,
                                            burst=max(1, int(self.settings.outbound_rate // 10))),
            },
            lease=self.settings.job_lease_seconds,
            poll=self.settings.job_poll_seconds,
        )
        worker.every(PRUNE_TASK, PRUNE_EVERY)
        worker.every(MAINTAIN_TASK, MAINTAIN_EVERY)
        return worker

    async def aclose(self) -> None:
        await self.channels.stop()
        await self.rasa.aclose()
        self.engine.dispose()


def build_runtime(
    settings: Settings, rasa: RasaClient | None = None, *, receive: bool = True, answer: bool = True
) -> Runtime:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    vault = Vault(settings.encryption_key)
    rasa_client = rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)
    router = Router(rasa_client, Gazetteer.load(), settings.pseudonym_key, vault,
                    max_chars=settings.max_message_chars, rasa_tracker_url=rasa_tracker_url(settings),
                    reopen_within=dt.timedelta(minutes=settings.handoff_reopen_minutes),
                    staff_max_chats=settings.staff_max_chats)
    jobs = Jobs(vault)

    async def prune(job: JobContext) -> None:
        removed = await job.uow.transaction(job_table.prune)
        if removed:
            log.info("pruned %d finished jobs", removed)

    jobs.register(Task(PRUNE_TASK, MAINTENANCE_QUEUE, prune, max_attempts=2))
    channels = build_channels(settings, router, sessions, rasa_client, jobs, receive=receive, answer=answer)
    register_fanout(jobs, parse_reminders(settings.visit_reminders))
    Announcer(channels, vault, settings.whatsapp_visit_templates).register(jobs)
    handoff = Handoff(settings, jobs, vault, channels)
    return Runtime(settings, engine, sessions, rasa_client, router, jobs, channels, handoff, vault)
