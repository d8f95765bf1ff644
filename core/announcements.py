"""Announcements of mobile-team visits: plan, change and cancel a visit with what residents are told, preview,
recipient counts, send now or schedule, and delivery status. The staff console and `winbot visits` call these.

How a message reaches residents (see docs/architecture.md):

1. A service call (``plan_visit``, ``edit_visit``, ``cancel_visit``, ``schedule_announcement``) changes the visit
   and queues a *fan-out* job (``FANOUT_TASK``) in the caller's transaction, due at once or at the scheduled time.
   Every change residents see raises the visit's ``version``; jobs and messages carry it, so a fan-out or reminder
   of an older version does nothing when it comes due (that is how pending reminders are cancelled).
2. The fan-out job writes one outbox row per recipient (``OutboxMessage``, unique key visit:kind:version:slot:
   user) and one send job per row (dedup key ``outbox:<row id>``), in batches of ``FANOUT_BATCH`` rows per
   transaction, and schedules the reminders.
3. A send job (``SEND_TASK``, queue ``OUTBOUND_QUEUE``: rate-limited, run by bot/announcer.py) renders the message
   in the resident's language, sends it on their channel and marks the row at once. A row that is no longer
   ``queued`` is never sent again: a crash or restart in the middle loses nothing and sends nothing twice (but for
   a crash in the milliseconds between the channel's acceptance and the mark: docs/architecture.md). The send jobs
   of one resident share an order key (``send_order_key``): they reach them one at a time, in order.

For the staff console (all take the caller's Session and a :class:`~core.jobs.Jobs` registry, commit nothing):
:func:`plan_visit`, :func:`edit_visit`, :func:`cancel_visit` (with the same effects as ``winbot visits``),
:func:`preview` (six languages), :func:`recipient_counts` (per channel and language), :func:`schedule_announcement`
(send now or at a time), :func:`delivery_status` (per visit, message kind, channel, language and status).

Who gets what: the announcement goes to the location's active subscribers; reminders to those who got the
announcement (or a change notice) and are still subscribed; a change or cancellation to everyone who got a
message about the visit and is still subscribed. Nothing here commits: the caller owns the session.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import locations
from core.content import announcement_messages as a
from core.content import help_messages as h
from core.db.models import (
    ChannelUserState,
    MobileTeamVisit,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Subscription,
    User,
    VisitStatus,
    utcnow,
)
from core.formatting import format_day, format_hours, format_time_range
from core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, normalise_language, use_locale
from core.jobs import JobContext, Jobs, Retry, Task
from core.reminders import ReminderRule, reminder_times
from core.render import Button, Reply, intent_title, payload

#: The send jobs' queue: one job per outbox row, rate-limited per worker (bot/runtime.py).
OUTBOUND_QUEUE = "outbound"
#: The fan-out jobs' queue (few, short jobs: write the rows of one message to every recipient).
ANNOUNCE_QUEUE = "announce"
FANOUT_TASK = "announcements.fanout"
SEND_TASK = "outbox.send"
#: What residents were told when a row has one of these.
DELIVERED = (OutboxStatus.SENT, OutboxStatus.TEMPLATE)
#: The payload of the "Stop messages" button: the same as typing "stop" (bot/router.py COMMANDS["/stop"]).
STOP_PAYLOAD = payload("mobile_team_visit", unsubscribe="all")


class AnnouncementError(locations.LocationError):
    """An operator asked for something that cannot be done; the message says why."""


# --- rendering ------------------------------------------------------------------------------------------


def note_languages(visit: MobileTeamVisit) -> list[str]:
    return visit.note_languages.split(",") if visit.note_languages else []


def _place(visit: MobileTeamVisit) -> str:
    return visit.location.name


def _address(visit: MobileTeamVisit) -> str | None:
    location = visit.location
    town = " ".join(filter(None, (location.postcode, location.city)))
    return ", ".join(filter(None, (location.address, town))) or None


def _details(visit: MobileTeamVisit, language: str) -> list[str]:
    lines = [gettext(a.WHEN, when=format_time_range(visit.starts_at, visit.ends_at, language))]
    address = _address(visit)
    if address:
        lines.append(gettext(a.WHERE, address=address))
    lines.append(gettext(a.TEAM, team=visit.team))
    spoken = locations.visit_languages(visit)
    if spoken:
        lines.append(gettext(h.VISIT_LANGUAGES, languages=", ".join(LANGUAGE_NAMES.get(c, c) for c in spoken)))
    topics = locations.visit_topics(visit)
    if topics:
        names = [gettext(a.TOPIC_OTHER) if t == "other" else intent_title(t) or t for t in topics]
        lines.append(gettext(a.TOPICS, topics=", ".join(names)))
    return lines


def render(visit: MobileTeamVisit, kind: OutboxKind, language: str) -> Reply:
    """The message about ``visit`` in ``language``: what, when, where, who; the team's note only if they wrote it
    in that language; it always ends with how to stop, and a "Stop messages" button."""
    language = normalise_language(language)
    with use_locale(language):
        place = _place(visit)
        if kind is OutboxKind.CANCELLATION:
            lines = [gettext(a.CANCELLED, location=place,
                             when=format_time_range(visit.starts_at, visit.ends_at, language)),
                     gettext(a.CANCELLED_NEXT)]
        else:
            intro = {OutboxKind.ANNOUNCEMENT: a.ANNOUNCEMENT, OutboxKind.REMINDER: a.REMINDER,
                     OutboxKind.CHANGE: a.CHANGED}[kind]
            lines = [gettext(intro, location=place), *_details(visit, language)]
        if visit.note and language in note_languages(visit):
            lines.append(gettext(a.NOTE, note=visit.note))
        # No blank lines: some channels split a text at blank lines.
        lines.append(gettext(a.HOW_TO_STOP))
        return Reply("\n".join(lines), [Button(gettext(h.BUTTON_STOP), STOP_PAYLOAD)])


def template_parameters(visit: MobileTeamVisit, language: str) -> list[str]:
    """The WhatsApp template's body parameters, in this order: date, time, place (in the user's language)."""
    language = normalise_language(language)
    return [format_day(visit.starts_at, language), format_hours(visit.starts_at, visit.ends_at, language),
            ", ".join(filter(None, (_place(visit), _address(visit))))]


def preview(db: Session, visit_id: int, kind: OutboxKind = OutboxKind.ANNOUNCEMENT) -> dict[str, Reply]:
    """The message in all six languages, as residents would get it (for the console and `winbot announcements
    preview`)."""
    visit = locations.get_visit(db, visit_id)
    return {language: render(visit, kind, language) for language in LANGUAGES}


# --- recipients -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: str
    channel: str
    language: str


def _active(query: Any) -> Any:
    return (query.outerjoin(ChannelUserState, ChannelUserState.user_id == User.id)
            .where(ChannelUserState.inactive_since.is_(None)))


def subscribers_of(db: Session, visit: MobileTeamVisit) -> list[Recipient]:
    """The location's subscribers who can be reached (not blocked), with their channel and language."""
    query = (select(User.id, User.channel, User.language).join(Subscription, Subscription.user_id == User.id)
             .where(Subscription.location_id == visit.location_id).order_by(Subscription.id))
    rows = db.execute(_active(query))
    return [Recipient(uid, channel, normalise_language(language)) for uid, channel, language in rows]


