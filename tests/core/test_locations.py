"""Housing locations, mobile-team visits (UTC in, Amsterdam out) and subscriptions; the migration on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from core.csvio import CsvImportError
from core.db.migrate import alembic_config, upgrade
from core.db.models import Base, HousingLocation, MobileTeamVisit, Subscription, User, VisitStatus
from core.db.session import make_engine, make_session_factory
from core.helppoints.registry import seed_if_empty
from core.locations import (
    LocationError,
    add_visit,
    cancel_visit,
    change_visit,
    code_from_deep_link,
    deep_link_payload,
    export_locations,
    format_visit_time,
    get_location,
    import_locations,
    location_map_url,
    parse_local_datetime,
    subscribe,
    subscribers,
    subscriptions_of,
    suggest_code,
    unsubscribe,
    upcoming_visits,
    visit_languages,
    visit_topics,
    visits_near,
)

HEADER = "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
LOCATIONS = HEADER + (
    "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,,,,,\n"
    "tegelen2,Hotel Tegelen,,,,Tegelen,,,,,\n"
    "weesp01,Logies Weesp,,,,Weesp,,,52.3075,5.0417,\n"
)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as db:
        import_locations(db, io.StringIO(LOCATIONS))
        db.add_all([User(id="u1", channel="telegram"), User(id="u2", channel="whatsapp")])
        db.commit()
        yield db


def local(text: str) -> dt.datetime:
    return parse_local_datetime(text)


# --- locations ------------------------------------------------------------------------------------


def test_import_derives_place_region_and_coordinates(session: Session) -> None:
    bosrand = get_location(session, "bosrand1")
    assert (bosrand.municipality, bosrand.region, bosrand.postcode) == ("Venlo", "Noord-Limburg", "5912 AB")
    assert bosrand.approximate and bosrand.lat is not None
    tegelen = get_location(session, "TEGELEN2")
    assert (tegelen.municipality, tegelen.region) == ("Venlo", "Noord-Limburg")
    weesp = get_location(session, "weesp01")
    assert (weesp.municipality, weesp.region, weesp.approximate) == ("Amsterdam", "Groot Amsterdam", False)


def test_export_round_trips(session: Session) -> None:
    out = io.StringIO()
    assert export_locations(session, out) == 3
    result = import_locations(session, io.StringIO(out.getvalue()))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    again = io.StringIO()
    export_locations(session, again)
    assert again.getvalue() == out.getvalue()


def test_a_bad_row_changes_nothing(session: Session) -> None:
    bad = HEADER + (
        "bosrand1,Park De Bosrand (renamed),,,,Venlo,,,,,\n"   # line 2: valid
        "ab,Too Short,,,,Venlo,,,,,\n"                          # line 3
        ",Park Zonder Code,,,,Venlo,,,,,\n"                     # line 4
        "goodcode,,,,1234 ZZ,,,Atlantis,,,\n"                   # line 5
    )
    with pytest.raises(CsvImportError) as caught:
        import_locations(session, io.StringIO(bad))
    assert caught.value.errors == [
        "line 3: code 'ab' must be 4-16 of a-z and 0-9, e.g. 'ab00'",
        "line 4: code is required: 4-16 of a-z and 0-9, e.g. 'parkzondercode'",
        "line 5: region 'Atlantis' is not a labour-market region (e.g. Achterhoek, Amersfoort, Drechtsteden)",
        "line 5: name is required",
    ]
    session.rollback()
    assert get_location(session, "bosrand1").name == "Park De Bosrand"
    assert session.scalar(select(func.count()).select_from(HousingLocation)) == 3


def test_deep_links() -> None:
    location = HousingLocation(code="bosrand1", name="x")
    assert deep_link_payload(location) == "loc_bosrand1"
    assert code_from_deep_link("loc_bosrand1") == "bosrand1"
    assert code_from_deep_link("/start loc_bosrand1") == "bosrand1"
    assert code_from_deep_link("loc_x") is None
    assert code_from_deep_link("/start") is None
    assert suggest_code("Park De Bosrand 2") == "parkdebosrand2"


def test_location_map_link(session: Session) -> None:
    assert location_map_url(get_location(session, "bosrand1")) == (
        "https://www.openstreetmap.org/search?query=Bosweg+1%2C+Venlo")
    assert location_map_url(get_location(session, "weesp01")).startswith("https://www.openstreetmap.org/?mlat=52.30750")


# --- visits ---------------------------------------------------------------------------------------


def test_times_are_stored_in_utc_and_shown_in_amsterdam_time(engine: Engine, session: Session) -> None:
    winter = add_visit(session, "bosrand1", local("2026-12-08T17:00"), local("2026-12-08T19:30"), "BMIP team",
                       languages="pl,RO", topics="housing, work")
    summer = add_visit(session, "bosrand1", local("2027-07-06T17:00"), local("2027-07-06T19:00"), "BMIP team")
    session.commit()
    with make_session_factory(engine)() as fresh:
        stored = fresh.get(MobileTeamVisit, winter.id)
        assert stored.starts_at == dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)
        assert stored.starts_at.utcoffset() == dt.timedelta(0)
        assert fresh.get(MobileTeamVisit, summer.id).starts_at.hour == 15  # CEST is UTC+2
        raw = fresh.execute(text("SELECT starts_at FROM mobile_team_visits WHERE id = :id"), {"id": winter.id}).scalar()
        assert str(raw).startswith("2026-12-08 16:00")
        assert format_visit_time(stored, "nl") == "di 8 december, 17:00–19:30"
        assert format_visit_time(stored, "pl") == "wt., 8 grudnia, 17:00–19:30"
        assert format_visit_time(stored, "en") == "Tuesday 8 December, 17:00–19:30"
        assert visit_languages(stored) == ["pl", "ro"]
        assert visit_topics(stored) == ["housing_rights", "work_rights"]
        assert stored.status == VisitStatus.PLANNED


def test_an_offset_is_respected() -> None:
    assert parse_local_datetime("2026-12-08T17:00+00:00") == dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC)
    with pytest.raises(LocationError, match="does not exist"):
        parse_local_datetime("2026-03-29T02:30")
    with pytest.raises(LocationError, match="happens twice"):
        parse_local_datetime("2026-10-25T02:30")
    with pytest.raises(LocationError, match="not a date"):
        parse_local_datetime("tomorrow")


@pytest.mark.parametrize(("start", "end", "kwargs", "error"), [
    ("2026-12-08T19:00", "2026-12-08T17:00", {}, "end after it starts"),
    ("2026-12-08T17:00", "2026-12-10T17:00", {}, "24 hours"),
    ("2026-12-08T17:00", "2026-12-08T19:00", {"topics": "cooking"}, "'cooking' is not a topic"),
    ("2026-12-08T17:00", "2026-12-08T19:00", {"languages": "polish"}, "not a language code"),
    ("2026-12-08T17:00", "2026-12-08T19:00", {"location_code": "nowhere"}, "no housing location"),
])
def test_bad_visits_are_refused(session: Session, start: str, end: str, kwargs: dict, error: str) -> None:
    arguments = {"location_code": "bosrand1", "team": "T"} | kwargs
    with pytest.raises(LocationError, match=error):
        add_visit(session, starts_at=local(start), ends_at=local(end), **arguments)
    with pytest.raises(LocationError, match="aware"):
        add_visit(session, "bosrand1", dt.datetime(2026, 12, 8, 17), dt.datetime(2026, 12, 8, 19), "T")


def test_upcoming_visits_of_a_location_and_near_a_point(session: Session) -> None:
    past = add_visit(session, "bosrand1", local("2026-11-20T17:00"), local("2026-11-20T19:00"), "A")
    soon = add_visit(session, "bosrand1", local("2026-12-08T17:00"), local("2026-12-08T19:00"), "A")
    tegelen = add_visit(session, "tegelen2", local("2026-12-03T10:00"), local("2026-12-03T12:00"), "B")
    later = add_visit(session, "bosrand1", local("2027-02-01T17:00"), local("2027-02-01T19:00"), "A")
    weesp = add_visit(session, "weesp01", local("2026-12-02T10:00"), local("2026-12-02T12:00"), "C")
    assert upcoming_visits(session, "bosrand1", now=NOW) == [soon]
    assert upcoming_visits(session, "bosrand1", now=NOW, weeks=12) == [soon, later]
    assert upcoming_visits(session, now=NOW) == [weesp, tegelen, soon]
    assert past not in upcoming_visits(session, now=NOW, weeks=52)

    venlo = (51.37, 6.16806)
    near = visits_near(session, *venlo, radius_km=10, now=NOW)
    assert [n.visit for n in near] == [tegelen, soon]
    assert all(n.distance_km < 10 for n in near)
    assert visits_near(session, *venlo, radius_km=1, now=NOW) == []


def test_change_and_cancel(session: Session) -> None:
    visit = add_visit(session, "bosrand1", local("2026-12-08T17:00"), local("2026-12-08T19:00"), "A", topics="work")
    assert change_visit(session, visit.id, team="A", topics=["work_rights"]).status == VisitStatus.PLANNED  # same
    changed = change_visit(session, visit.id, starts_at=local("2026-12-08T18:00"), ends_at=local("2026-12-08T20:00"),
                           note="later because of a road closure")
    assert changed.status == VisitStatus.CHANGED
    assert changed.starts_at == dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC)
    with pytest.raises(LocationError, match="end after it starts"):
        change_visit(session, visit.id, ends_at=local("2026-12-08T17:00"))

    cancelled = cancel_visit(session, visit.id, note="team ill")
    assert cancelled.status == VisitStatus.CANCELLED and cancelled.note == "team ill"
    assert cancel_visit(session, visit.id).status == VisitStatus.CANCELLED  # again: harmless
    assert upcoming_visits(session, "bosrand1", now=NOW) == []
    assert upcoming_visits(session, "bosrand1", now=NOW, include_cancelled=True) == [cancelled]
    with pytest.raises(LocationError, match="cancelled"):
        change_visit(session, visit.id, team="B")
    with pytest.raises(LocationError, match="no visit"):
        cancel_visit(session, 999)


# --- subscriptions --------------------------------------------------------------------------------


def test_subscribe_and_unsubscribe_are_idempotent(session: Session) -> None:
    assert subscribe(session, "u1", "bosrand1") is True
    assert subscribe(session, "u1", "bosrand1") is False
    assert subscribe(session, "u2", "bosrand1") is True
    assert subscribe(session, "u1", "weesp01") is True
    session.commit()
    assert subscribers(session, "bosrand1") == ["u1", "u2"]
    assert [loc.code for loc in subscriptions_of(session, "u1")] == ["weesp01", "bosrand1"]  # by name

    assert unsubscribe(session, "u1", "bosrand1") == 1
    assert unsubscribe(session, "u1", "bosrand1") == 0
    assert unsubscribe(session, "u1", "nowhere") == 0
    assert subscribers(session, "bosrand1") == ["u2"]
    assert unsubscribe(session, "u1") == 1  # from everything
    assert subscriptions_of(session, "u1") == []
    with pytest.raises(LocationError):
        subscribe(session, "u1", "nowhere")


def test_a_deleted_user_loses_their_subscriptions(session: Session) -> None:
    subscribe(session, "u2", "bosrand1")
    session.commit()
    session.delete(session.get(User, "u2"))
    session.commit()
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


# --- PostgreSQL -----------------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("WINBOT_TEST_POSTGRES_URL")


def _drop_everything(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in [*reversed(Base.metadata.sorted_tables), "alembic_version"]:
            name = table if isinstance(table, str) else table.name
            connection.execute(text(f"DROP TABLE IF EXISTS {name} CASCADE"))
    engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        if os.environ.get("CI") or os.environ.get("WINBOT_REQUIRE_SERVICES"):
            pytest.fail("WINBOT_TEST_POSTGRES_URL is not set: `make test` starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set WINBOT_TEST_POSTGRES_URL)")
    _drop_everything(POSTGRES_URL)
    yield POSTGRES_URL
    _drop_everything(POSTGRES_URL)  # leave an empty database for tests/core/test_postgres.py


def test_migration_and_services_on_postgres(postgres_url: str) -> None:
    upgrade(postgres_url)
    upgrade(postgres_url)  # idempotent
    command.check(alembic_config(postgres_url))  # the models and the migrations agree on PostgreSQL too
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    with sessions() as db:
        assert seed_if_empty(db) > 30
        import_locations(db, io.StringIO(LOCATIONS))
        db.add(User(id="pg-user", channel="telegram"))
        visit = add_visit(db, "bosrand1", local("2026-12-08T17:00"), local("2026-12-08T19:30"), "BMIP team",
                          languages="pl", topics="housing")
        subscribe(db, "pg-user", "bosrand1")
        db.commit()
        visit_id = visit.id
    with sessions() as db:
        stored = db.get(MobileTeamVisit, visit_id)
        assert stored.starts_at == dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)
        assert format_visit_time(stored, "nl") == "di 8 december, 17:00–19:30"
        assert upcoming_visits(db, "bosrand1", now=NOW) == [stored]
        assert subscribe(db, "pg-user", "bosrand1") is False
        assert subscribers(db, "bosrand1") == ["pg-user"]
        cancel_visit(db, visit_id)
        db.commit()
    engine.dispose()
    command.downgrade(alembic_config(postgres_url), "0001")
    upgrade(postgres_url)
