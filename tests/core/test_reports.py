"""core/reports.py: storing reports encrypted, anonymous reports without a link to the reporter, the staff
functions (list, status with audit log, CSV export) and the status a reporter may see."""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from core.db.migrate import upgrade
from core.db.models import Base, InboundMessage, Report, ReportEvent, ReportStatus, User
from core.db.session import make_engine, make_session_factory
from core.language import choose_language
from core.privacy import Vault
from core.reports import (
    NATIONAL,
    REFERENCE_ALPHABET,
    change_status,
    count_by_category,
    create_report,
    export_csv,
    find_code,
    forget_messages,
    generate_code,
    get_by_code,
    has_danger_words,
    list_reports,
    normalise_code,
    status_for_user,
    texts,
    without_codes,
)

VAULT = Vault(secrets.token_bytes(32))
REPORTED_STORY = "Szef Kowalski zabrał paszporty dwunastu osobom"


POSTGRES_URL = os.environ.get("WINBOT_TEST_POSTGRES_URL")


def _drop_everything(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in [*reversed(Base.metadata.sorted_tables), "alembic_version"]:
            name = table if isinstance(table, str) else table.name
            connection.execute(text(f"DROP TABLE IF EXISTS {name} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'winbot.db'}"
    elif POSTGRES_URL:
        url = POSTGRES_URL
        _drop_everything(url)
    elif os.environ.get("CI") or os.environ.get("WINBOT_REQUIRE_SERVICES"):
        pytest.fail("WINBOT_TEST_POSTGRES_URL is not set: `make test` starts PostgreSQL and sets it")
    else:
        pytest.skip("no PostgreSQL (set WINBOT_TEST_POSTGRES_URL)")
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        _drop_everything(url)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        session.add(User(id="we-reporter", channel="web"))
        session.commit()
        yield session


def test_codes_are_short_unambiguous_and_found_in_free_text() -> None:
    codes = {generate_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 8 and code[3] == "-"
        assert set(code.replace("-", "")) <= set(REFERENCE_ALPHABET)
        assert not set(code) & set("01OIL")
        assert find_code(f"status {code.lower()}") == code
        assert find_code(f"jaki status? {code.replace('-', '')}!") == code
    assert normalise_code("k7m 4qx2") == "K7M-4QX2"
    assert normalise_code("K7M-4QX0") is None  # 0 is never in a code
    assert find_code("status of my report please") is None
    assert find_code("мій код 9FD-7HK3") == "9FD-7HK3"
    assert without_codes("статус 6uu-jza4").strip() == "статус"  # codes say nothing about the language
    assert without_codes("status of my report, code K7M 4QX2!") == "status of my report, code  !"
    assert without_codes("raport 2024 status") == "raport 2024 status"  # words and numbers stay
    # What the router detects the language on: with the code, lingua read this Bulgarian message as Ukrainian.
    assert choose_language("bg", without_codes("статус 6uu-jza4")) == "bg"


def test_a_report_is_encrypted_at_rest_and_readable_with_the_key(db: Session, engine: Engine) -> None:
    report = create_report(db, VAULT, categories=["papers", "wages"], place="Venlo", employer="Agencja XYZ",
                           since="od marca", description=REPORTED_STORY, region="Noord-Limburg")
    db.commit()
    assert report.urgent, "papers taken is a danger sign"
    with engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.execute(text("SELECT * FROM reports")))
    for secret in ("Venlo", "Agencja XYZ", "od marca", "Kowalski"):
        assert secret not in dump
    stored = texts(get_by_code(db, report.code.lower()), VAULT)
    assert stored.description == REPORTED_STORY and stored.place == "Venlo" and stored.since == "od marca"


def test_an_anonymous_report_has_no_pseudonym_language_or_time(db: Session) -> None:
    report = create_report(db, VAULT, categories=["housing"], description="10 osób w pokoju", anonymous=True,
                           user_id="we-reporter", language="pl", today=dt.date(2026, 12, 6))
    db.commit()
    assert report.user_id is None and report.language is None
    assert report.created_on == dt.date(2026, 12, 6)
    assert db.scalars(select(ReportEvent)).all() == [], "a timed audit row would date it finer than the day"
    columns = {c["name"] for c in inspect(db.get_bind()).get_columns("reports")}
    assert not {"created_at", "updated_at", "address", "channel"} & columns


def test_a_report_with_contact_keeps_the_pseudonym_and_survives_forgetting_the_user(db: Session) -> None:
    report = create_report(db, VAULT, categories=["hours"], anonymous=False, user_id="we-reporter", language="ro")
    db.commit()
    assert report.user_id == "we-reporter" and report.language == "ro"
    assert [e.action for e in report.events] == ["created"]
    db.delete(db.get(User, "we-reporter"))
    db.commit()
    db.expire_all()
    assert db.get(Report, report.id).user_id is None  # ON DELETE SET NULL


def test_status_changes_are_audited_and_shown_to_the_reporter(db: Session) -> None:
    report = create_report(db, VAULT, categories=["wages"])
    assert status_for_user(db, report.code) == ReportStatus.NEW
    change_status(db, report, ReportStatus.IN_PROGRESS, "anna", note="called the agency", vault=VAULT)
    change_status(db, report, "referred_labour_authority", "anna")
    db.commit()
    assert status_for_user(db, report.code.replace("-", "").lower()) == ReportStatus.REFERRED_LABOUR_AUTHORITY
    events = db.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id).order_by(ReportEvent.id)).all()
    assert [(e.actor, e.from_status, e.to_status) for e in events] == [
        ("anna", "new", "in_progress"), ("anna", "in_progress", "referred_labour_authority")]
    assert "agency" not in (events[0].note_encrypted or "")
    assert VAULT.decrypt(events[0].note_encrypted or "") == "called the agency"
    assert status_for_user(db, "ZZZ-9999") is None
    with pytest.raises(ValueError):
        change_status(db, report, "lost", "anna")


def test_list_filters_by_region_status_and_category_urgent_first(db: Session) -> None:
    a = create_report(db, VAULT, categories=["wages"], region="Noord-Limburg")
    b = create_report(db, VAULT, categories=["violence", "housing"], region="Noord-Limburg")
    c = create_report(db, VAULT, categories=["housing"])
    change_status(db, a, ReportStatus.CLOSED, "anna")
    db.commit()
    assert [r.code for r in list_reports(db, region="Noord-Limburg")] == [b.code, a.code]
    assert [r.code for r in list_reports(db, region=NATIONAL)] == [c.code]
    assert {r.code for r in list_reports(db, category="housing")} == {b.code, c.code}
    assert [r.code for r in list_reports(db, status="closed")] == [a.code]
    assert len(list_reports(db, limit=1, offset=1)) == 1
    assert count_by_category(db)["housing"] == 2


def test_csv_export_has_the_reports_words_but_no_pseudonym(db: Session) -> None:
    create_report(db, VAULT, categories=["wages"], region="Noord-Limburg", description="=HYPERLINK(\"x\")",
                  anonymous=False, user_id="we-reporter", language="pl")
    create_report(db, VAULT, categories=["hours"], region="Twente", description="elsewhere")
    db.commit()
    out = io.StringIO()
    assert export_csv(db, VAULT, "Noord-Limburg", out) == 1
    exported = out.getvalue()
    assert "we-reporter" not in exported and "elsewhere" not in exported
    assert "'=HYPERLINK" in exported  # not a formula when opened in a spreadsheet
    assert exported.splitlines()[0].startswith("code,created_on,region,categories,status")


def test_forget_messages_removes_what_carried_the_report(db: Session) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    older = InboundMessage(user_id="we-reporter", channel="web", text_encrypted=VAULT.encrypt("hello"),
                           received_at=start - dt.timedelta(hours=1))
    answers = [InboundMessage(user_id="we-reporter", channel="web", text_encrypted=VAULT.encrypt(t))
               for t in ("Venlo", REPORTED_STORY, "status K7M-4QX2")]
    db.add_all([older, *answers])
    db.flush()
    assert forget_messages(db, VAULT, "we-reporter", start, only_containing="K7M-4QX2") == 1
    assert forget_messages(db, VAULT, "we-reporter", start) == 2
    assert [VAULT.decrypt(m.text_encrypted) for m in db.scalars(select(InboundMessage))] == ["hello"]


@pytest.mark.parametrize("text", ["Бият ме и ме заплашват", "szef mnie pobił", "m-au bătut", "погрожують ножем",
                                  "ze hebben me geslagen", "they threaten to kill me", "zaplashvat me"])
def test_danger_words_in_six_languages(text: str) -> None:
    assert has_danger_words(text)


@pytest.mark.parametrize("text", ["szef mnie lubi", "nu am primit salariul", "te veel uren", "mesaj", "ubisoft"])
def test_no_danger_in_ordinary_complaints(text: str) -> None:
    assert not has_danger_words(text)
