"""Visit announcements in core: reminder times (also across a clock change), rendering in six languages, who gets
what, planning/changing/cancelling with their jobs, idempotent fan-out, delivery status, and the web chat inbox."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import announcements as ann
from core import inbox
from core import jobs as jobs_module
from core.db.migrate import upgrade
from core.db.models import (
    ChannelUserState,
    Job,
    JobStatus,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Subscription,
    User,
    VisitStatus,
)
from core.db.session import make_engine, make_session_factory
from core.jobs import Jobs, Task
from core.locations import LocationError, get_location, import_locations
from core.privacy import Vault
from core.reminders import DEFAULT_REMINDERS, ReminderRule, parse_reminders, reminder_times
from core.render import Reply

VAULT = Vault(b"v" * 32)
LOCATIONS = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,,,,,\n"
)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)  # Tuesday 8 December, 17:00 in Amsterdam
END = START + dt.timedelta(hours=2)
RULES = parse_reminders(DEFAULT_REMINDERS)


def amsterdam(text: str) -> dt.datetime:
    from core.formatting import AMSTERDAM

    return dt.datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM).astimezone(dt.UTC)


# --- reminder times ---------------------------------------------------------------------------------------


def test_the_default_is_the_evening_before_at_six_and_two_hours_before() -> None:
    assert DEFAULT_REMINDERS == "-1d@18:00,2h"
    assert (ReminderRule(days=1, at=dt.time(18, 0)), ReminderRule(before=dt.timedelta(hours=2))) == RULES
    times = reminder_times(START, RULES, NOW)
    assert times == [(1, amsterdam("2026-12-07T18:00")), (2, amsterdam("2026-12-08T15:00"))]


@pytest.mark.parametrize("text", ["1d@18:00", "-1d@25:00", "tomorrow", "2x"])
def test_bad_reminder_settings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="reminder|no such time"):
        parse_reminders(text)


def test_reminder_times_across_the_autumn_clock_change() -> None:
    # The clocks go back on Sunday 25 October 2026 at 03:00 (CEST -> CET). A visit on Monday 26 October at 10:00:
    start = amsterdam("2026-10-26T10:00")
    assert start == dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)
    (evening, evening_at), (before, before_at) = reminder_times(start, RULES, start - dt.timedelta(days=7))
    # 18:00 on Sunday is already winter time (UTC+1); the day before the change it would be 16:00 UTC.
    assert evening_at == dt.datetime(2026, 10, 25, 17, 0, tzinfo=dt.UTC)
    assert before_at == dt.datetime(2026, 10, 26, 7, 0, tzinfo=dt.UTC)
    # A visit on Sunday 25 October at 04:00 (CET): 2 hours before is 03:00 CEST, before the clocks went back.
    early = amsterdam("2026-10-25T04:00")
    assert early - RULES[1].time_for(early) == dt.timedelta(hours=2)
    assert RULES[0].time_for(early) == dt.datetime(2026, 10, 24, 16, 0, tzinfo=dt.UTC)  # 18:00 summer time


def test_reminder_times_across_the_spring_clock_change() -> None:
    # The clocks go forward on Sunday 29 March 2026 at 02:00 (CET -> CEST). A visit on Monday 30 March at 10:00:
    start = amsterdam("2026-03-30T10:00")
    assert RULES[0].time_for(start) == dt.datetime(2026, 3, 29, 16, 0, tzinfo=dt.UTC)  # 18:00 summer time
    assert RULES[1].time_for(start) == dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.UTC)


def test_reminders_in_the_past_or_after_the_start_are_left_out() -> None:
    # Announced at 16:00 on the evening before: that evening's 18:00 reminder still comes, not one before it.
    announced = amsterdam("2026-12-07T18:30")
    assert [slot for slot, _ in reminder_times(START, RULES, announced)] == [2]
    # A morning visit: "the same day at 18:00" would be after the start.
    same_day = parse_reminders("-0d@18:00,30m")
    assert [slot for slot, _ in reminder_times(amsterdam("2026-12-08T09:00"), same_day, NOW)] == [2]
    assert parse_reminders("") == ()


# --- the database -----------------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        import_locations(session, io.StringIO(LOCATIONS))
        session.commit()
        yield session
    engine.dispose()


@pytest.fixture
def jobs() -> Jobs:
    jobs = Jobs(VAULT)
    ann.register_fanout(jobs, RULES)

    async def never(job: object) -> None:  # these tests run the fan-out by hand and look at the queued sends
        raise AssertionError("not run here")

    jobs.register(Task(ann.SEND_TASK, ann.OUTBOUND_QUEUE, never))
    return jobs


USERS = [("te-1", "telegram", "pl"), ("te-2", "telegram", "uk"), ("wa-1", "whatsapp", "ro"), ("wa-2", "whatsapp", "bg"),
         ("we-1", "web", "nl"), ("we-2", "web", None)]


def subscribe_all(db: Session, users: list[tuple[str, str, str | None]] = USERS) -> None:
    location = get_location(db, "bosrand1")
    assert location is not None
    for user_id, channel, language in users:
        db.add(User(id=user_id, channel=channel, language=language))
        db.flush()
        db.add(Subscription(user_id=user_id, location_id=location.id))
    db.flush()


def jobs_of(db: Session, task: str) -> list[tuple[dict, dt.datetime, str | None]]:
    rows = db.scalars(select(Job).where(Job.task == task, Job.status == JobStatus.QUEUED).order_by(Job.id))
    return [(json.loads(VAULT.decrypt(j.payload)), j.run_at, j.dedup_key) for j in rows]


def run_fanouts(db: Session, jobs: Jobs, now: dt.datetime, rules=RULES) -> int:
    """Run every fan-out job due at ``now`` (as the worker would), once each."""
    added = 0
    for job in list(db.scalars(select(Job).where(Job.task == ann.FANOUT_TASK, Job.status == JobStatus.QUEUED,
                                                 Job.run_at <= now))):
        data = json.loads(VAULT.decrypt(job.payload))
        added += ann.fan_out(db, jobs, data["visit"], OutboxKind(data["kind"]), data["version"], data["slot"], rules,
                             now=now)
        job.status = JobStatus.DONE
    db.flush()
    return added


def deliver_all(db: Session, status: OutboxStatus = OutboxStatus.SENT) -> None:
    for row in db.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)):
        row.status = status
    db.flush()


def rows(db: Session, kind: OutboxKind | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.scalars(query))


def plan(db: Session, jobs: Jobs, **options) -> int:
    visit = ann.plan_visit(db, jobs, "bosrand1", START, END, "BMIP Venlo", languages="pl,ro",
                           topics="housing,work,other", now=NOW, **options)
    return visit.id


# --- rendering --------------------------------------------------------------------------------------------

INTROS = {"pl": "Zespół mobilny przyjedzie", "ro": "Echipa mobilă vine", "bg": "Мобилният екип идва",
          "uk": "Мобільна команда приїде", "en": "The mobile team is coming", "nl": "Het mobiele team komt"}
DECEMBER = {"pl": "grudnia", "ro": "decembrie", "bg": "декември", "uk": "грудня", "en": "December", "nl": "december"}
STOP_BUTTON = {"pl": "Wyłącz powiadomienia", "ro": "Oprește mesajele", "bg": "Спри съобщенията", "en": "Stop messages",
               "nl": "Stop berichten"}


def test_the_announcement_in_six_languages_ends_with_how_to_stop(db: Session, jobs: Jobs) -> None:
    visit_id = plan(db, jobs, note="Przynieście umowę o pracę.", note_languages="pl")
    previews = ann.preview(db, visit_id)
    assert list(previews) == ["pl", "ro", "bg", "uk", "en", "nl"]
    for language, reply in previews.items():
        lines = reply.text.splitlines()
        assert lines[0].startswith(INTROS[language]) and "Park De Bosrand" in lines[0]
        assert DECEMBER[language] in reply.text and "17:00" in reply.text and "19:00" in reply.text
        assert "Bosweg 1, 5912 AB Venlo" in reply.text and "BMIP Venlo" in reply.text
        assert "stop" in lines[-1].lower()  # the last line says how to stop
        assert [b.payload for b in reply.buttons] == ['/mobile_team_visit{"unsubscribe":"all"}']
        if language in STOP_BUTTON:
            assert reply.buttons[0].title == STOP_BUTTON[language]
        # The note only in the language the team wrote it in: nothing is machine-translated.
        assert ("Przynieście umowę o pracę." in reply.text) == (language == "pl")
    assert "Mieszkanie" in previews["pl"].text and "inne sprawy" in previews["pl"].text
    assert "Housing" in previews["en"].text and "other questions" in previews["en"].text


def test_every_kind_renders_in_every_language(db: Session, jobs: Jobs) -> None:
    visit_id = plan(db, jobs)
    english = {kind: ann.preview(db, visit_id, kind)["en"].text.splitlines()[0] for kind in OutboxKind}
    assert english[OutboxKind.REMINDER].startswith("Reminder: the mobile team is coming to Park De Bosrand soon")
    assert english[OutboxKind.CHANGE].startswith("The mobile team visit to Park De Bosrand has changed")
    assert english[OutboxKind.CANCELLATION] == ("The mobile team visit to Park De Bosrand on Tuesday 8 December, "
                                                "17:00–19:00 is cancelled.")
    for kind in OutboxKind:
        texts = {language: reply.text for language, reply in ann.preview(db, visit_id, kind).items()}
        assert len(set(texts.values())) == 6, f"{kind}: some language is not translated"


def test_whatsapp_template_parameters_are_date_time_and_place_in_the_users_language(db: Session, jobs: Jobs) -> None:
    visit = ann.locations.get_visit(db, plan(db, jobs))
    assert ann.template_parameters(visit, "en") == ["Tuesday 8 December", "17:00–19:00",
                                                    "Park De Bosrand, Bosweg 1, 5912 AB Venlo"]
    assert ann.template_parameters(visit, "pl")[0] == "wt., 8 grudnia"  # Babel's pattern, as in the chat


def test_note_languages_are_checked(db: Session, jobs: Jobs) -> None:
    with pytest.raises(ann.AnnouncementError, match="note languages"):
        plan(db, jobs, note="hi", note_languages="pl,xx")
    with pytest.raises(ann.AnnouncementError, match="without a note"):
        plan(db, jobs, note_languages="pl")


def test_a_visit_in_the_past_is_refused(db: Session, jobs: Jobs) -> None:
    with pytest.raises(ann.AnnouncementError, match="cannot start in the past"):
        ann.plan_visit(db, jobs, "bosrand1", NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1), "BMIP",
                       now=NOW)
    visit_id = plan(db, jobs)
    with pytest.raises(ann.AnnouncementError, match="moved into the past"):
        ann.edit_visit(db, jobs, visit_id, starts_at=NOW - dt.timedelta(days=1), now=NOW)
    with pytest.raises(ann.AnnouncementError, match="is over"):
        ann.edit_visit(db, jobs, visit_id, team="BMIP Noord-Limburg", now=END)
    # A visit under way may still be changed (its start is not moved).
    assert ann.edit_visit(db, jobs, visit_id, team="BMIP Noord-Limburg", now=START).team == "BMIP Noord-Limburg"


# --- planning and fan-out ---------------------------------------------------------------------------------


def test_planning_queues_one_fanout_and_it_writes_one_row_and_job_per_active_subscriber(db: Session,
                                                                                         jobs: Jobs) -> None:
    subscribe_all(db, [*USERS, ("te-3", "telegram", "pl")])
    db.add(ChannelUserState(user_id="te-3", channel="telegram", inactive_since=NOW))  # blocked the bot
    visit_id = plan(db, jobs)
    assert ann.recipient_counts(db, visit_id) == {("telegram", "pl"): 1, ("telegram", "uk"): 1,
                                                  ("whatsapp", "ro"): 1, ("whatsapp", "bg"): 1, ("web", "nl"): 1,
                                                  ("web", "en"): 1}
    ((payload, run_at, key),) = jobs_of(db, ann.FANOUT_TASK)
    assert payload == {"visit": visit_id, "kind": "announcement", "version": 1, "slot": 0} and run_at == NOW
    assert run_fanouts(db, jobs, NOW) == 6
    assert sorted(r.user_id for r in rows(db)) == ["te-1", "te-2", "wa-1", "wa-2", "we-1", "we-2"]
    assert {r.status for r in rows(db)} == {OutboxStatus.QUEUED}
    sends = jobs_of(db, ann.SEND_TASK)
    assert sorted(p["outbox"] for p, _, _ in sends) == sorted(r.id for r in rows(db))
    # Reminders are scheduled at their times; running a fan-out again adds nothing.
    reminders = [(p["slot"], at) for p, at, _ in jobs_of(db, ann.FANOUT_TASK)]
    assert reminders == [(1, amsterdam("2026-12-07T18:00")), (2, amsterdam("2026-12-08T15:00"))]
    assert ann.fan_out(db, jobs, visit_id, OutboxKind.ANNOUNCEMENT, 1, 0, RULES, now=NOW) == 0
    assert len(jobs_of(db, ann.SEND_TASK)) == 6


def test_a_large_fanout_goes_in_batches(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    batches = [ann.fan_out(db, jobs, visit_id, OutboxKind.ANNOUNCEMENT, 1, 0, RULES, now=NOW, batch=4)
               for _ in range(3)]
    assert batches == [4, 2, 0]
    assert sorted(r.user_id for r in rows(db)) == sorted(u for u, _, _ in USERS)


def test_a_scheduled_or_held_announcement(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    held = plan(db, jobs, announce=False)
    assert jobs_of(db, ann.FANOUT_TASK) == []
    later = NOW + dt.timedelta(days=2)
    ann.schedule_announcement(db, jobs, held, later, now=NOW)
    ((_, run_at, _),) = jobs_of(db, ann.FANOUT_TASK)
    assert run_at == later
    assert run_fanouts(db, jobs, NOW) == 0  # not due yet
    # Rescheduled: the first schedule's job does nothing when it comes due.
    ann.schedule_announcement(db, jobs, held, NOW + dt.timedelta(days=1), now=NOW)
    assert run_fanouts(db, jobs, later) == 6
    assert {r.version for r in rows(db)} == {2}
    with pytest.raises(ann.AnnouncementError, match="announced already"):
        ann.schedule_announcement(db, jobs, held, now=later)
    with pytest.raises(ann.AnnouncementError, match="before the visit starts"):
        ann.schedule_announcement(db, jobs, plan(db, jobs, announce=False), START, now=NOW)


def test_reminders_go_to_those_who_got_the_announcement_and_are_still_subscribed(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    deliver_all(db)
    rows(db)[0].status = OutboxStatus.BLOCKED  # te-1 blocked the bot meanwhile
    db.delete(db.scalar(select(Subscription).where(Subscription.user_id == "wa-1")))  # wrote "stop"
    db.flush()
    subscribe_all(db, [("te-9", "telegram", "en")])  # subscribed after the announcement
    assert run_fanouts(db, jobs, amsterdam("2026-12-07T18:00")) == 4
    assert sorted(r.user_id for r in rows(db, OutboxKind.REMINDER)) == ["te-2", "wa-2", "we-1", "we-2"]
    assert ann.recipient_counts(db, visit_id, OutboxKind.REMINDER)[("web", "nl")] == 1


def test_a_change_tells_whoever_was_told_and_replaces_pending_reminders(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    deliver_all(db)
    moved = START + dt.timedelta(days=1)
    visit = ann.edit_visit(db, jobs, visit_id, starts_at=moved, ends_at=moved + dt.timedelta(hours=2),
                           now=NOW + dt.timedelta(hours=1))
    assert visit.status is VisitStatus.CHANGED and visit.version == 2
    later = NOW + dt.timedelta(hours=1)
    assert run_fanouts(db, jobs, later) == 6
    assert {r.version for r in rows(db, OutboxKind.CHANGE)} == {2}
    # The old reminders come due and do nothing; the new ones follow the new time.
    assert run_fanouts(db, jobs, amsterdam("2026-12-07T18:00")) == 0
    assert run_fanouts(db, jobs, amsterdam("2026-12-08T18:00")) == 6
    assert {r.version for r in rows(db, OutboxKind.REMINDER)} == {2}
    reminder_jobs = [p for p, _, _ in jobs_of(db, ann.FANOUT_TASK)]
    assert reminder_jobs == [{"visit": visit_id, "kind": "reminder", "version": 2, "slot": 2}]
    # Nothing residents see changed: no notice.
    assert ann.edit_visit(db, jobs, visit_id, team="BMIP Venlo", now=later).version == 2


def test_one_residents_messages_go_out_in_order_and_residents_side_by_side(db: Session, jobs: Jobs) -> None:
    """The send jobs of one resident share an order key: while their announcement's job is unfinished (say, waiting
    for a retry) the change notice waits; the six residents' messages are claimed together."""
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    deliver_all(db)  # the rows went out, but their jobs are not finished yet
    later = NOW + dt.timedelta(hours=1)
    ann.edit_visit(db, jobs, visit_id, starts_at=START + dt.timedelta(days=1), ends_at=END + dt.timedelta(days=1),
                   now=later)
    assert run_fanouts(db, jobs, later) == 6

    def kinds(ids: list[int]) -> list[tuple[str, str]]:
        return sorted((row.kind.value, row.user_id) for row in db.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_([json.loads(VAULT.decrypt(db.get(Job, i).payload))["outbox"] for i in ids]))))

    first = jobs_module.claim(db, ann.OUTBOUND_QUEUE, "w", 100, lease=60)
    assert kinds(first) == [("announcement", user) for user, _, _ in sorted(USERS)]
    assert jobs_module.claim(db, ann.OUTBOUND_QUEUE, "w", 100, lease=60) == []
    for job_id in first:
        jobs_module.finish(db, job_id, "w")
    assert kinds(jobs_module.claim(db, ann.OUTBOUND_QUEUE, "w", 100, lease=60)) == \
        [("change", user) for user, _, _ in sorted(USERS)]


