"""The mobile-team pages of the staff console: plan, change and cancel visits, preview and send their announcement,
follow delivery, print a location's QR poster. Roles ``mobile_team`` and ``admin`` only.

Every route goes through :meth:`bot.staff.StaffConsole.api` (login, role, CSRF on POST, one transaction) and calls
the same services as ``winbot visits`` and ``winbot announcements`` (core/announcements.py), so the console queues
exactly the jobs and outbox rows the command line does; the worker sends them.

- ``GET /staff/api/locations``: the housing locations to pick from, with their subscribers and QR channels.
- ``GET /staff/api/visits[?all=1]``: upcoming visits (``all``: with cancelled ones), topics and languages to offer.
- ``POST /staff/api/visits``: plan a visit at one or more locations (one visit each), body ``{"locations": [codes],
  "start": "2026-12-08T17:00", "end": "2026-12-08T19:00", "team", "languages": [..], "topics": [..], "note",
  "note_languages": [..], "announce": "hold" | "now" | "<time>"}``; times are Amsterdam time unless they carry an
  offset (``core.locations.parse_local_datetime``). Held by default: preview, then send.
- ``GET /staff/api/visits/{id}``; ``POST`` the same path changes it (fields as above, all optional).
- ``POST /staff/api/visits/{id}/cancel`` (``note``, ``note_languages``), ``POST /staff/api/visits/{id}/send``
  (``at``: a time to schedule; none: now).
- ``GET /staff/api/visits/{id}/preview[?kind=announcement]``: the message in six languages and who would get it
  per channel and language; ``GET /staff/api/visits/{id}/delivery``: the outbox by message, channel, language and
  status.
- ``GET /staff/locations/{code}/poster[?channel=telegram|whatsapp|web]``: a print-friendly page with the QR code.

A request the services refuse (a visit in the past, the end before the start, an unknown location, ...) is a 400
with the services' message, which the console shows in the form; a visit or location that does not exist is a 404.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.http import BadRequest
from core import announcements as ann
from core import locations as loc
from core import qr
from core.content import announcement_messages as a
from core.db.models import HousingLocation, MobileTeamVisit, OutboxKind, OutboxStatus, StaffRole, Subscription
from core.formatting import AMSTERDAM
from core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, use_locale
from core.render import intent_title
from core.staff import Staff

if TYPE_CHECKING:
    from bot.staff import StaffConsole

VISIT_ROLES = (StaffRole.MOBILE_TEAM, StaffRole.ADMIN)
MAX_TEAM_CHARS = 120
MAX_NOTE_CHARS = 1000
#: Upcoming visits the list shows: this many weeks ahead.
LIST_WEEKS = 52


@contextmanager
def _refused() -> Iterator[None]:
    """The services' refusals (LocationError, AnnouncementError, QrError) as a 400 with their message."""
    try:
        yield
    except (loc.LocationError, qr.QrError) as exc:
        raise BadRequest(400, str(exc)) from None


def _local(moment: dt.datetime | None) -> str | None:
    """An aware time as Amsterdam wall-clock time, the form's ``2026-12-08T17:00``."""
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if moment else None


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(400, f"{name} must be text of at most {limit} characters")
    return value.strip()


