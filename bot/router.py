"""One router for every channel: message -> user (pseudonym) -> language -> Rasa -> replies.

A channel adapter turns its own payload into an :class:`Incoming` and renders the :class:`Outgoing`.
Everything else (pseudonyms, language, keeping messages when a service is down) happens here once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.rasa_store import purge_rasa_events
from core import handoff
from core.content import handoff_messages as hm
from core.content import messages as m
from core.db.models import (
    ChannelAddress,
    ChannelUserState,
    ChatStatus,
    HandoffChat,
    InboundMessage,
    MessageStatus,
    User,
    utcnow,
)
from core.db.uow import UnitOfWork
from core.folding import fold
from core.i18n import LANGUAGES, gettext, use_locale
from core.language import choose_language
from core.nlu_text import for_nlu
from core.places import LIVE_STEMS, Gazetteer
from core.privacy import Vault, pseudonym
from core.render import BACK_TO_BOT, FORGET_IN_RASA_SINCE, Button, Reply, back_to_bot_button, payload
from core.reports import bare_code, without_codes
from core.safety import danger, message_parts

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
#: A sentence of a longer message read as `emergency` with at least this confidence puts the 112 and 113 lines
#: above the answer (see Router._danger_in_a_part). Measured with make eval's model (7 December 2026): 12 of the
#: 11,711 held-out messages that are not emergencies (398 of them have several sentences) get the lines at 0.5,
#: 22 at 0.4, 6 at 0.6; blind set 9 gains 3, 4, 2 danger messages. reports/safety.md.
PART_EMERGENCY = 0.5
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
    #: An action asked to drop this stretch of the conversation from Rasa's tracker store (the turns that carried
    #: a report, see actions/reports.py): Rasa's timestamp of its first event. Never sent to the user.
    forget_in_rasa_since: float | None = field(default=None, repr=False)

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


def safety_payload(text: str, language: str) -> str | None:
    """``/emergency{"danger": kind}`` for a message that shows a danger sign (core/safety.py), else None.

    Sent to Rasa instead of the text, so the classifier cannot out-vote the safety layer (issue 10). CPU work:
    call it in a worker thread.
    """
    if text.startswith("/"):
        return None
    kind = danger(text, language)
    return None if kind is None else payload("emergency", danger=kind)


def _status_request(text: str) -> str:
    """A message that is only a report code becomes a status request for that code (see core.reports.bare_code)."""
    code = None if text.startswith("/") else bare_code(text)
    return text if code is None else payload("report_status", report_code=code)


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


@dataclass
class _UserLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class _Received:
    """What the first step of handling a message found out (the message is stored by then)."""

    language: str
    first_contact: bool
    message_id: int | None
    text: str
    deep_link: str | None
    is_payload: bool
    entities: dict[str, str | None]
    pending: list[_Pending]
    #: What the user wrote, when ``text`` is the safety layer's emergency payload instead.
    original: str | None = None
    #: The user's chat with staff is open (waiting or active): the message went to staff, not to Rasa.
    to_staff: ChatStatus | None = None
    #: A chat with staff closed since the last message and Rasa's tracker is still paused: resume it first.
    resume_chat: int | None = None
    #: The user went back to the assistant from a chat with staff.
    back_to_bot: bool = False
    #: This message reopened a chat staff had closed as solved.
    reopened: bool = False


@dataclass(frozen=True)
class _Pending:
    """A message kept while Rasa was down: its id, what to send, its places, and the user's text if replaced."""

    message_id: int
    text: str
    entities: dict[str, str | None]
    original: str | None