def _told(db: Session, visit: MobileTeamVisit, kinds: Iterable[OutboxKind]) -> set[str]:
    return set(db.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.visit_id == visit.id, OutboxMessage.kind.in_(list(kinds)),
        OutboxMessage.status.in_(DELIVERED))))


def recipients(db: Session, visit: MobileTeamVisit, kind: OutboxKind) -> list[Recipient]:
    subscribed = subscribers_of(db, visit)
    if kind is OutboxKind.ANNOUNCEMENT:
        return subscribed
    told = _told(db, visit, (OutboxKind.ANNOUNCEMENT, OutboxKind.CHANGE) if kind is OutboxKind.REMINDER
                 else tuple(OutboxKind))
    return [r for r in subscribed if r.user_id in told]


def recipient_counts(db: Session, visit_id: int,
                     kind: OutboxKind = OutboxKind.ANNOUNCEMENT) -> dict[tuple[str, str], int]:
    """How many residents would get the message now, per (channel, language)."""
    visit = locations.get_visit(db, visit_id)
    return dict(Counter((r.channel, r.language) for r in recipients(db, visit, kind)))


def announced(db: Session, visit: MobileTeamVisit) -> bool:
    """Whether the announcement (of any version) went out to anyone: then changes are sent as change notices."""
    return db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.visit_id == visit.id, OutboxMessage.kind.in_([OutboxKind.ANNOUNCEMENT, OutboxKind.CHANGE]),
        OutboxMessage.status != OutboxStatus.CANCELLED)) != 0


