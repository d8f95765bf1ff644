"""One router for every channel: message -> user (pseudonym) -> language -> Rasa -> replies.

A channel adapter turns its own payload into an :class:`Incoming` and renders the :class:`Outgoing`.
Everything else (pseudonyms, language, keeping messages when a service is down) happens here once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.rasa_client import BotMessage, RasaClient, RasaUnavailable
from core.content import messages as m
from core.db.models import ChannelAddress, InboundMessage, MessageStatus, User, utcnow
from core.i18n import LANGUAGES, gettext, use_locale
from core.language import choose_language
from core.nlu_text import for_nlu
from core.places import LIVE_STEMS, Gazetteer, fold
from core.privacy import Vault, pseudonym
from core.render import Button, Reply

log = logging.getLogger("winbot.router")

#: Channel commands, the same on every channel, mapped to Rasa payloads.
COMMANDS = {
    "/start": "/greet",
    "/help": '/greet{"menu":"1"}',
    "/menu": '/greet{"menu":"1"}',
    "/language": "/change_language",
    "/stop": '/mobile_team_visit{"unsubscribe":"all"}',
}
#: A bare "stop" in any of the six languages stops announcements, like /stop.
STOP_WORDS = frozenset({"stop", "stopp", "стоп", "stoppen", "stój", "stoj", "opreste", "oprește", "спри", "зупини"})
#: A message this short that names a place or postcode is an answer to "where are you?".
MAX_WORDS_OF_A_PLACE_ANSWER = 4
_PAYLOAD = re.compile(r"^/[a-z_]+(\{.*\})?$", re.DOTALL)
_CHOSEN_LANGUAGE = re.compile(r'^/change_language\{"language":"([a-z]{2})"\}$')


@dataclass(frozen=True)
class Incoming:
    """One message from a channel. ``location`` is a shared location (latitude, longitude), if any."""

    channel: str
    address: str
    text: str
    language_hint: str | None = None
    location: tuple[float, float] | None = None


@dataclass
class Outgoing:
    language: str
    messages: list[Reply] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "messages": [{"text": r.text, "buttons": [b.as_dict() for b in r.buttons]} for r in self.messages],
        }


def is_place_answer(text: str, entities: dict[str, str | None], gazetteer: Gazetteer | None = None) -> bool:
    """Whether a message is only a place or postcode ("5912 AB", "w Venlo", "у Венло", "ik woon in Venlo").

    Such a message answers "where are you?"; anything more ("BSN w Venlo?") goes to the NLU. Short words
    (prepositions: w, la, у, във, in) and "I live" don't count; a word that is the place itself, inflected
    ("Bredzie", "Роттердамі"), is recognised by the gazetteer.
    """
    words = fold(text).split()
    if len(words) > MAX_WORDS_OF_A_PLACE_ANSWER:
        return False
    city = entities.get("city")
    place_words = fold(city or "").split()
    postcode = (entities.get("postcode") or "").lower()

    def is_the_place(word: str) -> bool:
        if any(word.startswith(p[:5]) or p.startswith(word[:5]) for p in place_words):
            return True
        if gazetteer is None or city is None:
            return False
        place = gazetteer.lookup(word)
        return place is not None and place.name == city

    rest = [
        w for w in words
        if len(w) > 3
        and w not in _PLACE_PREPOSITIONS
        and not (w.isdigit() or w in postcode)
        and not any(w.startswith(stem) for stem in LIVE_STEMS)
        and not is_the_place(w)
    ]
    return not rest


#: Longer words that only say "near"/"in" before a place (folded), in the six languages.
_PLACE_PREPOSITIONS = frozenset({"near", "langa", "obok", "kolo", "okolo", "blizo", "bilia", "bliziu", "naast", "nabij",
                                 "rond", "around", "okolice", "okolicy", "poblizu", "raion", "rajon"})


def _command(raw: str) -> tuple[str, str | None]:
    """Channel commands to Rasa payloads; `/start <payload>` (a deep link) greets and carries the payload."""
    if raw.strip(" .!").lower() in STOP_WORDS:
        return COMMANDS["/stop"], None
    if not raw.startswith("/"):
        return raw, None
    command, _, argument = raw.partition(" ")
    command = command.split("@")[0].lower()
    if command == "/start" and argument.strip():
        return COMMANDS["/start"], argument.strip()[:64]
    return COMMANDS.get(command, raw), None


class Router:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        rasa: RasaClient,
        gazetteer: Gazetteer,
        pseudonym_key: bytes,
        vault: Vault,
        max_chars: int = 2000,
    ) -> None:
        self.sessions = sessions
        self.rasa = rasa
        self.gazetteer = gazetteer
        self.pseudonym_key = pseudonym_key
        self.vault = vault
        self.max_chars = max_chars
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def user_id(self, channel: str, address: str) -> str:
        return pseudonym(self.pseudonym_key, channel, address)

    async def handle(self, incoming: Incoming) -> Outgoing:
        user_id = self.user_id(incoming.channel, incoming.address)
        async with self._locks[user_id]:
            return await self._handle(user_id, incoming)

    async def _handle(self, user_id: str, incoming: Incoming) -> Outgoing:
        raw = (incoming.text or "").strip()
        if incoming.location is not None and not raw:
            # A shared location is a request for the nearest help (issue 3's find_win_point flow).
            raw = "/find_win_point"
        notices: list[str] = []
        if len(raw) > self.max_chars:
            raw = raw[: self.max_chars]
            notices.append("too_long")
        with self.sessions() as db:
            user, first_contact = self._user(db, user_id, incoming)
            text, deep_link = _command(raw)
            is_payload = bool(_PAYLOAD.match(text))
            if not raw:
                language = user.language or choose_language(None, "", incoming.language_hint)
                db.commit()
                with use_locale(language):
                    return Outgoing(language, [Reply(gettext(m.EMPTY_MESSAGE))])
            chosen = _CHOSEN_LANGUAGE.match(text)
            if chosen and chosen.group(1) in LANGUAGES:
                language = chosen.group(1)
            elif is_payload:
                language = user.language or choose_language(None, "", incoming.language_hint)
            else:
                language = choose_language(user.language, text, incoming.language_hint if first_contact else None)
            user.language = language
            pending = self._pending(db, user_id)
            message = InboundMessage(
                # As written (commands and deep links too), so a replay later means the same thing.
                user_id=user_id, channel=incoming.channel, text_encrypted=self.vault.encrypt(raw), language=language
            )
            db.add(message)
            db.commit()
            message_id = message.id

        outgoing = Outgoing(language)
        with use_locale(language):
            if "too_long" in notices:
                outgoing.messages.append(Reply(gettext(m.TOO_LONG, limit=self.max_chars)))
        try:
            for old_id, old_text in pending:
                old_command, old_link = _command(old_text)
                outgoing.messages += await self._ask(
                    user_id, old_command, language, False, incoming.channel, outgoing, deep_link=old_link
                )
                self._mark(old_id, MessageStatus.ANSWERED)
            if first_contact and text != "/greet" and not is_payload:
                # Greet first (privacy notice and language picker), then answer what was asked.
                if await self._is_greeting(text):
                    text = "/greet"
                else:
                    outgoing.messages += await self._ask(user_id, "/greet", language, True, incoming.channel, outgoing)
                    first_contact = False
            outgoing.messages += await self._ask(
                user_id, text, outgoing.language, first_contact, incoming.channel, outgoing, incoming.location,
                deep_link,
            )
        except RasaUnavailable as exc:
            log.warning("rasa unavailable for user %s: %s; message %s kept", user_id, exc, message_id)
            self._mark(message_id, MessageStatus.PENDING)
            with use_locale(outgoing.language):
                outgoing.messages.append(Reply(gettext(m.SERVICE_DOWN)))
            return outgoing
        self._mark(message_id, MessageStatus.ANSWERED)
        if outgoing.language != language:
            with self.sessions() as db:
                stored = db.get(User, user_id)
                if stored:
                    stored.language = outgoing.language
                    stored.language_chosen_at = utcnow()
                    db.commit()
        return outgoing

    async def understand(self, text: str, language: str | None = None) -> dict[str, Any]:
        """Intent, confidence, language and entities of one message (for `winbot understand`)."""
        language = language or choose_language(None, text)
        parsed = await self.rasa.parse(for_nlu(text))
        intent = parsed.get("intent") or {}
        return {
            "text": text,
            "language": language,
            "intent": (intent.get("name") or "").split("/")[0] or None,
            "confidence": round(float(intent.get("confidence") or 0.0), 4),
            "entities": self.gazetteer.extract(text, language).as_dict(),
        }

    # -- internals ------------------------------------------------------------------------------------

    async def _ask(
        self,
        user_id: str,
        text: str,
        language: str,
        first_contact: bool,
        channel: str,
        outgoing: Outgoing,
        location: tuple[float, float] | None = None,
        deep_link: str | None = None,
    ) -> list[Reply]:
        entities = {} if text.startswith("/") else self.gazetteer.extract(text, language).as_dict()
        metadata_text = None if text.startswith("/") else text
        if any(entities.values()) and is_place_answer(text, entities, self.gazetteer):
            # Just a place or postcode ("5912 AB", "w Venlo"): where the user is, to find help nearby.
            text = "/find_win_point"
        metadata: dict[str, Any] = {
            "language": language, "channel": channel, "first_contact": first_contact, "entities": entities
        }
        if location is not None:
            metadata["location"] = {"lat": location[0], "lon": location[1]}
        if metadata_text is not None:
            metadata["original_text"] = metadata_text
        if deep_link:
            metadata["deep_link"] = deep_link
        replies: list[Reply] = []
        for message in await self.rasa.send(user_id, for_nlu(text), metadata):
            replies += self._convert(message, outgoing)
        return replies

    @staticmethod
    def _convert(message: BotMessage, outgoing: Outgoing) -> list[Reply]:
        if message.custom and message.custom.get("set_language") in LANGUAGES:
            outgoing.language = message.custom["set_language"]
        if not message.text:
            return []
        buttons = [Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in message.buttons]
        return [Reply(message.text, buttons)]

    async def _is_greeting(self, text: str) -> bool:
        parsed = await self.rasa.parse(for_nlu(text))
        return ((parsed.get("intent") or {}).get("name")) == "greet"

    def _user(self, db: Session, user_id: str, incoming: Incoming) -> tuple[User, bool]:
        user = db.get(User, user_id)
        if user is not None:
            user.last_seen_at = utcnow()
            return user, False
        user = User(id=user_id, channel=incoming.channel)
        db.add(user)
        db.flush()  # the address row refers to the user row
        db.add(
            ChannelAddress(
                user_id=user_id, channel=incoming.channel, address_encrypted=self.vault.encrypt(incoming.address)
            )
        )
        db.flush()
        return user, True

    def _pending(self, db: Session, user_id: str) -> list[tuple[int, str]]:
        rows = db.scalars(
            select(InboundMessage)
            .where(InboundMessage.user_id == user_id, InboundMessage.status == MessageStatus.PENDING)
            .order_by(InboundMessage.id)
        ).all()
        return [(row.id, self.vault.decrypt(row.text_encrypted)) for row in rows]

    def _mark(self, message_id: int, status: MessageStatus) -> None:
        with self.sessions() as db:
            message = db.get(InboundMessage, message_id)
            if message is not None:
                message.status = status
                if status is MessageStatus.ANSWERED:
                    message.answered_at = dt.datetime.now(dt.UTC)
                db.commit()
