"""The report_abuse form, run on trackers against a real (SQLite) database, in all six languages.

``FormDriver`` plays Rasa's part of the form (fill the requested slot, run the validation, ask the next empty
slot, run action_report_submit when it ends) so the actions' own logic is tested without a model; the stack tests
(tests/stack/test_reports.py) run the same conversations through the real Rasa.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.base
import actions.reports
from actions.basics import ActionFallback, ActionOutOfScope
from actions.reports import (
    STEPS,
    STOP_PAYLOAD,
    ActionAskReportConsent,
    ActionAskReportContact,
    ActionAskReportDescription,
    ActionAskReportEmployer,
    ActionAskReportSince,
    ActionAskReportWhat,
    ActionAskReportWhere,
    ActionReportAbuse,
    ActionReportStatus,
    ActionReportSubmit,
    ValidateReportAbuseForm,
)
from core.content import report_messages as r
from core.db.migrate import upgrade
from core.db.models import InboundMessage, Report, ReportStatus, User
from core.i18n import LANGUAGES, gettext, use_locale
from core.privacy import Vault
from core.render import FORGET_IN_RASA_SINCE
from core.reports import change_status, texts

SENDER = "we-test-reporter"
KEY = "ab" * 32
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trackers"

ASKERS = {
    "report_what": ActionAskReportWhat(), "report_where": ActionAskReportWhere(),
    "report_employer": ActionAskReportEmployer(), "report_since": ActionAskReportSince(),
    "report_description": ActionAskReportDescription(), "report_contact": ActionAskReportContact(),
    "report_consent": ActionAskReportConsent(),
}

#: What a user in each language writes at the free-text steps: place, employer, since, description, "cancel".
ANSWERS = {
    "pl": ("Venlo", "Agencja Flex Polska", "od marca", "Nie płacą za nadgodziny od trzech miesięcy.", "anuluj"),
    "ro": ("Breda", "Agenția Muncă Bună", "din ianuarie", "Nu ne plătesc orele suplimentare.", "anulează"),
    "bg": ("Тилбург", "Агенция Работа БГ", "от 2 седмици", "Не ни плащат извънредните часове.", "откажи"),
    "uk": ("Роттердам", "Агенція Праця", "з березня", "Не платять за понаднормові години.", "скасувати"),
    "en": ("5912 AB", "FlexWork BV", "since March", "They don't pay overtime for three months.", "cancel"),
    "nl": ("Venlo", "Uitzendbureau Snel", "sinds maart", "Ze betalen de overuren niet uit.", "stoppen"),
}


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WINBOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("WINBOT_ENCRYPTION_KEY", KEY)
    actions.base.sessions.cache_clear()
    actions.reports.vault.cache_clear()
    upgrade(url)
    with actions.base.sessions()() as db:
        db.add(User(id=SENDER, channel="web"))  # the router creates the user before Rasa sees a message
        db.commit()
    yield actions.base.sessions()
    actions.base.sessions.cache_clear()
    actions.reports.vault.cache_clear()


def vault() -> Vault:
    return Vault(bytes.fromhex(KEY))


def choice(value: str) -> str:
    return f'/report_abuse{{"report_choice":"{value}"}}'


def parse(text: str, language: str, intent: str = "report_abuse", confidence: float = 0.9,
          entities: dict | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"language": language, "channel": "web", "first_contact": False,
                                "entities": entities or {}}
    found = []
    if text.startswith("/"):
        name, _, body = text[1:].partition("{")
        intent, confidence = name, 1.0
        found = [{"entity": k, "value": v} for k, v in json.loads("{" + body).items()] if body else []
    else:
        metadata["original_text"] = text
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": found,
            "intent_ranking": [{"name": intent, "confidence": confidence}], "metadata": metadata}


class FormDriver:
    """Rasa's side of the form, for tests: slots, the requested slot, and the events with timestamps."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.slots: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.messages: list[dict] = []
        #: What the actions asked of the gateway (custom messages the user never sees).
        self.custom: list[dict] = []
        self.followup: str | None = None
        self.done = False

    def tracker(self, latest: dict) -> Tracker:
        return Tracker(SENDER, dict(self.slots), latest, list(self.events), False, None,
                       {"name": "report_abuse_form"} if not self.done else {}, "action_listen")

    async def run(self, action, latest: dict) -> list[dict]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self.tracker(latest), {})
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "followup":
                self.followup = event["name"]
        shown = [message for message in dispatcher.messages if not message.get("custom")]
        self.custom += [message["custom"] for message in dispatcher.messages if message.get("custom")]
        self.messages += shown
        return shown

    async def start(self, text: str, intent: str = "report_abuse") -> list[dict]:
        latest = parse(text, self.language, intent)
        self.events += [{"event": "user", "text": text, "parse_data": latest, "timestamp": time.time()},
                        {"event": "action", "name": "action_report_abuse", "timestamp": time.time()},
                        {"event": "active_loop", "name": "report_abuse_form", "timestamp": time.time()}]
        out = await self.run(ActionReportAbuse(), latest)
        return out + await self.ask_next(latest)

    async def ask_next(self, latest: dict) -> list[dict]:
        step = next((s for s in STEPS if self.slots.get(s) is None), None)
        if self.slots.get("report_cancelled") or step is None:
            self.slots["requested_slot"] = None
            self.done = True
            return await self.run(ActionReportSubmit(), latest)
        self.slots["requested_slot"] = step
        return await self.run(ASKERS[step], latest)

    async def say(self, text: str, intent: str = "report_abuse", confidence: float = 0.9,
                  entities: dict | None = None) -> list[dict]:
        assert not self.done
        latest = parse(text, self.language, intent, confidence, entities)
        self.events.append({"event": "user", "text": text, "parse_data": latest, "timestamp": time.time()})
        step = self.slots["requested_slot"]
        self.slots[step] = text  # from_text: every message fills the requested slot, the validation decides
        self.messages = []
        out = await self.run(ValidateReportAbuseForm(), latest)
        return out + await self.ask_next(latest)