class Router:
    """Handles one message in one unit of work: two short transactions around the Rasa round trip.

    1. (worker thread) the user, their language (detection is CPU work), the message stored encrypted, places
       and postcodes found in it; committed before Rasa is asked, so nothing is lost if Rasa is down.
    2. Rasa, once per message (the first contact's greeting and privacy notice ride on the same answer: the
       actions add them when ``metadata.first_contact`` is set).
    3. (worker thread) the message marked answered, a language the user picked saved; committed.
    """

    def __init__(
        self,
        rasa: RasaClient,
        gazetteer: Gazetteer,
        pseudonym_key: bytes,
        vault: Vault,
        max_chars: int = 2000,
        rasa_tracker_url: str | None = None,
        reopen_within: dt.timedelta = dt.timedelta(hours=72),
        staff_max_chats: int = 5,
    ) -> None:
        self.rasa = rasa
        #: Rasa's SQL tracker store (bot.rasa_store.rasa_tracker_url); None: nothing is deleted from it.
        self.rasa_tracker_url = rasa_tracker_url
        #: A chat staff closed as solved is reopened by a message written within this time (core/handoff.py).
        self.reopen_within = reopen_within
        self.staff_max_chats = staff_max_chats
        self.gazetteer = gazetteer
        self.pseudonym_key = pseudonym_key
        self.vault = vault
        self.max_chars = max_chars
        self._locks: dict[str, _UserLock] = {}

    def user_id(self, channel: str, address: str) -> str:
        return pseudonym(self.pseudonym_key, channel, address)

    async def handle(self, incoming: Incoming, uow: UnitOfWork, received_at: dt.datetime | None = None) -> Outgoing:
        """The replies to one message. ``received_at``: when the channel says the user wrote (their last
        message opens WhatsApp's 24-hour window)."""
        user_id = self.user_id(incoming.channel, incoming.address)
        # One message of a user at a time in this process (Rasa's lock store orders them across replicas).
        entry = self._locks.setdefault(user_id, _UserLock())
        entry.users += 1
        try:
            async with entry.lock:
                return await self._handle(user_id, incoming, uow, received_at)
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._locks.pop(user_id, None)  # no lock kept per user ever seen

    async def _handle(
        self, user_id: str, incoming: Incoming, uow: UnitOfWork, received_at: dt.datetime | None
    ) -> Outgoing:
        raw = (incoming.text or "").strip()
        if incoming.location is not None and not raw:
            # A shared location is a request for the nearest help (issue 3's find_win_point flow).
            raw = "/find_win_point"
        too_long = len(raw) > self.max_chars
        raw = raw[: self.max_chars]
        got = await uow.transaction(self._receive, user_id, incoming, raw, received_at)
        outgoing = Outgoing(got.language)
        with use_locale(got.language):
            if not raw:
                return Outgoing(got.language, [Reply(gettext(m.EMPTY_MESSAGE))])
            if too_long:
                outgoing.messages.append(Reply(gettext(m.TOO_LONG, limit=self.max_chars)))
        if got.to_staff is not None:
            return self._to_staff_reply(got)
        answered: list[int] = []
        try:
            if got.resume_chat is not None:
                await self.rasa.resume(user_id)  # the tracker records the resume (paused when staff took over)
            if got.back_to_bot:
                with use_locale(got.language):
                    outgoing.messages.append(Reply(gettext(hm.BACK_TO_BOT)))
            for old in got.pending:
                old_command, old_link = _command(old.text)
                outgoing.messages += await self._ask(
                    user_id, old_command, got.language, False, incoming.channel, outgoing, old.entities,
                    deep_link=old_link, original_text=old.original,
                )
                answered.append(old.message_id)
            # The greeting and privacy notice come with the answer (see actions.base), not as a round trip of their own.
            first_contact = got.first_contact and (not got.is_payload or got.text.startswith("/greet"))
            outgoing.messages += await self._ask(
                user_id, got.text, outgoing.language, first_contact, incoming.channel, outgoing, got.entities,
                incoming.location, got.deep_link, got.original,
            )
        except RasaUnavailable as exc:
            log.warning("rasa unavailable for user %s: %s; message %s kept", user_id, exc, got.message_id)
            if asks_for_person(got.text):
                # Fail open: someone who asks for a person while the assistant is down joins the staff queue.
                await uow.transaction(self._fail_open, user_id, incoming, got, raw)
                with use_locale(outgoing.language):
                    outgoing.messages.append(Reply(gettext(hm.ASSISTANT_DOWN), [back_to_bot_button()]))
                return outgoing
            await uow.transaction(self._finish, user_id, answered, got.message_id, None)
            with use_locale(outgoing.language):
                outgoing.messages.append(Reply(gettext(m.SERVICE_DOWN)))
            return outgoing
        if got.message_id is not None:
            answered.append(got.message_id)
        chosen = outgoing.language if outgoing.language != got.language else None
        await uow.transaction(self._finish, user_id, answered, None, chosen, got.resume_chat)
        if outgoing.forget_in_rasa_since is not None and self.rasa_tracker_url:
            # Rasa has stored the turn by now (it saves the tracker before it answers); the next message of this
            # user waits for the lock held here, so it reads the tracker without those events.
            removed = await asyncio.to_thread(purge_rasa_events, self.rasa_tracker_url, user_id,
                                              outgoing.forget_in_rasa_since)
            log.info("removed %d events of user %s from Rasa's tracker store", removed, user_id)
        return outgoing

    @staticmethod
    def _to_staff_reply(got: _Received) -> Outgoing:
        """While a person owns the chat the assistant stays silent; while it waits, the user hears it is passed on."""
        if got.reopened:
            with use_locale(got.language):
                return Outgoing(got.language, [Reply(gettext(hm.REOPENED), [back_to_bot_button()])])
        if got.to_staff is ChatStatus.ACTIVE:
            return Outgoing(got.language, [])
        with use_locale(got.language):
            return Outgoing(got.language, [Reply(gettext(hm.WAITING_ACK), [back_to_bot_button()])])

    def _fail_open(self, db: Session, user_id: str, incoming: Incoming, got: _Received, raw: str) -> None:
        chat = handoff.request_person(db, user_id, incoming.channel, got.language, None, reason="assistant_down")
        handoff.record(db, self.vault, chat, "note", "the assistant (Rasa) was not answering when this user asked "
                                                     "for a person")
        if not raw.startswith("/"):
            handoff.record(db, self.vault, chat, "user", raw)
        if got.message_id is not None:
            db.execute(update(InboundMessage).where(InboundMessage.id == got.message_id)
                       .values(status=MessageStatus.ANSWERED, answered_at=dt.datetime.now(dt.UTC)))

    def _receive(
        self, db: Session, user_id: str, incoming: Incoming, raw: str, received_at: dt.datetime | None
    ) -> _Received:
        """Step 1, in a worker thread: user, language, the message stored, entities."""
        user, first_contact = self._user(db, user_id, incoming)
        if incoming.channel != "web":
            record_inbound(db, user_id, incoming.channel, received_at)
        text, deep_link = _command(raw)
        text = _status_request(text)
        is_payload = bool(_PAYLOAD.match(text))
        if not raw:
            language = user.language or choose_language(None, "", incoming.language_hint)
            user.language = language
            return _Received(language, first_contact, None, text, None, False, {}, [])
        chosen = _CHOSEN_LANGUAGE.match(text)
        if chosen and chosen.group(1) in LANGUAGES:
            language = chosen.group(1)
        elif is_payload:
            language = user.language or choose_language(None, "", incoming.language_hint)
        else:
            language = choose_language(user.language, without_codes(text),
                                       incoming.language_hint if first_contact else None)
        user.language = language
        chat = handoff.open_chat_of(db, user_id)
        back_to_bot = reopened = False
        if chat is None and not is_payload:
            # Written (not a button or command) soon after staff closed the chat as solved: it opens again.
            chat = handoff.reopenable_chat_of(db, user_id, self.reopen_within)
            if chat is not None:
                handoff.reopen(db, chat, self.staff_max_chats)
                handoff.record(db, self.vault, chat, "note", "reopened: the user wrote again after the chat was "
                                                             "closed as solved")
                reopened = True
        if chat is not None:
            if text not in (BACK_TO_BOT, "/bot"):
                # A person has (or will take) this conversation: the message goes to them, not to Rasa.
                if is_payload:
                    raw = _button_text(text)
                handoff.record(db, self.vault, chat, "user", raw)
                kind = None if is_payload else danger(text, language)
                if kind is not None:  # danger signs while a person has the chat: it goes to the top of the queue
                    chat.urgent, chat.reason = True, kind
                db.add(InboundMessage(user_id=user_id, channel=incoming.channel, language=language,
                                      text_encrypted=self.vault.encrypt(raw), status=MessageStatus.ANSWERED,
                                      answered_at=dt.datetime.now(dt.UTC)))
                return _Received(language, first_contact, None, text, None, is_payload, {}, [], to_staff=chat.status,
                                 reopened=reopened)
            handoff.close(chat, "back_to_bot")
            handoff.record(db, self.vault, chat, "note", "the user went back to the assistant")
            text, is_payload, back_to_bot = '/greet{"menu":"1"}', True, True
        elif text in (BACK_TO_BOT, "/bot"):
            text, is_payload = '/greet{"menu":"1"}', True
        paused = handoff.paused_chat_of(db, user_id)
        pending = [self._kept(old_id, old_text, language) for old_id, old_text in self._pending(db, user_id)]
        message = InboundMessage(
            # As written (commands and deep links too), so a replay later means the same thing.
            user_id=user_id, channel=incoming.channel, text_encrypted=self.vault.encrypt(raw), language=language
        )
        db.add(message)
        db.flush()
        # Danger signs are looked for before the classifier is asked: such a message goes to Rasa as an
        # emergency payload, the user's words ride along in the metadata.
        emergency = None if is_payload else safety_payload(text, language)
        return _Received(language, first_contact, message.id, emergency or text, deep_link, is_payload,
                         self._entities(text, language), pending, text if emergency else None,
                         resume_chat=paused, back_to_bot=back_to_bot)

    def _kept(self, message_id: int, raw: str, language: str) -> _Pending:
        """A message kept while Rasa was down, prepared like a new one (safety layer, places)."""
        text = _status_request(_command(raw)[0])
        if text != raw and _PAYLOAD.match(text) and not raw.startswith("/"):
            return _Pending(message_id, text, {}, raw)
        emergency = None if _PAYLOAD.match(text) else safety_payload(text, language)
        if emergency:
            return _Pending(message_id, emergency, self._entities(text, language), text)
        return _Pending(message_id, raw, self._entities(raw, language), None)

    def _entities(self, text: str, language: str) -> dict[str, str | None]:
        return {} if text.startswith("/") else self.gazetteer.extract(text, language).as_dict()

    @staticmethod
    def _finish(
        db: Session, user_id: str, answered: list[int], pending: int | None, chosen_language: str | None,
        resumed_chat: int | None = None,
    ) -> None:
        """Step 3, in a worker thread: statuses of the messages, and a language the user picked."""
        now = dt.datetime.now(dt.UTC)
        if resumed_chat is not None:
            db.execute(update(HandoffChat).where(HandoffChat.id == resumed_chat).values(paused_in_rasa=False))
        if answered:
            db.execute(update(InboundMessage).where(InboundMessage.id.in_(answered))
                       .values(status=MessageStatus.ANSWERED, answered_at=now))
        if pending is not None:
            db.execute(update(InboundMessage).where(InboundMessage.id == pending)
                       .values(status=MessageStatus.PENDING))
        if chosen_language:
            user = db.get(User, user_id)
            if user is not None:
                user.language = chosen_language
                user.language_chosen_at = utcnow()

    async def understand(self, text: str, language: str | None = None) -> dict[str, Any]:
        """Intent, confidence, language and entities of one message (for `winbot understand`), and the danger
        the safety layer sees in it (a message with one is answered by the emergency action, whatever the intent)."""
        def analyse() -> tuple[str, dict[str, str | None], str | None]:  # CPU work: in a worker thread
            found = language or choose_language(None, text)
            return found, self.gazetteer.extract(text, found).as_dict(), danger(text, found)

        language, entities, danger_kind = await asyncio.to_thread(analyse)
        parsed = await self.rasa.parse(for_nlu(text, language))
        intent = parsed.get("intent") or {}
        return {
            "text": text,
            "language": language,
            "intent": (intent.get("name") or "").split("/")[0] or None,
            "confidence": round(float(intent.get("confidence") or 0.0), 4),
            "entities": entities,
            "danger": danger_kind,
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
        entities: dict[str, str | None],
        location: tuple[float, float] | None = None,
        deep_link: str | None = None,
        original_text: str | None = None,
    ) -> list[Reply]:
        metadata_text = original_text or (None if text.startswith("/") else text)
        if original_text is None and any(entities.values()) and is_place_answer(text, entities, self.gazetteer):
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
        if not text.startswith("/") and await self._danger_in_a_part(text, language):
            metadata["danger_in_part"] = True
        replies: list[Reply] = []
        for message in await self.rasa.send(user_id, for_nlu(text, language), metadata):
            replies += self._convert(message, outgoing)
        return replies

    async def _danger_in_a_part(self, text: str, language: str) -> bool:
        """Whether one sentence of a message of several, classified on its own, is an emergency (see
        core.safety.message_parts): the actions then put the 112 and 113 lines above the answer. The message
        itself still gets its answer. Rasa unreachable here: no lines; the message's own request reports it."""
        parts = message_parts(text)
        if not parts:
            return False
        try:
            parsed = await asyncio.gather(*(self.rasa.parse(for_nlu(part, language)) for part in parts))
        except RasaUnavailable:
            return False
        for reading in parsed:
            intent = reading.get("intent") or {}
            if intent.get("name") == "emergency" and float(intent.get("confidence") or 0.0) >= PART_EMERGENCY:
                return True
        return False

    @staticmethod
    def _convert(message: BotMessage, outgoing: Outgoing) -> list[Reply]:
        if message.custom and message.custom.get("set_language") in LANGUAGES:
            outgoing.language = message.custom["set_language"]
        if message.custom and isinstance(message.custom.get(FORGET_IN_RASA_SINCE), int | float):
            since = float(message.custom[FORGET_IN_RASA_SINCE])
            current = outgoing.forget_in_rasa_since
            outgoing.forget_in_rasa_since = since if current is None else min(current, since)
        if not message.text:
            return []
        buttons = [Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in message.buttons]
        return [Reply(message.text, buttons)]

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


