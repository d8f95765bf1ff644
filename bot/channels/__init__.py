"""Chat channels: Telegram and WhatsApp adapters around the one router.

- ``conversations``: what every channel shares (channel commands, buttons, media, redeliveries, erasure);
- ``telegram`` / ``whatsapp``: one adapter each, turning updates into ``ChannelMessage`` and rendering replies;
- ``render``: splitting long answers, escaping, links; ``state``: what channels keep in the database.

A new channel is one more adapter module, wired into ``bot.gateway.create_app``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Route

from bot.channels.conversations import Conversations
from bot.channels.state import ChannelState, rasa_tracker_url
from bot.channels.telegram import WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.rasa_client import RasaClient
from bot.router import Router
from core.jobs import Jobs
from core.settings import Settings

log = logging.getLogger("winbot.channels")


@dataclass
class Channels:
    """The chat channels this deployment is configured for (none, one or both)."""

    conversations: Conversations
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None

    def routes(self) -> list[Route]:
        routes: list[Route] = []
        if self.telegram and self.telegram.webhook_url and self.telegram.receiving:
            routes.append(Route(TELEGRAM_WEBHOOK_PATH, self.telegram.webhook, methods=["POST"]))
        if self.whatsapp:
            routes += self.whatsapp.routes()
        return routes

    def start(self) -> None:
        """Called in the gateway's lifespan, on its event loop."""
        if self.telegram:
            self.telegram.start()
        if self.whatsapp:
            self.whatsapp.start()

    async def stop(self) -> None:
        if self.telegram:
            await self.telegram.stop()
        if self.whatsapp:
            await self.whatsapp.stop()


def build_channels(
    settings: Settings,
    router: Router,
    sessions: sessionmaker[Session],
    rasa: RasaClient,
    jobs: Jobs,
    *,
    receive: bool = True,
    answer: bool = True,
) -> Channels:
    """The configured channels. ``receive``: updates come in here and are queued (the gateway); ``answer``: this
    process runs the queued messages' jobs (a worker). Either way every channel registers its job tasks."""
    conversations = Conversations(router, ChannelState(router.vault), rasa, rasa_tracker_url(settings))
    channels = Channels(conversations)
    if settings.telegram_bot_token:
        channels.telegram = TelegramChannel(settings, conversations, sessions, jobs, receive=receive, answer=answer)
    if settings.whatsapp_enabled:
        channels.whatsapp = WhatsAppChannel(settings, conversations, sessions, jobs)
    return channels
