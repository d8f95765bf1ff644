"""Talking to a person: the owner state of a conversation, the staff queue, and office hours.

A user asks for a person (``human_handoff``, a button, the second fallback, or the assistant being down): a
:class:`~core.db.models.HandoffChat` opens in the queue of the user's region (the national queue when unknown)
and language. While it is *waiting* or *active* (a staff member owns it), the user's messages go to staff, not
to Rasa. Staff hand back explicitly (*closed*, outcome ``back_to_bot``); the user can go back to the bot at any
time. Functions take the caller's Session and never commit.

Staff can close a chat as **solved** right after their reply. If the user writes again within the reopen time
(``WINBOT_HANDOFF_REOPEN_MINUTES``, 72 hours by default) the same chat opens again, transcript and all: with the
same staff member when they are logged in and have room, else back in the queue of the same region and language
(:func:`reopen`). Rasa stays paused meanwhile, so the assistant does not answer in between. After that time, or once
the user went back to the assistant, their messages go to the assistant as usual.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.db.models import ChatMessage, ChatStatus, HandoffChat, StaffRole, StaffSession, StaffUser, utcnow
from core.privacy import Vault
from core.staff import Staff

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OPEN = (ChatStatus.WAITING, ChatStatus.ACTIVE)
#: The outcome of a chat whose question staff solved: reopened if the user writes again in time.
SOLVED = "solved"
#: Risk flags that put a chat at the top of the urgent queue (the code is shown to staff).
RISK_REASONS = ("violence", "trafficking", "self_harm", "danger", "report_urgent")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_SPEC = re.compile(rf"^{_DAY}(?:-{_DAY})?\s+(\d{{1,2}}):(\d{{2}})-(\d{{1,2}}):(\d{{2}})$")


class HandoffError(ValueError):
    """A staff action that cannot be done now (the message is shown in the console)."""


# -- office hours ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    """When staff answer, per weekday, in Amsterdam time: ``"mon-fri 09:00-17:00; sat 10:00-12:00"``."""

    #: weekday (0 = Monday) -> list of (start minute, end minute)
    slots: dict[int, tuple[tuple[int, int], ...]]
    spec: str

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        slots: dict[int, list[tuple[int, int]]] = {}
        for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
            match = _SPEC.match(part)
            if not match:
                raise ValueError(f"office hours must look like 'mon-fri 09:00-17:00; sat 10:00-12:00', got {part!r}")
            first, last = _DAYS.index(match[1]), _DAYS.index(match[2] or match[1])
            start, end = int(match[3]) * 60 + int(match[4]), int(match[5]) * 60 + int(match[6])
            if not (0 <= start < end <= 24 * 60) or last < first:
                raise ValueError(f"office hours {part!r}: the start must come before the end")
            for day in range(first, last + 1):
                slots.setdefault(day, []).append((start, end))
        return cls({day: tuple(sorted(times)) for day, times in slots.items()}, spec)

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(AMSTERDAM)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.slots.get(local.weekday(), ()))

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """When staff are next there (aware UTC); None when no hours are set at all."""
        if not self.slots:
            return None
        local = now.astimezone(AMSTERDAM)
        for offset in range(8):
            day = (local + dt.timedelta(days=offset)).date()
            for start, _end in self.slots.get(day.weekday(), ()):
                opening = dt.datetime.combine(day, dt.time(start // 60, start % 60), AMSTERDAM)
                if opening > local:
                    return opening.astimezone(dt.UTC)
        return None


def format_hours(hours: OfficeHours, language: str) -> str:
    """Office hours in the user's language: "pon.–pt. 09:00–17:00" (Babel's day names)."""
    from babel.dates import get_day_names

    from core.formatting import locale_for

    names = get_day_names("abbreviated", locale=locale_for(language))
    groups: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
    for day in range(7):
        times = hours.slots.get(day)
        if not times:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == times:
            groups[-1] = (groups[-1][0], day, times)
        else:
            groups.append((day, day, times))
    parts = []
    for first, last, times in groups:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        spans = ", ".join(f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in times)
        parts.append(f"{days} {spans}")
    return "; ".join(parts)


# -- chats ----------------------------------------------------------------------------------------------------


def open_chat_of(db: Session, user_id: str) -> HandoffChat | None:
    """The user's chat with staff that is waiting or active, if any."""
    return db.scalar(select(HandoffChat).where(HandoffChat.user_id == user_id, HandoffChat.status.in_(OPEN))
                     .order_by(HandoffChat.id.desc()).limit(1))


