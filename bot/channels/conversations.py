"""What every chat channel shares around the router: channel commands, buttons, media, redeliveries, erasure.

An adapter turns its channel's update into a :class:`ChannelMessage` and renders the :class:`Outgoing` it gets
back; everything else happens here once (or in the router), so a new channel is one adapter module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import hmac
import logging
import traceback
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.channels.state import ChannelState, purge_rasa_events
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.router import Incoming, Outgoing, Router
from core.content import channel_messages as cm
from core.db.uow import UnitOfWork
from core.i18n import gettext, normalise_language, use_locale
from core.render import Button, Reply, menu_buttons, with_emergency_line

log = logging.getLogger("winbot.channels")

#: Commands handled here, without Rasa (the router maps /start, /help, /language and /stop to Rasa payloads).
#: WhatsApp users type them; Telegram users also find them in the command menu.
FORGET = "/forget"
FORGET_CONFIRM = "/forget_confirm"
FORGET_CANCEL = "/forget_cancel"
PRIVACY = "/privacy"


class Kind(enum.StrEnum):
    TEXT = "text"
    #: A pressed button: ``text`` is the button id the channel carried (a payload or a stored key).
    BUTTON = "button"
    LOCATION = "location"
    CONTACT = "contact"
    #: Voice, pictures, stickers, files, video: not understood.
    MEDIA = "media"


@dataclass(frozen=True)
class ChannelMessage:
    channel: str
    address: str
    kind: Kind
    text: str = ""
    language_hint: str | None = None
    location: tuple[float, float] | None = None
    received_at: dt.datetime | None = None


class Conversations:
    """Channel-neutral handling of one message, in the unit of work its entry point (a job) opened."""

    def __init__(
        self,
        router: Router,
        state: ChannelState,
        rasa: RasaClient,
        rasa_tracker_url: str | None = None,
    ) -> None:
        self.router = router
        self.state = state
        self.rasa = rasa
        self.rasa_tracker_url = rasa_tracker_url

    def user_id(self, channel: str, address: str) -> str:
        return self.router.user_id(channel, address)

    def delivery_key(self, channel: str, external_id: str) -> str:
        """A keyed hash of a channel's message or update id (WhatsApp ids embed the phone number), for the
        inbound job's dedup key: a redelivery is not queued twice."""
        key = hmac.new(self.router.pseudonym_key, f"delivery\x1f{channel}\x1f{external_id}".encode(), hashlib.sha256)
        return f"in:{channel}:{key.hexdigest()[:40]}"

    async def handle(self, message: ChannelMessage, uow: UnitOfWork) -> Outgoing:
        """The replies to one message. Never raises: an unexpected error gets the apology (and a log line
        with the error's type and place only, as error messages can quote data)."""
        user_id = self.user_id(message.channel, message.address)
        try:
            return await self._handle(user_id, message, uow)
        except Exception as exc:
            log.error("%s message of user %s failed: %s%s",
                      message.channel, user_id, type(exc).__name__, error_place(exc))
            return await self._apology(user_id, message, uow)

    async def _handle(self, user_id: str, message: ChannelMessage, uow: UnitOfWork) -> Outgoing:
        if message.kind is Kind.MEDIA:
            return await self._say(user_id, message, uow, cm.MEDIA_NOT_UNDERSTOOD, menu=True)
        if message.kind is Kind.CONTACT:
            return await self._say(user_id, message, uow, cm.CONTACT_REFUSED)
        if message.kind is Kind.LOCATION:
            incoming = Incoming(message.channel, message.address, "", message.language_hint, message.location)
            return await self.router.handle(incoming, uow, message.received_at)
        text = message.text.strip()
        if message.kind is Kind.BUTTON:
            payload = await uow.run(self.state.resolve_button, text)
            if payload is None:
                return await self._say(user_id, message, uow, cm.UNKNOWN_BUTTON, menu=True)
            text = payload
        command = text.split("@")[0].lower()
        if command == PRIVACY:
            return await self._say(user_id, message, uow, cm.PRIVACY_DETAILS)
        if command == FORGET:
            return await self._ask_to_forget(user_id, message, uow)
        if command == FORGET_CANCEL:
            return await self._say(user_id, message, uow, cm.FORGET_KEPT, menu=True)
        if command == FORGET_CONFIRM:
            return await self._forget(user_id, message, uow)
        incoming = Incoming(message.channel, message.address, text, message.language_hint)
        return await self.router.handle(incoming, uow, message.received_at)

    # -- replies that need no dialogue ------------------------------------------------------------------

    def _language(self, db: Session, user_id: str, message: ChannelMessage) -> str:
        """The user's language; the user wrote, so their reachability and 24-hour window are updated too."""
        self.state.record_inbound(db, user_id, message.channel, message.received_at)
        return self.state.language(db, user_id) or normalise_language(message.language_hint)

    async def _apology(self, user_id: str, message: ChannelMessage, uow: UnitOfWork) -> Outgoing:
        try:
            language = await uow.transaction(self._language, user_id, message)
        except Exception:  # the database may be what failed
            language = normalise_language(message.language_hint)
        with use_locale(language):
            return Outgoing(language, [Reply(gettext(cm.SOMETHING_WENT_WRONG))])

    async def _say(self, user_id: str, message: ChannelMessage, uow: UnitOfWork, text: str,
                   menu: bool = False) -> Outgoing:
        language = await uow.transaction(self._language, user_id, message)
        with use_locale(language):
            if menu:  # the main menu always carries the 112 line (issue 10)
                return Outgoing(language, [Reply(with_emergency_line(gettext(text)), menu_buttons())])
            return Outgoing(language, [Reply(gettext(text))])

    async def _ask_to_forget(self, user_id: str, message: ChannelMessage, uow: UnitOfWork) -> Outgoing:
        language = await uow.transaction(self._language, user_id, message)
        with use_locale(language):
            buttons = [Button(gettext(cm.BUTTON_FORGET_YES), FORGET_CONFIRM),
                       Button(gettext(cm.BUTTON_FORGET_NO), FORGET_CANCEL)]
            return Outgoing(language, [Reply(gettext(cm.FORGET_QUESTION), buttons)])

    async def _forget(self, user_id: str, message: ChannelMessage, uow: UnitOfWork) -> Outgoing:
        """Erase the user: our rows (the database cascades), then Rasa's dialogue state and stored events."""

        def erase(db: Session) -> tuple[str, bool]:
            language = self.state.language(db, user_id) or normalise_language(message.language_hint)
            return language, self.state.erase_user(db, user_id)

        language, erased = await uow.transaction(erase)
        try:
            await self.rasa.restart(user_id)
        except RasaUnavailable as exc:
            log.warning("could not restart the Rasa tracker of erased user %s: %s", user_id, exc)
        if self.rasa_tracker_url:
            await asyncio.to_thread(purge_rasa_events, self.rasa_tracker_url, user_id)
        log.info("user %s erased on request (had data: %s)", user_id, erased)
        with use_locale(language):
            return Outgoing(language, [Reply(gettext(cm.FORGET_DONE))])


def error_place(exc: BaseException) -> str:
    """' at file.py:line' of where an error was raised: enough to debug, without the message (it can quote data)."""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    return f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