# --- planning, changing, cancelling ---------------------------------------------------------------------


def _queue_fanout(db: Session, jobs: Jobs, visit: MobileTeamVisit, kind: OutboxKind, slot: int = 0,
                  at: dt.datetime | None = None) -> bool:
    return jobs.enqueue(db, FANOUT_TASK, {"visit": visit.id, "kind": kind.value, "version": visit.version,
                                          "slot": slot},
                        run_at=at, dedup_key=f"fanout:{visit.id}:{kind.value}:{visit.version}:{slot}")


def _check_note_languages(note: str | None, languages: str | Iterable[str] | None) -> str | None:
    if languages is None:
        return None
    items = [c.strip().lower() for c in (languages.split(",") if isinstance(languages, str) else languages)]
    items = [c for c in items if c]
    unknown = [c for c in items if c not in LANGUAGES]
    if unknown:
        raise AnnouncementError(f"note languages must be among {', '.join(LANGUAGES)}; not {', '.join(unknown)}")
    if items and not note:
        raise AnnouncementError("note languages were given without a note")
    return ",".join(dict.fromkeys(items)) or None


def schedule_announcement(db: Session, jobs: Jobs, visit_id: int, at: dt.datetime | None = None,
                          now: dt.datetime | None = None) -> MobileTeamVisit:
    """Send the announcement now (``at`` None) or at ``at``; again later with another time reschedules it."""
    now = now or utcnow()
    visit = locations.get_visit(db, visit_id)
    if visit.status is VisitStatus.CANCELLED:
        raise AnnouncementError(f"visit {visit_id} is cancelled")
    if visit.ends_at <= now:
        raise AnnouncementError(f"visit {visit_id} is over")
    if announced(db, visit):
        raise AnnouncementError(f"visit {visit_id} was announced already; a change is announced by itself")
    if at is not None and at.tzinfo is None:
        raise AnnouncementError("the announcement time must be an aware datetime")
    if at is not None and at >= visit.starts_at:
        raise AnnouncementError("the announcement must go out before the visit starts")
    if visit.announce_at is not None:
        visit.version += 1  # an earlier schedule's job is now out of date and does nothing
    visit.announce_at = max(at or now, now)
    db.flush()
    _queue_fanout(db, jobs, visit, OutboxKind.ANNOUNCEMENT, at=visit.announce_at)
    return visit


def plan_visit(db: Session, jobs: Jobs, location_code: str, starts_at: dt.datetime, ends_at: dt.datetime,
               team: str, *, languages: str | Iterable[str] = (), topics: str | Iterable[str] = (),
               note: str | None = None, note_languages: str | Iterable[str] | None = None, announce: bool = True,
               announce_at: dt.datetime | None = None, now: dt.datetime | None = None) -> MobileTeamVisit:
    """Add a visit and announce it to the location's subscribers: now, at ``announce_at``, or (``announce``
    False) not yet (then :func:`schedule_announcement`)."""
    now = now or utcnow()
    if starts_at.tzinfo is not None and starts_at <= now:
        raise AnnouncementError("a visit cannot start in the past: check the date and time")
    checked = _check_note_languages(note, note_languages)
    visit = locations.add_visit(db, location_code, starts_at, ends_at, team, languages, topics, note)
    visit.note_languages = checked
    visit.version = 1
    db.flush()
    if announce:
        schedule_announcement(db, jobs, visit.id, announce_at, now=now)
    return visit