def paused_chat_of(db: Session, user_id: str) -> int | None:
    """A closed chat whose Rasa conversation is still paused (to resume before the next message), if any."""
    return db.scalar(select(HandoffChat.id).where(
        HandoffChat.user_id == user_id, HandoffChat.status == ChatStatus.CLOSED, HandoffChat.paused_in_rasa.is_(True),
    ).order_by(HandoffChat.id.desc()).limit(1))


def waiting_since(chat: HandoffChat) -> dt.datetime:
    """When the user started waiting: the request, or the last reopening."""
    return chat.reopened_at or chat.created_at


def reopenable_chat_of(db: Session, user_id: str, within: dt.timedelta,
                       now: dt.datetime | None = None) -> HandoffChat | None:
    """The user's last chat, if staff closed it as solved less than ``within`` ago and the user has not talked to
    the assistant since (Rasa is still paused for it)."""
    if within <= dt.timedelta(0):
        return None
    chat = db.scalar(select(HandoffChat).where(HandoffChat.user_id == user_id)
                     .order_by(HandoffChat.id.desc()).limit(1))
    if (chat is None or chat.status is not ChatStatus.CLOSED or chat.outcome != SOLVED or not chat.paused_in_rasa
            or chat.closed_at is None):
        return None
    return chat if (now or utcnow()) - chat.closed_at < within else None


def staff_available(db: Session, staff_id: int, max_chats: int, now: dt.datetime | None = None) -> bool:
    """Logged in now (a console session that has not expired), not disabled, and with room for one more chat."""
    now = now or utcnow()
    staff = db.get(StaffUser, staff_id)
    if staff is None or not staff.active:
        return False
    logged_in = db.scalar(select(StaffSession.token_hash).where(StaffSession.staff_id == staff_id,
                                                                StaffSession.expires_at > now).limit(1))
    active = db.scalars(select(HandoffChat.id).where(HandoffChat.claimed_by == staff_id,
                                                     HandoffChat.status == ChatStatus.ACTIVE)).all()
    return logged_in is not None and len(active) < max_chats


def reopen(db: Session, chat: HandoffChat, max_chats: int, now: dt.datetime | None = None) -> None:
    """The user wrote again after the chat was closed as solved: it is open again, for the staff member who had it
    when they are there and have room (they must answer within the claim time, or it goes back to the queue),
    else waiting in the queue of its region and language."""
    now = now or utcnow()
    previous = chat.claimed_by
    chat.status, chat.closed_at, chat.outcome = ChatStatus.WAITING, None, None
    chat.claimed_by, chat.claimed_at, chat.last_staff_at = None, None, None
    chat.reopened_count = (chat.reopened_count or 0) + 1
    chat.reopened_at, chat.last_user_at = now, now
    chat.timeout_notified = chat.returned_unanswered = False
    if previous is not None and staff_available(db, previous, max_chats, now):
        chat.status, chat.claimed_by, chat.claimed_at = ChatStatus.ACTIVE, previous, now


def request_person(
    db: Session, user_id: str, channel: str, language: str, region: str | None, *, urgent: bool = False,
    reason: str | None = None,
) -> HandoffChat:
    """Open a chat in the queue (or return the one already open, made urgent if this request is)."""
    chat = open_chat_of(db, user_id)
    if chat is None:
        chat = HandoffChat(user_id=user_id, channel=channel, language=language, region=region, urgent=urgent,
                           reason=reason, status=ChatStatus.WAITING, created_at=utcnow(), last_user_at=utcnow())
        db.add(chat)
        db.flush()
        return chat
    if urgent and not chat.urgent:
        chat.urgent, chat.reason = True, reason or chat.reason
    if region and not chat.region:
        chat.region = region
    return chat


def record(db: Session, vault: Vault, chat: HandoffChat, sender: str, text: str, staff_id: int | None = None) -> None:
    """A line of the transcript. ``sender``: user, bot, staff or note (an internal note, never sent)."""
    now = utcnow()
    db.add(ChatMessage(chat_id=chat.id, sender=sender, staff_id=staff_id, text_encrypted=vault.encrypt(text), at=now))
    if sender == "user":
        chat.last_user_at = now
    elif sender == "staff":
        chat.last_staff_at = now


def visible_chat(db: Session, staff: Staff, chat_id: int) -> HandoffChat:
    chat = db.get(HandoffChat, chat_id)
    if chat is None or not staff.may_see_region(chat.region) or staff.role is StaffRole.MOBILE_TEAM:
        raise HandoffError("no such chat")
    return chat


