"""The mobile-team pages' API (bot/staff_visits.py) against the gateway's own worker: who may use it, CSRF, the
checks on what is typed, preview and counts, send, delivery, change and cancel, the QR poster, and that planning
in the console queues exactly what `winbot visits add` queues."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.cli import main
from core import announcements as ann
from core.db.models import Job, OutboxMessage, StaffRole, Subscription, User
from core.formatting import AMSTERDAM
from core.locations import get_location, import_locations
from tests.bot.test_staff import app_client as app_client  # noqa: F401  (fixtures)
from tests.bot.test_staff import db_call, drain, staff_session
from tests.bot.test_staff import rasa as rasa  # noqa: F401
from tests.bot.test_staff import settings as settings  # noqa: F401

LOCATIONS = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,,,,,\n"
    'hotel22,"Hotel <b>Zuid</b> & Co",,Markt 2,5911 AA,Venlo,,,,,\n'
)
#: Subscribers of bosrand1 on the web chat (its messages wait in their inbox, marked sent at once).
RESIDENTS = [("pl", 3), ("ro", 2), ("bg", 1), ("uk", 1), ("en", 1), ("nl", 1)]
INTROS = {"pl": "Zespół mobilny przyjedzie", "ro": "Echipa mobilă vine", "bg": "Мобилният екип идва",
          "uk": "Мобільна команда приїде", "en": "The mobile team is coming", "nl": "Het mobiele team komt"}


def local(delta: dt.timedelta) -> str:
    """A whole hour ``delta`` from now, as the console's form sends it (Amsterdam wall-clock time)."""
    moment = (dt.datetime.now(dt.UTC) + delta).astimezone(AMSTERDAM).replace(minute=0, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


START, END = local(dt.timedelta(days=3)), local(dt.timedelta(days=3, hours=2))


def setup_locations(client: TestClient) -> None:
    def add(db: Session) -> None:
        import_locations(db, io.StringIO(LOCATIONS))
        location = get_location(db, "bosrand1")
        assert location is not None
        for language, count in RESIDENTS:
            for i in range(count):
                user_id = f"we-{language}{i}".ljust(43, "0")
                db.add(User(id=user_id, channel="web", language=language))
                db.flush()
                db.add(Subscription(user_id=user_id, location_id=location.id))

    db_call(client, add)


def visit_form(**changes) -> dict:
    form = {"locations": ["bosrand1"], "start": START, "end": END, "team": "BMIP Venlo", "languages": ["pl", "ro"],
            "topics": ["housing_rights", "work_rights"], "note": "Przynieście umowę o pracę.", "note_languages": ["pl"]}
    form.update(changes)
    return form


@pytest.fixture
def team(app_client) -> dict[str, str]:  # noqa: F811
    """A logged-in mobile-team member and the locations: the headers for a POST."""
    setup_locations(app_client)
    csrf = staff_session(app_client, "marek", StaffRole.MOBILE_TEAM, None)
    return {"X-CSRF-Token": csrf}


VISIT_GETS = ["/staff/api/locations", "/staff/api/visits", "/staff/api/visits/1", "/staff/api/visits/1/preview",
              "/staff/api/visits/1/delivery", "/staff/locations/bosrand1/poster"]
VISIT_POSTS = ["/staff/api/visits", "/staff/api/visits/1", "/staff/api/visits/1/cancel", "/staff/api/visits/1/send"]


def test_only_the_mobile_team_and_admins_may_use_the_visit_pages(app_client) -> None:  # noqa: F811
    setup_locations(app_client)
    for path in VISIT_GETS:
        assert app_client.get(path).status_code == 401, path
    for path in VISIT_POSTS:
        assert app_client.post(path, json=visit_form()).status_code == 401, path

    csrf = staff_session(app_client, "anna", StaffRole.STAFF, "Noord-Limburg")
    for path in VISIT_GETS:
        assert app_client.get(path).status_code == 403, path
    for path in VISIT_POSTS:
        assert app_client.post(path, json=visit_form(), headers={"X-CSRF-Token": csrf}).status_code == 403, path

    for name, role in (("marek", StaffRole.MOBILE_TEAM), ("root", StaffRole.ADMIN)):
        app_client.cookies.clear()
        csrf = staff_session(app_client, name, role, None)
        planned = app_client.post("/staff/api/visits", json=visit_form(), headers={"X-CSRF-Token": csrf})
        assert planned.status_code == 200, planned.text
        visit_id = planned.json()["visits"][0]["id"]
        for path in VISIT_GETS:
            assert app_client.get(path.replace("/1", f"/{visit_id}")).status_code == 200, path
    assert db_call(app_client, lambda db: len(list(db.scalars(select(OutboxMessage))))) == 0  # held: nothing sent


def test_every_post_needs_the_csrf_token(app_client, team) -> None:  # noqa: F811
    assert app_client.post("/staff/api/visits", json=visit_form()).status_code == 403
    assert app_client.post("/staff/api/visits", json=visit_form(), headers={"X-CSRF-Token": "wrong"}).status_code == 403
    visit_id = app_client.post("/staff/api/visits", json=visit_form(), headers=team).json()["visits"][0]["id"]
    for action in ("", "/cancel", "/send"):
        assert app_client.post(f"/staff/api/visits/{visit_id}{action}", json={}).status_code == 403, action
    assert app_client.get(f"/staff/api/visits/{visit_id}").json()["status"] == "planned"


@pytest.mark.parametrize(("changes", "message"), [
    ({"start": local(-dt.timedelta(hours=3)), "end": local(-dt.timedelta(hours=1))}, "cannot start in the past"),
    ({"end": START}, "must end after it starts"),
    ({"start": END, "end": START}, "must end after it starts"),
    ({"locations": ["nowhere"]}, "no housing location with code 'nowhere'"),
    ({"locations": []}, "choose at least one housing location"),
    ({"team": "  "}, "name the team"),
    ({"start": "next tuesday"}, "is not a date and time like 2026-12-08T17:00"),
    ({"languages": ["pl", "xx"]}, "xx"),
    ({"topics": ["gardening"]}, "'gardening' is not a topic"),
    ({"note": "", "note_languages": ["pl"]}, "note languages were given without a note"),
    ({"note_languages": ["pl", "klingon"]}, "note languages must be among"),
    ({"team": ["a list"]}, "team must be text"),
    ({"announce": "2020-01-01T10:00"}, "the time to send it is in the past"),
    ({"announce": END}, "before the visit starts"),
])
def test_what_is_typed_is_checked_and_refused_with_a_reason(app_client, team, changes, message) -> None:  # noqa: F811
    refused = app_client.post("/staff/api/visits", json=visit_form(**changes), headers=team)
    assert refused.status_code == 400
    assert re.search(message, refused.json()["error"]), refused.json()
    assert app_client.get("/staff/api/visits?all=1").json()["visits"] == []  # nothing half-planned


def test_a_change_or_send_that_cannot_be_done_is_refused(app_client, team) -> None:  # noqa: F811
    visit_id = app_client.post("/staff/api/visits", json=visit_form(), headers=team).json()["visits"][0]["id"]
    moved = app_client.post(f"/staff/api/visits/{visit_id}", json={"start": local(-dt.timedelta(days=1))},
                            headers=team)
    assert moved.status_code == 400 and "moved into the past" in moved.json()["error"]
    late = app_client.post(f"/staff/api/visits/{visit_id}/send", json={"at": END}, headers=team)
    assert late.status_code == 400 and "before the visit starts" in late.json()["error"]
    assert app_client.get("/staff/api/visits/999").status_code == 404
    assert app_client.post("/staff/api/visits/999/cancel", json={}, headers=team).status_code == 404
    assert app_client.get(f"/staff/api/visits/{visit_id}/preview?kind=poem").status_code == 400
    assert app_client.get("/staff/locations/nowhere/poster").status_code == 404


def test_plan_preview_send_and_follow_delivery(app_client, team) -> None:  # noqa: F811
    locations = app_client.get("/staff/api/locations").json()
    assert {x["code"]: x["subscribers"] for x in locations["locations"]} == {"bosrand1": 9, "hotel22": 0}
    assert locations["qr_channels"] == ["web"]

    planned = app_client.post("/staff/api/visits", json=visit_form(), headers=team).json()["visits"]
    assert len(planned) == 1 and planned[0]["start_local"] == START and planned[0]["announced"] is False
    visit_id = planned[0]["id"]
    listed = app_client.get("/staff/api/visits").json()
    assert [v["id"] for v in listed["visits"]] == [visit_id]
    assert [t["id"] for t in listed["topics"]][:2] == ["brp_registration", "housing_rights"]
    assert [lang["code"] for lang in listed["languages"]] == ["pl", "ro", "bg", "uk", "en", "nl"]

    preview = app_client.get(f"/staff/api/visits/{visit_id}/preview").json()
    assert [m["language"] for m in preview["messages"]] == ["pl", "ro", "bg", "uk", "en", "nl"]
    with db_session(app_client) as db:
        real = ann.preview(db, visit_id)  # the same rendering the residents get
    for message in preview["messages"]:
        assert message["text"] == real[message["language"]].text
        assert message["text"].startswith(INTROS[message["language"]])
        assert ("Przynieście umowę o pracę." in message["text"]) == (message["language"] == "pl")
        assert len(message["buttons"]) == 1
    assert preview["total"] == 9
    assert {(c["channel"], c["language"]): c["count"] for c in preview["counts"]} == {
        ("web", language): count for language, count in RESIDENTS}

    sent = app_client.post(f"/staff/api/visits/{visit_id}/send", json={}, headers=team)
    assert sent.status_code == 200 and sent.json()["announce_at"] is not None
    drain(app_client)
    delivery = app_client.get(f"/staff/api/visits/{visit_id}/delivery").json()
    assert delivery["totals"] == {"queued": 0, "sent": 9, "template": 0, "failed": 0, "blocked": 0, "cancelled": 0}
    assert {(line["kind"], line["language"]): line["count"] for line in delivery["lines"]} == {
        ("announcement", language): count for language, count in RESIDENTS}
    assert app_client.get(f"/staff/api/visits/{visit_id}").json()["announced"] is True
    again = app_client.post(f"/staff/api/visits/{visit_id}/send", json={}, headers=team)
    assert again.status_code == 400 and "announced already" in again.json()["error"]

    # A change goes to everyone who was told; so does the cancellation.
    changed = app_client.post(f"/staff/api/visits/{visit_id}", json={"team": "BMIP Noord-Limburg"}, headers=team)
    assert changed.json()["status"] == "changed" and changed.json()["team"] == "BMIP Noord-Limburg"
    drain(app_client)
    cancelled = app_client.post(f"/staff/api/visits/{visit_id}/cancel",
                                json={"note": "Zespół jest chory.", "note_languages": ["pl"]}, headers=team)
    assert cancelled.json()["status"] == "cancelled"
    drain(app_client)
    lines = app_client.get(f"/staff/api/visits/{visit_id}/delivery").json()["lines"]
    per_kind = Counter()
    for line in lines:
        if line["status"] == "sent":
            per_kind[line["kind"]] += line["count"]
    assert per_kind == {"announcement": 9, "change": 9, "cancellation": 9}
    assert app_client.get("/staff/api/visits").json()["visits"] == []
    assert [v["status"] for v in app_client.get("/staff/api/visits?all=1").json()["visits"]] == ["cancelled"]


def test_a_visit_at_two_locations_and_a_scheduled_announcement(app_client, team) -> None:  # noqa: F811
    announce = local(dt.timedelta(days=1))
    form = visit_form(locations=["bosrand1", "hotel22"], announce=announce)
    planned = app_client.post("/staff/api/visits", json=form, headers=team).json()["visits"]
    assert [v["location"]["code"] for v in planned] == ["bosrand1", "hotel22"]
    at = dt.datetime.fromisoformat(planned[0]["announce_at"])
    assert at.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") == announce
    drain(app_client)
    assert app_client.get(f"/staff/api/visits/{planned[0]['id']}/delivery").json()["lines"] == []  # not yet due


def test_planning_in_the_console_queues_what_the_command_line_queues(app_client, team, settings,  # noqa: F811
                                                                     monkeypatch, capsys) -> None:
    """One visit planned with `winbot visits add`, one through the API: the same jobs, and after the worker ran,
    the same outbox rows (user, message, version, channel, language, status)."""
    monkeypatch.setenv("WINBOT_VAR_DIR", str(settings.var_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["visits", "add", "--location", "bosrand1", "--start", START, "--end", END, "--team", "BMIP Venlo",
                 "--languages", "pl,ro", "--topics", "housing_rights,work_rights", "--note",
                 "Przynieście umowę o pracę.", "--note-languages", "pl"]) == 0
    assert "visit 1 planned" in capsys.readouterr().out
    console = app_client.post("/staff/api/visits", json=visit_form(announce="now"), headers=team).json()["visits"][0]
    assert console["id"] == 2

    def fanout_jobs(db: Session) -> list[str | None]:
        return list(db.scalars(select(Job.dedup_key).where(Job.task == ann.FANOUT_TASK).order_by(Job.id)))

    # fanout:<visit>:<kind>:<version>:<slot>, the same queue and task. The gateway's worker runs in the background
    # and may already have run the first visit's fan-out (which queues its reminders), so only the announcements
    # are compared before the drain, and each visit's whole set of jobs after it.
    queued = [key for key in db_call(app_client, fanout_jobs) if key and ":announcement:" in key]
    assert queued == ["fanout:1:announcement:1:0", "fanout:2:announcement:1:0"]
    drain(app_client)
    per_visit: dict[str, list[str]] = {}
    for key in db_call(app_client, fanout_jobs):
        assert key is not None
        _, visit, rest = key.split(":", 2)
        per_visit.setdefault(visit, []).append(rest)
    # the announcement, then the evening before and 2 hours before (the visit is three days ahead)
    assert per_visit == {"1": ["announcement:1:0", "reminder:1:1", "reminder:1:2"],
                         "2": ["announcement:1:0", "reminder:1:1", "reminder:1:2"]}

    def outbox(db: Session) -> dict[int, list[tuple]]:
        rows: dict[int, list[tuple]] = {1: [], 2: []}
        for row in db.scalars(select(OutboxMessage).order_by(OutboxMessage.user_id)):
            rows[row.visit_id].append((row.user_id, row.kind, row.version, row.channel, row.language, row.status))
        return rows

    rows = db_call(app_client, outbox)
    assert len(rows[1]) == 9 and rows[1] == rows[2]
    with db_session(app_client) as db:
        assert {lang: r.text for lang, r in ann.preview(db, 1).items()} == \
            {lang: r.text for lang, r in ann.preview(db, 2).items()}


def test_the_poster_is_a_print_page_with_the_code_and_escaped_names(app_client, team) -> None:  # noqa: F811
    page = app_client.get("/staff/locations/hotel22/poster")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<svg" in text and "Hotel &lt;b&gt;Zuid&lt;/b&gt; &amp; Co" in text and "<b>Zuid" not in text
    assert "/?start=loc_hotel22" in text and 'lang="uk"' in text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "<script>" not in text  # the print button's script is a file (the policy forbids inline scripts)
    refused = app_client.get("/staff/locations/hotel22/poster?channel=telegram")
    assert refused.status_code == 400 and "TELEGRAM_BOT_USERNAME" in refused.json()["error"]


def test_what_the_team_typed_comes_back_as_data(app_client, team) -> None:  # noqa: F811
    note = "<img src=x onerror=alert(1)> bring papers"
    visit = app_client.post("/staff/api/visits", json=visit_form(note=note, note_languages=["en"],
                                                                 team="<script>x</script>"), headers=team).json()
    shown = app_client.get(f"/staff/api/visits/{visit['visits'][0]['id']}").json()
    assert shown["note"] == note and shown["team"] == "<script>x</script>"  # the console sets these as text


class db_session:  # noqa: N801 - used as a context manager
    def __init__(self, client: TestClient) -> None:
        self.session = client.app.state.runtime.sessions()

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        self.session.close()