def _codes(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or len(value) > 20:
        raise BadRequest(400, f"{name} must be a list of codes")
    return value


def _time(body: dict[str, Any], name: str, required: bool = False) -> dt.datetime | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(400, f"give the {name} date and time")
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest(400, f"{name} must be a date and time like 2026-12-08T17:00")
    with _refused():
        return loc.parse_local_datetime(value)


def _announce_time(body: dict[str, Any], name: str) -> dt.datetime | None:
    """When to send the announcement. The services take a past time as "now"; a form with a past time is more
    likely a typo, so it is refused here."""
    at = _time(body, name)
    if at is not None and at <= dt.datetime.now(dt.UTC):
        raise BadRequest(400, "the time to send it is in the past: choose a later time, or send it now")
    return at


class VisitPages:
    """The routes of the mobile-team pages; they run inside the console's :meth:`~bot.staff.StaffConsole.api`."""

    def __init__(self, console: StaffConsole) -> None:
        self.console = console
        self.runtime = console.runtime
        self.settings = console.settings

    def routes(self) -> list[Route]:
        def api(handler: Callable[[Session, Request, Staff], Any], post: bool = False) -> Any:
            return self.console.api(handler, roles=VISIT_ROLES, post=post)

        return [
            Route("/staff/api/locations", api(self.locations)),
            Route("/staff/api/visits", api(self.list_visits), methods=["GET"]),
            Route("/staff/api/visits", api(self.plan, post=True), methods=["POST"]),
            Route("/staff/api/visits/{id:int}", api(self.visit), methods=["GET"]),
            Route("/staff/api/visits/{id:int}", api(self.change, post=True), methods=["POST"]),
            Route("/staff/api/visits/{id:int}/cancel", api(self.cancel, post=True), methods=["POST"]),
            Route("/staff/api/visits/{id:int}/send", api(self.send, post=True), methods=["POST"]),
            Route("/staff/api/visits/{id:int}/preview", api(self.preview)),
            Route("/staff/api/visits/{id:int}/delivery", api(self.delivery)),
            Route("/staff/locations/{code}/poster", api(self.poster)),
        ]

    # -- reading ------------------------------------------------------------------------------------------------

    def _visit_row(self, db: Session, request: Request) -> MobileTeamVisit:
        visit = db.get(MobileTeamVisit, int(request.path_params["id"]))
        if visit is None:
            raise BadRequest(404, f"no visit with id {request.path_params['id']}")
        return visit

    @staticmethod
    def _delivery_totals(db: Session, visit: MobileTeamVisit) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for line in ann.delivery_status(db, visit.id):
            totals[line.status] += line.count
        return dict(totals)

    def _visit_json(self, db: Session, visit: MobileTeamVisit) -> dict[str, Any]:
        location = visit.location
        return {
            "id": visit.id,
            "location": {"code": location.code, "name": location.name, "city": location.city},
            "starts_at": visit.starts_at.isoformat(), "ends_at": visit.ends_at.isoformat(),
            "start_local": _local(visit.starts_at), "end_local": _local(visit.ends_at),
            "team": visit.team, "languages": loc.visit_languages(visit), "topics": loc.visit_topics(visit),
            "note": visit.note, "note_languages": ann.note_languages(visit), "status": visit.status.value,
            "version": visit.version, "announce_at": visit.announce_at.isoformat() if visit.announce_at else None,
            "announced": ann.announced(db, visit), "delivery": self._delivery_totals(db, visit),
        }

    def locations(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        counts: dict[int, int] = {location_id: n for location_id, n in db.execute(
            select(Subscription.location_id, func.count()).group_by(Subscription.location_id))}
        found = db.scalars(select(HousingLocation).order_by(HousingLocation.name, HousingLocation.code))
        return {"locations": [{
            "code": location.code, "name": location.name, "address": location.address,
            "postcode": location.postcode, "city": location.city, "region": location.region,
            "subscribers": counts.get(location.id, 0),
        } for location in found], "qr_channels": self._qr_channels()}

    def _qr_channels(self) -> list[str]:
        settings = self.settings
        return [channel for channel, ready in (("telegram", settings.telegram_bot_username),
                                               ("whatsapp", settings.whatsapp_display_number), ("web", True))
                if ready]

    def list_visits(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        everything = request.query_params.get("all") in ("1", "true")
        visits = loc.upcoming_visits(db, weeks=LIST_WEEKS, include_cancelled=everything)
        topics = []
        for topic in loc.VISIT_TOPICS:
            titles = {}
            for language in ("en", "nl"):
                with use_locale(language):
                    titles[language] = gettext(a.TOPIC_OTHER) if topic == "other" else intent_title(topic) or topic
            topics.append({"id": topic, **titles})
        return {"visits": [self._visit_json(db, visit) for visit in visits], "topics": topics,
                "languages": [{"code": code, "name": LANGUAGE_NAMES.get(code, code)} for code in LANGUAGES]}

    def visit(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        return self._visit_json(db, self._visit_row(db, request))

    def preview(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        visit = self._visit_row(db, request)
        try:
            kind = OutboxKind(request.query_params.get("kind", "announcement"))
        except ValueError:
            raise BadRequest(400, f"kind must be one of {', '.join(k.value for k in OutboxKind)}") from None
        messages = [{"language": language, "name": LANGUAGE_NAMES.get(language, language), "text": reply.text,
                     "buttons": [button.title for button in reply.buttons]}
                    for language, reply in ann.preview(db, visit.id, kind).items()]
        counts = ann.recipient_counts(db, visit.id, kind)
        return {"visit": visit.id, "kind": kind.value, "messages": messages,
                "counts": [{"channel": channel, "language": language, "count": n}
                           for (channel, language), n in sorted(counts.items())],
                "total": sum(counts.values())}

    def delivery(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        visit = self._visit_row(db, request)
        lines = ann.delivery_status(db, visit.id)
        totals = self._delivery_totals(db, visit)
        return {"visit": visit.id, "statuses": [s.value for s in OutboxStatus],
                "totals": {s.value: totals.get(s.value, 0) for s in OutboxStatus},
                "lines": [{"kind": line.kind, "channel": line.channel, "language": line.language,
                           "status": line.status, "count": line.count} for line in lines]}

    # -- planning, changing, cancelling, sending --------------------------------------------------------------

    def plan(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        body = request.state.body
        codes = _codes(body, "locations") or _codes(body, "location")
        if not codes:
            raise BadRequest(400, "choose at least one housing location")
        start, end = _time(body, "start", required=True), _time(body, "end", required=True)
        assert start is not None and end is not None  # required above
        team = _text(body, "team", MAX_TEAM_CHARS)
        if not team:
            raise BadRequest(400, "name the team")
        announce = body.get("announce", "hold")
        if not isinstance(announce, str):
            raise BadRequest(400, "announce must be 'hold', 'now' or a date and time")
        announce_at = None if announce in ("hold", "now") else _announce_time(body, "announce")
        planned = []
        with _refused():
            for code in dict.fromkeys(codes):
                visit = ann.plan_visit(db, self.runtime.jobs, code, start, end, team,
                                       languages=_codes(body, "languages") or (), topics=_codes(body, "topics") or (),
                                       note=_text(body, "note", MAX_NOTE_CHARS) or None,
                                       note_languages=_codes(body, "note_languages"),
                                       announce=announce != "hold", announce_at=announce_at)
                planned.append(visit)
        return {"visits": [self._visit_json(db, visit) for visit in planned]}

    def change(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        body = request.state.body
        visit = self._visit_row(db, request)
        team = _text(body, "team", MAX_TEAM_CHARS)
        if team is not None and not team:
            raise BadRequest(400, "name the team")
        with _refused():
            visit = ann.edit_visit(db, self.runtime.jobs, visit.id, starts_at=_time(body, "start"),
                                   ends_at=_time(body, "end"), team=team, languages=_codes(body, "languages"),
                                   topics=_codes(body, "topics"), note=_text(body, "note", MAX_NOTE_CHARS),
                                   note_languages=_codes(body, "note_languages"))
        return self._visit_json(db, visit)

    def cancel(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        body = request.state.body
        visit = self._visit_row(db, request)
        with _refused():
            visit = ann.cancel_visit(db, self.runtime.jobs, visit.id, note=_text(body, "note", MAX_NOTE_CHARS) or None,
                                     note_languages=_codes(body, "note_languages"))
        return self._visit_json(db, visit)

    def send(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        visit = self._visit_row(db, request)
        at = _announce_time(request.state.body, "at")
        with _refused():
            visit = ann.schedule_announcement(db, self.runtime.jobs, visit.id, at)
        return self._visit_json(db, visit)

    # -- the QR poster ----------------------------------------------------------------------------------------

    def poster(self, db: Session, request: Request, staff: Staff) -> Response:
        """A page to print: the location's name and address, its QR code, what the code does in six languages."""
        location = loc.get_location(db, request.path_params["code"])
        if location is None:
            raise BadRequest(404, "no such housing location")
        settings = self.settings
        with _refused():
            link = qr.link_for(location.code, request.query_params.get("channel") or None,
                               telegram_bot=settings.telegram_bot_username,
                               whatsapp_number=settings.whatsapp_display_number, public_url=settings.public_url)
        address = ", ".join(filter(None, (location.address, " ".join(filter(None, (location.postcode,
                                                                                      location.city))))))
        captions = "".join(f'<li lang="{language}">{html.escape(caption)}</li>'
                           for language, caption in zip(LANGUAGES, qr.captions(), strict=True))
        page = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QR – {html.escape(location.name)}</title>
<link rel="stylesheet" href="/staff/static/console.css">
<script src="/staff/static/poster.js" defer></script></head>
<body class="poster"><main>
<p class="no-print"><button id="print" type="button">Print / Afdrukken</button> <a href="/staff/#visits">Console</a></p>
<h1>{html.escape(location.name)}</h1>
<p class="address">{html.escape(address)}</p>
<div class="qr" role="img" aria-label="QR code">{qr.qr_svg(link)}</div>
<ul class="captions">{captions}</ul>
<p class="link">{html.escape(link)}</p>
</main></body></html>"""
        return HTMLResponse(page)