def queue(db: Session, staff: Staff) -> list[HandoffChat]:
    """Waiting and active chats this staff member may see: urgent first, then oldest first."""
    statement = select(HandoffChat).where(HandoffChat.status.in_(OPEN))
    if staff.role is not StaffRole.ADMIN:
        statement = statement.where(or_(HandoffChat.region.is_(None), HandoffChat.region == staff.region))
    chats = list(db.scalars(statement))
    return sorted(chats, key=lambda c: (not c.urgent, waiting_since(c), c.id))


def claim(db: Session, chat: HandoffChat, staff: Staff, max_chats: int) -> None:
    if chat.status is ChatStatus.CLOSED:
        raise HandoffError("this chat is closed")
    if chat.claimed_by not in (None, staff.id):
        raise HandoffError("another staff member has this chat")
    if chat.claimed_by is None:
        mine = db.scalars(select(HandoffChat.id).where(HandoffChat.claimed_by == staff.id,
                                                       HandoffChat.status == ChatStatus.ACTIVE)).all()
        if len(mine) >= max_chats:
            raise HandoffError(f"you already have {len(mine)} chats (at most {max_chats})")
        chat.claimed_by, chat.claimed_at = staff.id, utcnow()
    chat.status = ChatStatus.ACTIVE


def staff_reply(db: Session, vault: Vault, chat: HandoffChat, staff: Staff, text: str, max_chats: int) -> None:
    """A staff message: it claims the chat if nobody has it yet."""
    if chat.claimed_by != staff.id:
        claim(db, chat, staff, max_chats)
    record(db, vault, chat, "staff", text, staff.id)


def close(chat: HandoffChat, outcome: str) -> None:
    chat.status, chat.closed_at, chat.outcome = ChatStatus.CLOSED, utcnow(), outcome[:32]


def transcript(db: Session, vault: Vault, chat: HandoffChat) -> list[dict[str, Any]]:
    names = {staff_id: name for staff_id, name in db.execute(select(StaffUser.id, StaffUser.username))}
    rows = db.scalars(select(ChatMessage).where(ChatMessage.chat_id == chat.id).order_by(ChatMessage.id))
    return [{"from": row.sender, "text": vault.decrypt(row.text_encrypted), "at": row.at.isoformat(),
             **({"staff": names.get(row.staff_id)} if row.staff_id else {})} for row in rows]


def waiting_estimate(db: Session, region: str | None, now: dt.datetime | None = None) -> float | None:
    """Typical wait (median seconds until a staff member took a chat) over the last week; None when unknown."""
    since = (now or utcnow()) - dt.timedelta(days=7)
    statement = select(HandoffChat.created_at, HandoffChat.reopened_at, HandoffChat.claimed_at).where(
        HandoffChat.claimed_at.is_not(None), HandoffChat.created_at >= since)
    if region:
        statement = statement.where(HandoffChat.region == region)
    waits = [(claimed - (reopened or created)).total_seconds()
             for created, reopened, claimed in db.execute(statement.limit(200)) if claimed is not None]
    return statistics.median(waits) if waits else None


@dataclass(frozen=True)
class Timeout:
    """What the periodic check decided for one chat (bot/handoff.py tells the user)."""

    chat_id: int
    user_id: str
    channel: str
    language: str
    kind: str  # no_answer, unclaimed, silent


def check_timeouts(
    db: Session, hours: OfficeHours, *, no_answer: dt.timedelta, claim_unanswered: dt.timedelta,
    silent: dt.timedelta, now: dt.datetime | None = None,
) -> list[Timeout]:
    """Waiting too long (told once, offered the national options), claimed but not answered (back to the queue,
    flagged), silent too long (closed)."""
    now = now or utcnow()
    events: list[Timeout] = []
    for chat in db.scalars(select(HandoffChat).where(HandoffChat.status.in_(OPEN))):
        last = max(t for t in (chat.last_user_at, chat.last_staff_at, chat.claimed_at, waiting_since(chat)) if t)
        if now - last >= silent:
            close(chat, "silent")
            events.append(Timeout(chat.id, chat.user_id, chat.channel, chat.language, "silent"))
            continue
        if (chat.status is ChatStatus.ACTIVE and chat.claimed_at is not None and chat.last_staff_at is None
                and now - chat.claimed_at >= claim_unanswered):
            chat.status, chat.claimed_by, chat.claimed_at = ChatStatus.WAITING, None, None
            chat.returned_unanswered = True
            events.append(Timeout(chat.id, chat.user_id, chat.channel, chat.language, "unclaimed"))
            continue
        if (chat.status is ChatStatus.WAITING and not chat.timeout_notified and hours.is_open(now)
                and now - waiting_since(chat) >= no_answer):
            chat.timeout_notified = True
            events.append(Timeout(chat.id, chat.user_id, chat.channel, chat.language, "no_answer"))
    return events