def record_inbound(db: Session, user_id: str, channel: str, at: dt.datetime | None = None) -> None:
    """The user wrote: reachable again, and WhatsApp's 24-hour window starts over. Unknown users: nothing."""
    state = db.get(ChannelUserState, user_id)
    if state is None:
        if db.get(User, user_id) is None:
            return
        state = ChannelUserState(user_id=user_id, channel=channel)
        db.add(state)
    at = at or utcnow()
    if state.last_inbound_at is None or at > state.last_inbound_at:
        state.last_inbound_at = at
    state.inactive_since = None
    state.inactive_reason = None


def _button_text(payload: str) -> str:
    """A pressed button as staff should read it in the transcript."""
    return f"[{payload}]"


#: Folded words that ask for a person, in the six languages: used only when Rasa cannot say (fail open).
_PERSON_WORDS = ("human", "person", "real person", "someone real", "staff", "advisor", "adviser", "czlowiek",
                 "konsultant", "pracownik", "osob", "persoana", "operator", "consultant", "om real", "chovek",
                 "човек", "служител", "консултант", "оператор", "людин", "liudyn", "lyudyn", "працівник",
                 "консультант", "mens", "medewerker", "persoon", "iemand")


def asks_for_person(text: str) -> bool:
    if text.startswith("/"):
        return text.startswith("/human_handoff")
    folded = " " + fold(text) + " "
    return any(f" {fold(word)}" in folded for word in _PERSON_WORDS)