def test_a_change_before_the_announcement_went_out_just_updates_it(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs, announce_at=NOW + dt.timedelta(days=1))
    ann.edit_visit(db, jobs, visit_id, team="BMIP Noord-Limburg", now=NOW)
    assert run_fanouts(db, jobs, NOW + dt.timedelta(days=1)) == 6
    assert {(r.kind, r.version) for r in rows(db)} == {(OutboxKind.ANNOUNCEMENT, 2)}


def test_a_cancellation_tells_whoever_was_told_and_drops_what_is_pending(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    for row in rows(db)[:3]:
        row.status = OutboxStatus.SENT  # three went out, three still queued
    db.flush()
    visit = ann.cancel_visit(db, jobs, visit_id, note="Chory zespół", note_languages="pl", now=NOW)
    assert visit.status is VisitStatus.CANCELLED
    assert sorted(r.status for r in rows(db, OutboxKind.ANNOUNCEMENT)) == [OutboxStatus.CANCELLED] * 3 + \
        [OutboxStatus.SENT] * 3
    assert run_fanouts(db, jobs, NOW) == 3
    assert ann.cancel_visit(db, jobs, visit_id, now=NOW).version == visit.version  # again: nobody told twice
    assert run_fanouts(db, jobs, START) == 0  # the reminders come due and do nothing
    assert jobs_of(db, ann.FANOUT_TASK) == []
    status: dict[tuple[str, str], int] = {}
    for line in ann.delivery_status(db, visit_id):
        status[(line.kind, line.status)] = status.get((line.kind, line.status), 0) + line.count
    assert status[("announcement", "sent")] == 3 and status[("cancellation", "queued")] == 3


def test_a_cancelled_unannounced_visit_tells_nobody(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs, announce_at=NOW + dt.timedelta(days=1))
    ann.cancel_visit(db, jobs, visit_id, now=NOW)
    assert run_fanouts(db, jobs, NOW + dt.timedelta(days=2)) == 0
    assert rows(db) == []


def test_delivery_status_by_channel_and_language(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    for row in rows(db):
        row.status = {"whatsapp": OutboxStatus.TEMPLATE, "web": OutboxStatus.SENT}.get(row.channel, row.status)
    db.flush()
    lines = [(s.kind, s.channel, s.language, s.status, s.count) for s in ann.delivery_status(db, visit_id)]
    assert lines == [
        ("announcement", "telegram", "pl", "queued", 1), ("announcement", "telegram", "uk", "queued", 1),
        ("announcement", "web", "en", "sent", 1), ("announcement", "web", "nl", "sent", 1),
        ("announcement", "whatsapp", "bg", "template", 1), ("announcement", "whatsapp", "ro", "template", 1)]
    assert ann.delivery_status(db) == ann.delivery_status(db, visit_id)
    with pytest.raises(LocationError, match="no visit"):
        ann.delivery_status(db, 999)


# --- the web chat inbox -----------------------------------------------------------------------------------


def test_the_inbox_keeps_messages_encrypted_and_returns_them_once(db: Session) -> None:
    from core.db.models import InboxMessage

    db.add(User(id="we-1", channel="web", language="pl"))
    db.flush()
    assert inbox.push(db, VAULT, "we-1", "pl", [Reply("Zespół mobilny przyjedzie", [])])
    assert inbox.push(db, VAULT, "nobody", "pl", [Reply("x")]) is False
    stored = db.scalar(select(InboxMessage.body_encrypted))
    assert stored is not None and "Zespół" not in stored
    assert inbox.take(db, VAULT, "we-1") == [{"text": "Zespół mobilny przyjedzie", "buttons": []}]
    assert inbox.take(db, VAULT, "we-1") == []
    assert inbox.take(db, VAULT, "nobody") == []
    inbox.push(db, VAULT, "we-1", "pl", [Reply("stale")])
    db.scalar(select(InboxMessage)).created_at -= inbox.KEEP + dt.timedelta(days=1)
    inbox.push(db, VAULT, "we-1", "pl", [Reply("fresh")])
    assert [m["text"] for m in inbox.take(db, VAULT, "we-1")] == ["fresh"]
    assert inbox.waiting(db, "we-1") == 0


def test_a_reminder_due_while_the_announcement_is_still_going_out_waits_for_it(db: Session, jobs: Jobs) -> None:
    subscribe_all(db)
    visit_id = plan(db, jobs)
    run_fanouts(db, jobs, NOW)
    rows(db)[0].status = OutboxStatus.SENT  # one sent, five still queued when the reminder comes due
    db.flush()
    evening = amsterdam("2026-12-07T18:00")
    with pytest.raises(ann.StillSending):
        ann.fan_out(db, jobs, visit_id, OutboxKind.REMINDER, 1, 1, RULES, now=evening, wait=True)
    # Waited long enough (the job's attempts ran out): it goes to those who have the announcement.
    assert ann.fan_out(db, jobs, visit_id, OutboxKind.REMINDER, 1, 1, RULES, now=evening, wait=False) == 1
    deliver_all(db)
    assert ann.fan_out(db, jobs, visit_id, OutboxKind.REMINDER, 1, 1, RULES, now=evening, wait=True) == 5
