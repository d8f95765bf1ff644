"""Housing locations, mobile-team visits and residents' subscriptions to a location's announcements.

Housing locations are operator CSV like the help points (``winbot locations import/export``), columns
``LOCATION_COLUMNS``: code (4-16 of a-z0-9, used in deep links ``loc_<code>``), name, operator, address,
postcode, city, municipality, region, lat, lon, approximate. Municipality, region and coordinates are derived
when empty, as for the help points (:mod:`core.csvio`).

Visits are stored with aware UTC times and shown in Europe/Amsterdam (``format_visit_time``). ``languages`` are
ISO 639-1 codes and ``topics`` ids from ``VISIT_TOPICS``, both stored comma-separated.

Services take a Session and never commit (the caller does).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.csvio import (
    ImportResult,
    RowCheck,
    apply_rows,
    check_unique_codes,
    parse_languages,
    place_row,
    raise_if_problems,
    read_csv_rows,
    write_csv,
)
from core.db.models import HousingLocation, MobileTeamVisit, Subscription, VisitStatus
from core.folding import fold
from core.formatting import AMSTERDAM, format_time_range
from core.geo import haversine_km, map_url

LOCATION_COLUMNS = (
    "code", "name", "operator", "address", "postcode", "city", "municipality", "region", "lat", "lon", "approximate",
)
LOCATION_CODE = re.compile(r"^[a-z0-9]{4,16}$")
DEEP_LINK_PREFIX = "loc_"
_DEEP_LINK = re.compile(r"^loc_([a-z0-9]{4,16})$")

#: What a mobile team can help with: the bot's four topic intents (titles in core.content.topics) and two more.
VISIT_TOPICS = ("brp_registration", "housing_rights", "health_insurance", "work_rights", "report_abuse", "other")
#: Short names operators may type.
TOPIC_ALIASES = {
    "registration": "brp_registration", "brp": "brp_registration", "rni": "brp_registration",
    "housing": "housing_rights", "health": "health_insurance", "insurance": "health_insurance",
    "work": "work_rights", "wages": "work_rights", "abuse": "report_abuse",
}
#: A visit longer than this is surely a typo in the date.
MAX_VISIT = dt.timedelta(hours=24)


class LocationError(ValueError):
    """An operator or user asked for something that cannot be done; the message says why."""


# --- housing locations ----------------------------------------------------------------------------


def suggest_code(name: str) -> str:
    """A code an operator may use for a location name: 'Park De Bosrand 2' -> 'parkdebosrand2'."""
    code = re.sub(r"[^a-z0-9]", "", fold(name))[:16]
    return code if len(code) >= 4 else (code + "0000")[:4]


def _location_values(check: RowCheck) -> dict[str, Any]:
    code = check.text("code", max_length=16)
    if not code:
        check.fail(f"code is required: 4-16 of a-z and 0-9, e.g. {suggest_code(check.row.get('name', ''))!r}")
    elif not LOCATION_CODE.match(code):
        check.fail(f"code {code!r} must be 4-16 of a-z and 0-9, e.g. {suggest_code(code)!r}")
    postcode = check.postcode()
    placement = place_row(check, postcode)
    return {
        "code": code,
        "name": check.text("name", required=True),
        "operator": check.text("operator"),
        "address": check.text("address"),
        "postcode": postcode,
        "city": check.text("city", max_length=80),
        "municipality": placement.municipality,
        "region": placement.region,
        "lat": placement.lat,
        "lon": placement.lon,
        "approximate": placement.approximate,
    }


def import_locations(session: Session, stream: TextIO) -> ImportResult:
    """Validate the whole CSV, then upsert by code; a bad row raises CsvImportError and changes nothing."""
    checks = [RowCheck(line, row) for line, row in read_csv_rows(stream, LOCATION_COLUMNS)]
    check_unique_codes(checks)
    values = [_location_values(check) for check in checks]
    raise_if_problems(checks)
    return apply_rows(session, HousingLocation, values)


def export_locations(session: Session, stream: TextIO) -> int:
    return write_csv(stream, LOCATION_COLUMNS, session.scalars(select(HousingLocation).order_by(HousingLocation.code)))


def get_location(session: Session, code: str) -> HousingLocation | None:
    return session.scalar(select(HousingLocation).where(HousingLocation.code == code.strip().lower()))


def _location(session: Session, code: str) -> HousingLocation:
    location = get_location(session, code)
    if location is None:
        raise LocationError(f"no housing location with code {code!r}")
    return location


def deep_link_payload(location: HousingLocation) -> str:
    """The start parameter of a link residents scan or click, e.g. t.me/<bot>?start=loc_parkbosrand."""
    return DEEP_LINK_PREFIX + location.code


def code_from_deep_link(payload: str) -> str | None:
    """'loc_parkbosrand' (or '/start loc_parkbosrand') -> 'parkbosrand'; None for anything else."""
    match = _DEEP_LINK.match(payload.strip().removeprefix("/start").strip())
    return match.group(1) if match else None


def location_map_url(location: HousingLocation) -> str | None:
    return map_url(location.lat, location.lon, location.address, location.city, location.approximate)


# --- visits ---------------------------------------------------------------------------------------


def parse_topics(value: str | Iterable[str]) -> list[str]:
    """'housing, work' -> ['housing_rights', 'work_rights']; raises ValueError for an unknown topic."""
    items = value.split(",") if isinstance(value, str) else list(value)
    topics: list[str] = []
    for item in items:
        key = item.strip().lower()
        if not key:
            continue
        topic = TOPIC_ALIASES.get(key, key)
        if topic not in VISIT_TOPICS:
            raise ValueError(f"{item.strip()!r} is not a topic (one of {', '.join(VISIT_TOPICS)})")
        if topic not in topics:
            topics.append(topic)
    return topics


def parse_local_datetime(text: str) -> dt.datetime:
    """An ISO date-time with an offset, or naive Europe/Amsterdam local time -> aware UTC.

    A local time that does not exist or happens twice (the clocks change) must be given with an offset.
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise LocationError(f"{text!r} is not a date and time like 2026-12-08T17:00 (or 2026-12-08T17:00+01:00)") \
            from None
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    first, second = value.replace(tzinfo=AMSTERDAM, fold=0), value.replace(tzinfo=AMSTERDAM, fold=1)
    if first.astimezone(dt.UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != value:
        raise LocationError(f"{text.strip()} does not exist in Amsterdam (the clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise LocationError(f"{text.strip()} happens twice in Amsterdam (the clocks go back): add the offset, "
                            f"{text.strip()}+02:00 or {text.strip()}+01:00")
    return first.astimezone(dt.UTC)


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise LocationError("visit times must be aware datetimes (see parse_local_datetime)")
    if ends_at <= starts_at:
        raise LocationError("a visit must end after it starts")
    if ends_at - starts_at > MAX_VISIT:
        raise LocationError("a visit cannot last longer than 24 hours: check the dates")
    return starts_at.astimezone(dt.UTC), ends_at.astimezone(dt.UTC)


def _codes(value: str | Iterable[str] | None, parse: Callable[[str | Iterable[str]], list[str]]) -> str | None:
    if value is None:
        return None
    try:
        return ",".join(parse(value)) or None
    except ValueError as exc:
        raise LocationError(str(exc)) from None


def add_visit(session: Session, location_code: str, starts_at: dt.datetime, ends_at: dt.datetime, team: str,
              languages: str | Iterable[str] = (), topics: str | Iterable[str] = (),
              note: str | None = None) -> MobileTeamVisit:
    location = _location(session, location_code)
    starts_at, ends_at = _check_times(starts_at, ends_at)
    if not team.strip():
        raise LocationError("name the team")
    visit = MobileTeamVisit(
        location=location, starts_at=starts_at, ends_at=ends_at, team=team.strip(),
        languages=_codes(languages, parse_languages), topics=_codes(topics, parse_topics),
        status=VisitStatus.PLANNED, note=note or None,
    )
    session.add(visit)
    session.flush()
    return visit


def get_visit(session: Session, visit_id: int) -> MobileTeamVisit:
    visit = session.get(MobileTeamVisit, visit_id)
    if visit is None:
        raise LocationError(f"no visit with id {visit_id}")
    return visit


def change_visit(session: Session, visit_id: int, *, starts_at: dt.datetime | None = None,
                 ends_at: dt.datetime | None = None, team: str | None = None,
                 languages: str | Iterable[str] | None = None, topics: str | Iterable[str] | None = None,
                 note: str | None = None) -> MobileTeamVisit:
    """Change a planned visit; its status becomes "changed" when anything residents see is different."""
    visit = get_visit(session, visit_id)
    if visit.status == VisitStatus.CANCELLED:
        raise LocationError(f"visit {visit_id} is cancelled; add a new visit instead")
    new_start, new_end = _check_times(starts_at or visit.starts_at, ends_at or visit.ends_at)
    values = {
        "starts_at": new_start,
        "ends_at": new_end,
        "team": team.strip() if team else visit.team,
        "languages": visit.languages if languages is None else _codes(languages, parse_languages),
        "topics": visit.topics if topics is None else _codes(topics, parse_topics),
    }
    changed = {k: v for k, v in values.items() if getattr(visit, k) != v}
    for key, value in changed.items():
        setattr(visit, key, value)
    if changed:
        visit.status = VisitStatus.CHANGED
    if note is not None:
        visit.note = note or None
    session.flush()
    return visit


def cancel_visit(session: Session, visit_id: int, note: str | None = None) -> MobileTeamVisit:
    """Cancel a visit (again is harmless); it stays listed as cancelled so residents can be told."""
    visit = get_visit(session, visit_id)
    visit.status = VisitStatus.CANCELLED
    if note is not None:
        visit.note = note or None
    session.flush()
    return visit


def upcoming_visits(session: Session, location_code: str | None = None, *, now: dt.datetime | None = None,
                    weeks: float = 4, include_cancelled: bool = False) -> list[MobileTeamVisit]:
    """Visits not over yet that start within ``weeks``, soonest first; of one location or of all."""
    now = now or dt.datetime.now(dt.UTC)
    query = select(MobileTeamVisit).where(
        MobileTeamVisit.ends_at > now, MobileTeamVisit.starts_at < now + dt.timedelta(weeks=weeks))
    if location_code is not None:
        query = query.where(MobileTeamVisit.location_id == _location(session, location_code).id)
    if not include_cancelled:
        query = query.where(MobileTeamVisit.status != VisitStatus.CANCELLED)
    return list(session.scalars(query.order_by(MobileTeamVisit.starts_at, MobileTeamVisit.id)))


@dataclass(frozen=True)
class NearbyVisit:
    visit: MobileTeamVisit
    distance_km: float


def visits_near(session: Session, lat: float, lon: float, *, radius_km: float = 10, now: dt.datetime | None = None,
                weeks: float = 4, include_cancelled: bool = False) -> list[NearbyVisit]:
    """Upcoming visits at housing locations within ``radius_km`` of a point, soonest first."""
    found = []
    for visit in upcoming_visits(session, now=now, weeks=weeks, include_cancelled=include_cancelled):
        location = visit.location
        if location.lat is None or location.lon is None:
            continue
        distance = haversine_km(lat, lon, location.lat, location.lon)
        if distance <= radius_km:
            found.append(NearbyVisit(visit, distance))
    return found


def visit_languages(visit: MobileTeamVisit) -> list[str]:
    return visit.languages.split(",") if visit.languages else []


def visit_topics(visit: MobileTeamVisit) -> list[str]:
    return visit.topics.split(",") if visit.topics else []


def format_visit_time(visit: MobileTeamVisit, language: str | None = None) -> str:
    """'Tuesday 8 December, 17:00–19:30' in Amsterdam time and the user's language."""
    return format_time_range(visit.starts_at, visit.ends_at, language)


# --- subscriptions --------------------------------------------------------------------------------


def subscribe(session: Session, user_id: str, location_code: str) -> bool:
    """Subscribe a user to a location's announcements; False if they already were (nothing changes)."""
    location = _location(session, location_code)
    exists = session.scalar(select(Subscription.id).where(
        Subscription.user_id == user_id, Subscription.location_id == location.id))
    if exists is not None:
        return False
    try:
        with session.begin_nested():  # two messages at once: the unique constraint decides
            session.add(Subscription(user_id=user_id, location_id=location.id))
    except IntegrityError:
        return False
    return True


def unsubscribe(session: Session, user_id: str, location_code: str | None = None) -> int:
    """Unsubscribe from one location, or from all when no code is given; returns how many were removed."""
    query = select(Subscription).where(Subscription.user_id == user_id)
    if location_code is not None:
        location = get_location(session, location_code)
        if location is None:
            return 0
        query = query.where(Subscription.location_id == location.id)
    removed = list(session.scalars(query))
    for subscription in removed:
        session.delete(subscription)
    session.flush()
    return len(removed)


def subscriptions_of(session: Session, user_id: str) -> list[HousingLocation]:
    return list(session.scalars(
        select(HousingLocation).join(Subscription, Subscription.location_id == HousingLocation.id)
        .where(Subscription.user_id == user_id).order_by(HousingLocation.name)))


def subscribers(session: Session, location_code: str) -> list[str]:
    """The (pseudonymous) user ids subscribed to a location, to announce a visit or a change to."""
    location = _location(session, location_code)
    return list(session.scalars(
        select(Subscription.user_id).where(Subscription.location_id == location.id).order_by(Subscription.id)))