def _cancel_pending(db: Session, visit: MobileTeamVisit, kinds: Iterable[OutboxKind]) -> int:
    """Queued rows of these kinds that no longer apply (their jobs then do nothing)."""
    result = db.execute(update(OutboxMessage).where(
        OutboxMessage.visit_id == visit.id, OutboxMessage.kind.in_(list(kinds)),
        OutboxMessage.status == OutboxStatus.QUEUED).values(status=OutboxStatus.CANCELLED)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def edit_visit(db: Session, jobs: Jobs, visit_id: int, *, starts_at: dt.datetime | None = None,
               ends_at: dt.datetime | None = None, team: str | None = None,
               languages: str | Iterable[str] | None = None, topics: str | Iterable[str] | None = None,
               note: str | None = None, note_languages: str | Iterable[str] | None = None,
               now: dt.datetime | None = None) -> MobileTeamVisit:
    """Change a visit. Residents who were told about it get a change notice at once, and new reminders; a visit
    not announced yet keeps its announcement time with the new details."""
    now = now or utcnow()
    visit = locations.get_visit(db, visit_id)
    if visit.ends_at <= now:
        raise AnnouncementError(f"visit {visit_id} is over; plan a new visit instead")
    if starts_at is not None and starts_at.tzinfo is not None and starts_at != visit.starts_at and starts_at <= now:
        raise AnnouncementError("a visit cannot be moved into the past: check the date and time")
    before = (visit.starts_at, visit.ends_at, visit.team, visit.languages, visit.topics, visit.note,
              visit.note_languages)
    visit = locations.change_visit(db, visit_id, starts_at=starts_at, ends_at=ends_at, team=team,
                                   languages=languages, topics=topics, note=note)
    if note_languages is not None:
        visit.note_languages = _check_note_languages(visit.note, note_languages)
    elif note is not None and not note:
        visit.note_languages = None
    after = (visit.starts_at, visit.ends_at, visit.team, visit.languages, visit.topics, visit.note,
             visit.note_languages)
    if before == after:
        return visit
    if visit.status is not VisitStatus.CHANGED:
        visit.status = VisitStatus.CHANGED  # a new note counts as a change residents see
    visit.version += 1
    db.flush()
    if announced(db, visit):
        _cancel_pending(db, visit, (OutboxKind.REMINDER, OutboxKind.CHANGE))
        _queue_fanout(db, jobs, visit, OutboxKind.CHANGE, at=now)
    elif visit.announce_at is not None:
        _cancel_pending(db, visit, (OutboxKind.ANNOUNCEMENT,))
        _queue_fanout(db, jobs, visit, OutboxKind.ANNOUNCEMENT, at=max(visit.announce_at, now))
    return visit


def cancel_visit(db: Session, jobs: Jobs, visit_id: int, note: str | None = None,
                 note_languages: str | Iterable[str] | None = None, now: dt.datetime | None = None) -> MobileTeamVisit:
    """Cancel a visit: pending announcements and reminders are dropped; whoever was told gets a cancellation."""
    now = now or utcnow()
    visit = locations.get_visit(db, visit_id)
    if visit.status is VisitStatus.CANCELLED:
        return visit  # again is harmless, and tells nobody twice
    checked = _check_note_languages(note, note_languages) if note else None
    visit = locations.cancel_visit(db, visit_id, note=note)
    if note is not None:
        visit.note_languages = checked
    visit.version += 1
    db.flush()
    _cancel_pending(db, visit, (OutboxKind.ANNOUNCEMENT, OutboxKind.REMINDER, OutboxKind.CHANGE))
    if announced(db, visit):
        _queue_fanout(db, jobs, visit, OutboxKind.CANCELLATION, at=now)
    return visit


# --- the fan-out job ------------------------------------------------------------------------------------


def fan_out(db: Session, jobs: Jobs, visit_id: int, kind: OutboxKind, version: int, slot: int,
            reminders: Sequence[ReminderRule], now: dt.datetime | None = None, wait: bool = False,
            batch: int | None = None) -> int:
    """Write the outbox rows and send jobs of one message to every recipient; schedule the reminders after an
    announcement or change. Nothing when the visit moved on (another version), was cancelled, or is over.
    Returns the number of rows added (0 when run again: rows and jobs are keyed). With ``wait``, a reminder due
    while the announcement is still being sent raises :class:`StillSending` (its job tries again shortly). With
    ``batch``, at most that many rows are added: call again (in a new transaction) until fewer come back, so a
    send to thousands never holds SQLite's write lock for long."""
    now = now or utcnow()
    visit = db.get(MobileTeamVisit, visit_id)
    if visit is None or visit.version != version:
        return 0
    if kind is not OutboxKind.CANCELLATION and visit.status is VisitStatus.CANCELLED:
        return 0
    if kind is not OutboxKind.CANCELLATION and now >= (visit.starts_at if kind is OutboxKind.REMINDER
                                                       else visit.ends_at):
        return 0
    if wait and kind is OutboxKind.REMINDER and _still_sending(db, visit):
        raise StillSending
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    added = 0
    prefix = f"{visit.id}:{kind.value}:{version}:{slot}:"
    planned = set(db.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.visit_id == visit.id, OutboxMessage.kind == kind, OutboxMessage.version == version,
        OutboxMessage.key.startswith(prefix, autoescape=True))))
    chosen = [r for r in recipients(db, visit, kind) if r.user_id not in planned]
    if batch is not None:
        chosen = chosen[:batch]
    if chosen:
        # One INSERT for the rows and one for their jobs (a statement per row held SQLite's write lock, which the
        # send jobs also need, for most of a second per batch of 500).
        statement = (insert(cast(Table, OutboxMessage.__table__)).on_conflict_do_nothing(index_elements=["key"])
                     .returning(OutboxMessage.id, OutboxMessage.user_id))
        rows = sorted((int(row_id), str(user_id)) for row_id, user_id in db.connection().execute(statement, [
            {"key": prefix + r.user_id, "visit_id": visit.id, "user_id": r.user_id, "kind": kind, "version": version,
             "channel": r.channel, "language": r.language, "status": OutboxStatus.QUEUED, "attempts": 0,
             "created_at": now} for r in chosen]))
        added = len(rows)
        jobs.enqueue_many(db, SEND_TASK, [({"outbox": row_id}, f"outbox:{row_id}", send_order_key(user_id))
                                          for row_id, user_id in rows])
    if kind in (OutboxKind.ANNOUNCEMENT, OutboxKind.CHANGE):
        for reminder_slot, at in reminder_times(visit.starts_at, reminders, now):
            _queue_fanout(db, jobs, visit, OutboxKind.REMINDER, slot=reminder_slot, at=at)
    return added


