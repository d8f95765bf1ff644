"""Reporting abuse through POST /api/chat against the running stack (real Rasa form), in all six languages.

After an anonymous report (and a status question with its code) every table of the stack's database is searched,
decrypted where encrypted, Rasa's tracker store (``events``, or var/rasa-tracker.db on SQLite) and the services'
logs included, for the sender's pseudonym and raw sender id: nothing that names the reporter holds anything of the
report, and Rasa keeps no copy of the report at all. The conversation then goes on: the next question is understood.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url

from core.content import help_messages as h
from core.content import report_messages as r
from core.db.models import Report
from core.db.session import make_engine, make_session_factory
from core.i18n import gettext, use_locale
from core.privacy import Vault, pseudonym
from core.reports import texts
from core.settings import Settings
from tests.conftest import Stack
from tests.stack.test_conversations import CONVERSATIONS

pytestmark = pytest.mark.stack

#: language -> (a report as people write it, place, employer, since, description, cancel word, "status")
TALK = {
    "pl": ("szef nie zaplacil mi za ostatni miesiac", "Venlo", "Agencja Flex Polska", "od marca",
           "Nie placa za nadgodziny, mieszkamy w 8 osob w pokoju.", "anuluj", "status"),
    "ro": ("Vreau să reclam agenția, nu mi-au plătit salariul de 2 luni", "Breda", "Agentia Munca Buna",
           "din ianuarie", "Nu ne platesc orele suplimentare de trei luni.", "anulează", "status"),
    "bg": ("Искам да подам сигнал срещу агенцията", "Тилбург", "Агенция Работа БГ", "от 2 седмици",
           "Не ни плащат извънредните часове вече три месеца.", "откажи", "статус"),
    "uk": ("хочу поскаржитися на агенцию, не заплатили зарплату за мисяць", "Роттердам", "Агенція Праця",
           "з березня", "Не платять за понаднормові години вже три місяці.", "скасувати", "статус"),
    "en": ("my boss not pay my salary for 2 months", "5912 AB", "FlexWork BV", "since March",
           "They have not paid our overtime for three months.", "cancel", "status"),
    "nl": ("uitzendbureau heeft mijn loon gestolen", "Venlo", "Uitzendbureau Snel", "sinds maart",
           "Ze betalen de overuren al drie maanden niet uit.", "stoppen", "status"),
}
CODE = re.compile(r"\b([2-9A-Z]{3}-[2-9A-Z]{4})\b")


def choice(value: str) -> str:
    return f'/report_abuse{{"report_choice":"{value}"}}'


def post(url: str, sender: str, text: str, **extra: Any) -> dict:
    response = httpx.post(f"{url}/api/chat", json={"sender": sender, "text": text, **extra}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def texts_of(reply: dict) -> list[str]:
    return [m["text"] for m in reply["messages"]]


def payloads(reply: dict) -> list[str]:
    return [b["payload"] for m in reply["messages"] for b in m["buttons"]]


@pytest.fixture(scope="module")
def app(stack: Stack) -> Iterator[tuple[Any, Settings]]:
    settings = Settings.from_env(stack.env)
    engine = make_engine(settings.database_url)
    yield make_session_factory(engine), settings
    engine.dispose()


def start_report(url: str, sender: str, language: str) -> None:
    post(url, sender, "/start", language_hint=language)
    first = post(url, sender, TALK[language][0])
    assert first["language"] == language
    with use_locale(language):
        assert gettext(r.INTRO) in texts_of(first), first
        assert gettext(r.ASK_WHAT) in texts_of(first)
    assert choice("wages") in payloads(first) and choice("cancel") in payloads(first)


def finish_report(url: str, sender: str, language: str, contact: str, description: str) -> tuple[str, dict]:
    _, place, employer, since, _, _, _ = TALK[language]
    assert choice("done") in payloads(post(url, sender, choice("wages")))
    post(url, sender, choice("hours"))
    where = post(url, sender, choice("done"))
    with use_locale(language):
        assert texts_of(where)[-1] == gettext(r.ASK_WHERE)
        for answer, next_question in ((place, r.ASK_EMPLOYER), (employer, r.ASK_SINCE), (since, r.ASK_DESCRIPTION),
                                      (description, r.ASK_CONTACT)):
            reply = post(url, sender, answer)
            assert texts_of(reply)[-1] == gettext(next_question), (answer, reply)
        assert texts_of(post(url, sender, choice(contact)))[-1] == gettext(r.ASK_CONSENT)
    done = post(url, sender, choice("yes"))
    match = CODE.search(done["messages"][0]["text"])
    assert match, done
    return match.group(1), done


@pytest.mark.parametrize("language", list(TALK))
def test_an_anonymous_report_leaves_nothing_that_links_it_to_the_reporter(stack: Stack, app, language: str) -> None:
    sessions, settings = app
    sender = f"webchat-{secrets.token_hex(12)}"
    start_report(stack.url, sender, language)
    token = f"~{secrets.token_hex(6)}~"  # "~" is in no hex or base64 text: matches only this report
    description = f"{TALK[language][4]} {token}"
    code, done = finish_report(stack.url, sender, language, "anonymous", description)
    with use_locale(language):
        assert texts_of(done)[:2] == [gettext(r.CONFIRMED, code=code), gettext(r.CONFIRMED_ANONYMOUS)]
    _, place, employer, since, _, _, _ = TALK[language]
    with sessions() as db:
        report = db.scalar(select(Report).where(Report.code == code))
        assert report is not None and report.anonymous and report.categories == "wages,hours"
        stored = texts(report, Vault(settings.encryption_key))
        assert (stored.place, stored.employer, stored.since, stored.description) == (
            place, employer, since, description)
        if language in ("pl", "en", "nl"):
            assert report.region == "Noord-Limburg"  # Venlo, 5912 AB

    user_id = pseudonym(settings.pseudonym_key, "web", sender)
    rows = everything(settings)
    naming_the_user = [(table, row) for table, row in rows if user_id in row or sender in row]
    assert naming_the_user, "the search must find the user's own rows (users, channel_addresses)"
    for table, row in naming_the_user:
        assert table not in ("reports", "report_events"), row
        for secret in (code, code.replace("-", ""), description, employer, since):
            assert secret not in row, f"{table} ties the report to the reporter: {row}"
    for table, row in rows:
        if description in row:
            assert table == "reports", f"the report text is also in {table}"

    status = post(stack.url, sender, f"{TALK[language][6]} {code.lower()}")
    with use_locale(language):
        assert texts_of(status)[0] == gettext(r.STATUS_LINE, code=code, status=gettext(r.STATUS_NEW))
    assert texts_of(status)[1].split("\n")[0].count("112") == 1

    # Rasa's copy of the conversation too: neither the report's answers nor its code are kept by anyone.
    # The token is ASCII: Rasa stores events as JSON with non-ASCII letters escaped.
    secrets_of_the_report = (code, code.lower(), token, description, employer, since, TALK[language][4])
    rows = everything(settings)
    for table, row in rows:
        if user_id in row or sender in row:
            assert not any(secret in row for secret in secrets_of_the_report), f"{table} ties the report: {row}"
        elif table != "reports":
            assert token not in row and code not in row, f"{table} keeps the report: {row}"
    assert any(table == "events" and user_id in row for table, row in rows) == is_postgres(settings), \
        "the search must see Rasa's events of this conversation (the greeting before the report)"
    for name, raw in raw_files(stack, settings):  # SQLite tracker store, the services' logs
        for secret in (code, token, employer):
            assert secret.encode() not in raw, f"{name} holds {secret!r}"

    # The assistant still understands the next question (Rasa goes on from the turns before the report).
    question, intent_payload, _ = CONVERSATIONS[language]
    answer = post(stack.url, sender, question)
    assert answer["language"] == language
    assert any(p.startswith(intent_payload) for p in payloads(answer)), answer
    # And the code still gives the status.
    again = post(stack.url, sender, code)
    with use_locale(language):
        assert texts_of(again)[0] == gettext(r.STATUS_LINE, code=code, status=gettext(r.STATUS_NEW))


def is_postgres(settings: Settings) -> bool:
    return make_url(settings.database_url).get_backend_name() == "postgresql"


def raw_files(stack: Stack, settings: Settings) -> list[tuple[str, bytes]]:
    """The bytes of Rasa's SQLite tracker store (the default without PostgreSQL) and of every service's log."""
    var_dir = Path(stack.env.get("WINBOT_VAR_DIR") or settings.var_dir)
    paths = [*sorted((var_dir / "logs").glob("*.log")), var_dir / "supervisor.log"]
    if not is_postgres(settings):
        tracker = var_dir / "rasa-tracker.db"
        paths += [tracker, tracker.with_name(tracker.name + "-wal"), tracker.with_name(tracker.name + "-journal")]
    return [(path.name, path.read_bytes()) for path in paths if path.exists()]


def everything(settings: Settings, decrypt: bool = True) -> list[tuple[str, str]]:
    """Every row of every table of the stack's database as one string, encrypted values decrypted (``decrypt``).
    On PostgreSQL that includes Rasa's tracker store (its ``events`` table)."""
    vault = Vault(settings.encryption_key)
    engine = make_engine(settings.database_url)
    meta = MetaData()
    meta.reflect(engine)
    found = []
    with engine.connect() as connection:
        for table in meta.sorted_tables:
            for row in connection.execute(table.select()):
                values = []
                for value in row:
                    text = "" if value is None else str(value)
                    if decrypt and text.startswith("gAAAAA"):
                        with contextlib.suppress(ValueError):
                            text = vault.decrypt(text)
                    values.append(text)
                found.append((table.name, " | ".join(values)))
    engine.dispose()
    return found