def buttons(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def reports(database) -> list[Report]:
    with database() as db:
        return list(db.scalars(select(Report)))


def store_message(database, text: str) -> None:
    """What the router does before Rasa sees a message: keep it, encrypted, under the pseudonym."""
    with database() as db:
        db.add(InboundMessage(user_id=SENDER, channel="web", text_encrypted=vault().encrypt(text)))
        db.commit()


async def complete(form: FormDriver, database, contact: str) -> list[dict]:
    place, employer, since, description, _ = ANSWERS[form.language]
    await form.start("chcę zgłosić wyzysk")
    await form.say(choice("wages"))
    await form.say(choice("hours"))
    await form.say(choice("done"))
    for text in (place, employer, since, description):
        store_message(database, text)
        await form.say(text, intent="work_rights", entities={"city": place} if text == place else None)
    await form.say(choice(contact))
    return await form.say(choice("yes"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_complete_anonymous_report_in_every_language(database, language: str) -> None:
    form = FormDriver(language)
    confirmation = await complete(form, database, "anonymous")
    [report] = reports(database)
    place, employer, since, description, _ = ANSWERS[language]
    assert report.categories == "wages,hours" and report.anonymous and not report.urgent
    assert report.user_id is None and report.language is None
    stored = texts(report, vault())
    assert (stored.place, stored.employer, stored.since, stored.description) == (place, employer, since, description)
    with use_locale(language):
        assert confirmation[0]["text"] == gettext(r.CONFIRMED, code=report.code)
        assert confirmation[1]["text"] == gettext(r.CONFIRMED_ANONYMOUS)
        assert "0800 51 51" in confirmation[2]["text"] and gettext(r.REPORT_DIRECTLY.text).split("\n")[0] in \
            confirmation[2]["text"]
    assert f'/report_status{{"report_code":"{report.code}"}}' in buttons(confirmation)
    assert form.followup is None
    # Rasa's tracker store is told to drop the report's turns, from the message that started it.
    assert form.custom == [{FORGET_IN_RASA_SINCE: form.events[0]["timestamp"]}]
    # The chat messages that carried the report are gone: nothing ties it to the reporter.
    with database() as db:
        assert db.scalars(select(InboundMessage).where(InboundMessage.user_id == SENDER)).all() == []
    assert all(form.slots.get(s) is None for s in STEPS)


async def test_region_comes_from_the_place(database) -> None:
    form = FormDriver("en")
    await complete(form, database, "anonymous")
    [report] = reports(database)
    assert report.region == "Noord-Limburg"  # 5912 AB is Venlo


@pytest.mark.parametrize("language", LANGUAGES)
async def test_report_with_contact_keeps_the_pseudonym_and_the_messages(database, language: str) -> None:
    form = FormDriver(language)
    confirmation = await complete(form, database, "contact")
    [report] = reports(database)
    assert not report.anonymous and report.user_id == SENDER and report.language == language
    with use_locale(language):
        assert confirmation[1]["text"] == gettext(r.CONFIRMED_CONTACT)
    with database() as db:
        assert len(db.scalars(select(InboundMessage)).all()) == 4


@pytest.mark.parametrize("language", LANGUAGES)
async def test_cancel_typed_midway_stores_nothing(database, language: str) -> None:
    place, employer, _, _, cancel_word = ANSWERS[language]
    form = FormDriver(language)
    await form.start("report")
    await form.say(choice("housing"))
    await form.say(choice("done"))
    store_message(database, place)
    await form.say(place)
    store_message(database, employer)
    await form.say(employer)
    out = await form.say(cancel_word, intent="out_of_scope")
    assert reports(database) == []
    with use_locale(language):
        assert out[0]["text"] == gettext(r.CANCELLED)
    with database() as db:
        assert db.scalars(select(InboundMessage)).all() == [], "not even the answers are kept"
    assert form.custom == [{FORGET_IN_RASA_SINCE: form.events[0]["timestamp"]}], "nor Rasa's copy of them"
    assert all(form.slots.get(s) is None for s in STEPS) and form.slots.get("report_cancelled") is None


@pytest.mark.parametrize("text", [choice("cancel"), STOP_PAYLOAD, '/greet{"menu":"1"}', "STOP!"])
async def test_cancel_button_stop_word_or_another_button_ends_the_form(database, text: str) -> None:
    form = FormDriver("en")
    await form.start("report")
    out = await form.say(text)
    assert form.done and reports(database) == []
    with use_locale("en"):
        assert out[0]["text"] == gettext(r.CANCELLED)


async def test_every_step_can_be_skipped_and_refusing_consent_stores_nothing(database) -> None:
    form = FormDriver("ro")
    asked = await form.start("vreau sa raportez")
    with use_locale("ro"):
        skip = gettext(r.BUTTON_SKIP)
    assert choice("skip") in buttons(asked) and choice("cancel") in buttons(asked)
    assert any(b["title"] == skip for m in asked for b in m["buttons"])
    for _ in range(4):
        await form.say(choice("skip"))
    await form.say("sari")  # typed "skip" in Romanian
    await form.say(choice("skip"))  # contact: anonymous
    assert form.slots["report_contact"] == "anonymous"
    out = await form.say(choice("no"))
    assert reports(database) == []
    with use_locale("ro"):
        assert out[0]["text"] == gettext(r.NOT_SENT)


async def test_skipped_steps_store_nothing_but_the_report_is_made(database) -> None:
    form = FormDriver("bg")
    await form.start("сигнал")
    for _ in range(6):
        await form.say(choice("skip"))
    await form.say("да")
    [report] = reports(database)
    assert report.categories == "" and report.anonymous
    assert texts(report, vault()).description is None and report.region is None


async def test_categories_accumulate_and_are_shown_in_the_users_language(database) -> None:
    form = FormDriver("uk")
    await form.start("хочу поскаржитися")
    out = await form.say(choice("housing"))
    assert form.slots["report_categories"] == ["housing"] and form.slots["requested_slot"] == "report_what"
    with use_locale("uk"):
        assert out[0]["text"] == gettext(r.ASK_WHAT_MORE, categories=gettext(r.CATEGORY_LABELS["housing"]))
    assert choice("done") in buttons(out) and choice("housing") not in buttons(out)


async def test_words_instead_of_buttons_are_kept_as_the_description(database) -> None:
    form = FormDriver("pl")
    await form.start("zgłoszenie")
    await form.say("mieszkamy w 10 osób w jednym pokoju")
    assert form.slots["requested_slot"] == "report_where"
    for _ in range(4):
        await form.say(choice("skip"))
    await form.say("anonimowo")
    await form.say("tak")
    [report] = reports(database)
    assert report.categories == "other"
    assert texts(report, vault()).description == "mieszkamy w 10 osób w jednym pokoju"


async def test_an_unclear_answer_to_a_button_question_asks_again(database) -> None:
    form = FormDriver("en")
    await form.start("report")
    for _ in range(5):
        await form.say(choice("skip"))
    out = await form.say("hmm what")
    assert form.slots["requested_slot"] == "report_contact"
    with use_locale("en"):
        assert out[0]["text"] == gettext(r.PRESS_A_BUTTON) and out[1]["text"] == gettext(r.ASK_CONTACT)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_danger_puts_112_first_and_hands_off_urgently(database, language: str) -> None:
    form = FormDriver(language)
    await form.start("report")
    out = await form.say(choice("violence"))
    assert out[0]["text"].split("\n")[0].count("112") == 1, "112 at once, in the first line"
    assert form.slots["report_danger"] is True
    await form.say(choice("done"))
    for _ in range(4):
        await form.say(choice("skip"))
    await form.say(choice("anonymous"))
    confirmation = await form.say(choice("yes"))
    [report] = reports(database)
    assert report.urgent
    assert "112" in confirmation[0]["text"].split("\n")[0]
    with use_locale(language):
        assert confirmation[-1]["text"] == gettext(r.URGENT_HANDOFF)
    assert form.slots["handoff_urgent"] is True and form.followup == "action_human_handoff"


async def test_danger_in_the_description_or_the_first_message(database) -> None:
    form = FormDriver("uk")
    first = await form.start("мене б'ють на роботі і погрожують")
    assert "112" in first[0]["text"].split("\n")[0] and form.slots["report_danger"] is True

    form = FormDriver("nl")
    await form.start("ik wil iets melden")
    for _ in range(4):
        await form.say(choice("skip"))
    out = await form.say("help, mijn collega is gewond", intent="emergency", confidence=0.95)
    assert "112" in out[0]["text"].split("\n")[0]


async def test_cancelling_in_danger_still_gives_112_first(database) -> None:
    form = FormDriver("pl")
    await form.start("report")
    await form.say(choice("papers"))
    out = await form.say("anuluj")
    assert "112" in out[0]["text"].split("\n")[0] and reports(database) == []
    assert form.followup is None


# --- status by code ---------------------------------------------------------------------------------------------


def load(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


async def run(action, trk: Tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, trk, {})
    return dispatcher.messages


def make_report(database, code: str, status: ReportStatus, anonymous: bool = True) -> None:
    with database() as db:
        report = Report(code=code, categories="wages", anonymous=anonymous, status=ReportStatus.NEW,
                        urgent=False, created_on=dt.date(2026, 12, 1), user_id=None if anonymous else SENDER)
        db.add(report)
        db.flush()
        if status != ReportStatus.NEW:
            change_status(db, report, status, "anna")
        db.commit()


async def test_status_by_code_in_free_text(database) -> None:
    make_report(database, "K7M-4QX2", ReportStatus.REFERRED_MUNICIPALITY)
    store_message(database, "статус на сигнал k7m-4qx2")
    messages = await run(ActionReportStatus(), load("bg_report_status"))
    with use_locale("bg"):
        assert messages[0]["text"] == gettext(r.STATUS_LINE, code="K7M-4QX2",
                                              status=gettext(r.STATUS_REFERRED_MUNICIPALITY))
    assert messages[1]["text"].split("\n")[0].count("112") == 1
    assert "CoMensha" in messages[1]["text"] and "fairwork.nu" in messages[1]["text"]
    assert "https://www.comensha.nl/" in messages[1]["text"]
    with database() as db:  # asking from the chat must not tie the anonymous report to the asker
        assert db.scalars(select(InboundMessage)).all() == []
    tracker = load("bg_report_status")
    asked_at = [e["timestamp"] for e in tracker.events if e["event"] == "user"][-1]
    assert messages[-1]["custom"] == {FORGET_IN_RASA_SINCE: asked_at}  # nor Rasa's copy of the question


@pytest.mark.parametrize("language", LANGUAGES)
async def test_status_button_and_unknown_code_in_every_language(database, language: str) -> None:
    make_report(database, "9FD-7HK3", ReportStatus.IN_PROGRESS, anonymous=False)
    form = FormDriver(language)
    messages = await form.run(ActionReportStatus(), parse('/report_status{"report_code":"9FD-7HK3"}', language))
    with use_locale(language):
        assert messages[0]["text"] == gettext(r.STATUS_LINE, code="9FD-7HK3", status=gettext(r.STATUS_IN_PROGRESS))
    messages = await form.run(ActionReportStatus(), parse("status ZZZ-2222", language, "report_status"))
    with use_locale(language):
        assert messages[0]["text"] == gettext(r.STATUS_UNKNOWN, code="ZZZ-2222")
    messages = await form.run(ActionReportStatus(), parse("status?", language, "report_status"))
    with use_locale(language):
        assert messages[0]["text"] == gettext(r.STATUS_ASK_CODE)


async def test_a_bare_code_the_model_did_not_understand_still_gets_its_status(database) -> None:
    make_report(database, "RR5-2MVB", ReportStatus.CLOSED)
    form = FormDriver("ro")
    messages = await form.run(ActionFallback(), parse("RR5-2MVB", "ro", "nlu_fallback", 0.2))
    with use_locale("ro"):
        assert messages[0]["text"] == gettext(r.STATUS_LINE, code="RR5-2MVB", status=gettext(r.STATUS_CLOSED))
    messages = await form.run(ActionOutOfScope(), parse("мій код rr5-2mvb", "uk", "out_of_scope", 0.45))
    with use_locale("uk"):
        assert messages[0]["text"] == gettext(r.STATUS_LINE, code="RR5-2MVB", status=gettext(r.STATUS_CLOSED))