def send_order_key(user_id: str) -> str:
    """One resident's visit messages are sent in the order they were planned (an announcement before its change or
    cancellation, also while the first waits for a retry); different residents' messages go side by side."""
    return f"visits:{user_id}"


class StillSending(Exception):  # noqa: N818 - a signal
    """A reminder is due while the announcement is still being sent: it waits, so nobody misses it."""


def _still_sending(db: Session, visit: MobileTeamVisit) -> bool:
    return db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.visit_id == visit.id, OutboxMessage.kind.in_([OutboxKind.ANNOUNCEMENT, OutboxKind.CHANGE]),
        OutboxMessage.status == OutboxStatus.QUEUED)) != 0


#: How often a reminder looks again whether the announcement is out, and for how long (then it goes to those who
#: got it).
WAIT_FOR_ANNOUNCEMENT = 5.0
#: Outbox rows (and their send jobs) written per transaction.
FANOUT_BATCH = 500
WAIT_ATTEMPTS = 120


def register_fanout(jobs: Jobs, reminders: Sequence[ReminderRule]) -> None:
    """The fan-out task (any process that plans visits or runs jobs registers it)."""

    async def run(job: JobContext) -> None:
        data = job.payload
        kind = OutboxKind(data["kind"])
        while True:  # in batches, each its own short transaction; sending starts with the first
            try:
                added = await job.uow.transaction(fan_out, jobs, int(data["visit"]), kind, int(data["version"]),
                                                  int(data["slot"]), reminders, wait=job.attempt < WAIT_ATTEMPTS,
                                                  batch=FANOUT_BATCH)
            except StillSending as exc:
                raise Retry(WAIT_FOR_ANNOUNCEMENT, "the announcement is still being sent") from exc
            jobs.notify(OUTBOUND_QUEUE)
            if added < FANOUT_BATCH:
                return

    jobs.register(Task(FANOUT_TASK, ANNOUNCE_QUEUE, run, max_attempts=WAIT_ATTEMPTS + 5))


# --- delivery status ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusLine:
    visit_id: int
    kind: str
    channel: str
    language: str
    status: str
    count: int


def delivery_status(db: Session, visit_id: int | None = None) -> list[StatusLine]:
    """The outbox per visit, message kind, channel, language and status (all visits when ``visit_id`` is None)."""
    query = (select(OutboxMessage.visit_id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.language,
                    OutboxMessage.status, func.count())
             .group_by(OutboxMessage.visit_id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.language,
                       OutboxMessage.status))
    if visit_id is not None:
        locations.get_visit(db, visit_id)
        query = query.where(OutboxMessage.visit_id == visit_id)
    order = {k: i for i, k in enumerate(OutboxKind)}
    lines = [StatusLine(v, OutboxKind(k).value, c, lang, OutboxStatus(s).value, int(n))
             for v, k, c, lang, s, n in db.execute(query)]
    return sorted(lines, key=lambda x: (x.visit_id, order[OutboxKind(x.kind)], x.channel, x.language, x.status))