@pytest.mark.parametrize("language", list(TALK))
def test_a_report_with_contact_keeps_the_pseudonym(stack: Stack, app, language: str) -> None:
    sessions, settings = app
    sender = f"webchat-{secrets.token_hex(12)}"
    start_report(stack.url, sender, language)
    code, done = finish_report(stack.url, sender, language, "contact", TALK[language][4])
    with use_locale(language):
        assert texts_of(done)[1] == gettext(r.CONFIRMED_CONTACT)
    with sessions() as db:
        report = db.scalar(select(Report).where(Report.code == code))
        assert report is not None and not report.anonymous
        assert report.user_id == pseudonym(settings.pseudonym_key, "web", sender) and report.language == language
    status = post(stack.url, sender, next(p for p in payloads(done) if p.startswith("/report_status")))
    with use_locale(language):
        assert texts_of(status)[0] == gettext(r.STATUS_LINE, code=code, status=gettext(r.STATUS_NEW))
    bare = post(stack.url, sender, code.lower())  # just the code, as people paste it
    with use_locale(language):
        assert texts_of(bare)[0] == gettext(r.STATUS_LINE, code=code, status=gettext(r.STATUS_NEW))


@pytest.mark.parametrize("language", list(TALK))
def test_cancel_midway_stores_nothing(stack: Stack, app, language: str) -> None:
    sessions, settings = app
    sender = f"webchat-{secrets.token_hex(12)}"
    with sessions() as db:
        before = len(db.scalars(select(Report)).all())
    start_report(stack.url, sender, language)
    post(stack.url, sender, choice("housing"))
    post(stack.url, sender, choice("done"))
    post(stack.url, sender, TALK[language][1])
    reply = post(stack.url, sender, TALK[language][5])
    with use_locale(language):
        assert texts_of(reply)[0] == gettext(r.CANCELLED), reply
    with sessions() as db:
        assert len(db.scalars(select(Report)).all()) == before
    user_id = pseudonym(settings.pseudonym_key, "web", sender)
    kept = [row for table, row in everything(settings) if table == "inbound_messages" and user_id in row]
    assert all(TALK[language][1] not in row and TALK[language][0] not in row for row in kept), kept
    # The form is over: the assistant answers questions again.
    after = post(stack.url, sender, "/greet{\"menu\":\"1\"}")
    assert "/brp_registration" in payloads(after)


def test_stop_cancels_the_form_and_still_unsubscribes_outside_it(stack: Stack) -> None:
    sender = f"webchat-{secrets.token_hex(12)}"
    start_report(stack.url, sender, "nl")
    reply = post(stack.url, sender, "stop")
    with use_locale("nl"):
        assert texts_of(reply)[0] == gettext(r.CANCELLED)
    again = post(stack.url, sender, "stop")  # outside the form: no more announcements, as before
    with use_locale("nl"):
        assert texts_of(again)[0] == gettext(h.NOT_SUBSCRIBED)


def test_danger_sign_gives_112_first_and_an_urgent_handoff(stack: Stack, app) -> None:
    sessions, _ = app
    sender = f"webchat-{secrets.token_hex(12)}"
    start_report(stack.url, sender, "ro")
    danger = post(stack.url, sender, choice("violence"))
    assert "112" in danger["messages"][0]["text"].split("\n")[0]
    post(stack.url, sender, choice("done"))
    for _ in range(4):
        post(stack.url, sender, choice("skip"))
    post(stack.url, sender, choice("anonymous"))
    done = post(stack.url, sender, choice("yes"))
    assert "112" in done["messages"][0]["text"].split("\n")[0]
    code = CODE.search(" ".join(texts_of(done)))
    assert code
    with use_locale("ro"):
        assert gettext(r.URGENT_HANDOFF) in texts_of(done)
    with sessions() as db:
        report = db.scalar(select(Report).where(Report.code == code.group(1)))
        assert report is not None and report.urgent


def test_encryption_at_rest_raw_database_holds_no_report_text(stack: Stack, app) -> None:
    _, settings = app
    sender = f"webchat-{secrets.token_hex(12)}"
    start_report(stack.url, sender, "en")
    finish_report(stack.url, sender, "en", "contact", TALK["en"][4])
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    else:  # PostgreSQL: every value of every app table as stored
        raw = "\n".join(row for _, row in everything(settings, decrypt=False)).encode()
    for secret in TALK["en"][2:5]:
        assert secret.encode() not in raw, secret
