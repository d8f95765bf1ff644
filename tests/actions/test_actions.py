"""Actions run on tracker fixtures (tests/fixtures/trackers/*.json) with a CollectingDispatcher."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.basics import ActionChangeLanguage, ActionFallback, ActionGreet
from actions.help import ActionEmergency
from actions.information import ActionTopicAnswer
from actions.reports import ActionReportAbuse
from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.content.topics import TOPICS
from core.i18n import gettext, use_locale
from core.render import render_answer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trackers"


def load(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


async def run(action, name: str) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, load(name), {})
    return dispatcher.messages, events


def payloads(message: dict) -> list[str]:
    return [b["payload"] for b in message.get("buttons") or []]


async def test_first_greeting_has_privacy_notice_language_picker_and_menu_in_polish() -> None:
    messages, events = await run(ActionGreet(), "pl_first_greeting")
    assert events == []
    assert len(messages) == 4
    assert "Work in NL" in messages[0]["text"] and "Cześć" in messages[0]["text"]
    assert "BSN" in messages[1]["text"]  # the privacy notice asks not to send BSN numbers
    assert '/change_language{"language":"uk"}' in payloads(messages[2])
    assert "/brp_registration" in payloads(messages[3]) and "/human_handoff" in payloads(messages[3])


async def test_menu_button_shows_only_the_menu() -> None:
    messages, _ = await run(ActionGreet(), "ro_menu_button")
    assert len(messages) == 1
    assert "/housing_rights" in payloads(messages[0])


async def test_topic_answer_picks_the_sub_question_and_cites_its_source() -> None:
    messages, _ = await run(ActionTopicAnswer(), "en_deductible")
    answer = messages[0]["text"]
    assert "€385" in answer
    assert "Source: [Zilveren Kruis](https://" in answer and "Last checked: 29 November 2026" in answer
    follow_up = payloads(messages[1])
    assert '/health_insurance{"subtopic":"health_insurance/deductible"}' not in follow_up
    assert '/health_insurance{"subtopic":"health_insurance/allowance"}' in follow_up


async def test_vague_topic_question_offers_the_sub_questions_in_ukrainian() -> None:
    messages, _ = await run(ActionTopicAnswer(), "uk_housing_vague")
    assert len(messages) == 1
    assert len(payloads(messages[0])) == len(TOPICS["housing_rights"].answers) + 1  # the sub-questions and the menu
    with use_locale("uk"):
        assert messages[0]["text"] == gettext(TOPICS["housing_rights"].question)
    assert re.search("[а-яіїє]", messages[0]["text"])


async def test_two_close_sub_questions_are_offered_as_two_buttons_in_ukrainian() -> None:
    messages, _ = await run(ActionTopicAnswer(), "uk_housing_two_close")
    assert len(messages) == 1
    assert payloads(messages[0]) == [
        '/housing_rights{"subtopic":"housing_rights/job_loss"}',
        '/housing_rights{"subtopic":"housing_rights/rent_deduction"}',
        "/housing_rights",  # "something else": the topic's whole list
        '/greet{"menu":"1"}',
    ]
    with use_locale("uk"):
        assert messages[0]["text"] == gettext(m.WHICH_OF_TWO)
        assert messages[0]["buttons"][2]["title"] == gettext(m.BUTTON_OTHER_QUESTIONS)


async def test_sub_question_button_answers_in_dutch() -> None:
    messages, _ = await run(ActionTopicAnswer(), "nl_subtopic_button")
    assert "loonstrook" in messages[0]["text"].lower()
    assert "Laatst gecontroleerd" in messages[0]["text"] or "gecontroleerd" in messages[0]["text"]


async def test_emergency_gives_112_first() -> None:
    messages, _ = await run(ActionEmergency(), "bg_emergency")
    assert messages[0]["text"].lstrip().split("\n")[0].count("112") == 1


async def test_change_language_from_free_text_sets_and_confirms_in_the_new_language() -> None:
    messages, _ = await run(ActionChangeLanguage(), "en_ask_polish")
    assert messages[0]["custom"] == {"set_language": "pl"}
    assert "polsku" in messages[1]["text"]


async def test_change_language_without_a_name_offers_the_picker() -> None:
    messages, _ = await run(ActionChangeLanguage(), "en_which_language")
    assert len(payloads(messages[0])) == 6


@pytest.mark.parametrize(("fixture", "expected"), [("pl_fallback_first", 4), ("pl_fallback_second", 10)])
async def test_two_stage_fallback(fixture: str, expected: int) -> None:
    messages, _ = await run(ActionFallback(), fixture)
    buttons = payloads(messages[0])
    assert len(buttons) == expected
    if fixture == "pl_fallback_first":
        # likely topics first (small talk is never offered), then Emergency and the menu
        assert buttons == ["/brp_registration", "/work_rights", "/emergency", '/greet{"menu":"1"}']
    assert "112" in messages[0]["text"].splitlines()[-1]


async def test_report_abuse_answers_the_passport_question_and_offers_the_others_in_romanian() -> None:
    messages, _ = await run(ActionReportAbuse(), "ro_passport_taken")
    with use_locale("ro"):
        assert messages[0]["text"] == render_answer(ALL_ANSWERS["report_abuse/passport"])
        assert len(messages) >= 2  # then the report form begins (actions/reports.py)


async def test_child_benefit_is_answered_in_ukrainian_with_its_period_and_sources() -> None:
    messages, _ = await run(ActionTopicAnswer(), "uk_child_benefit")
    answer = messages[0]["text"]
    assert "kinderbijslag" in answer and "SVB" in answer
    assert "Джерело: [SVB](https://www.svb.nl/" in answer
    assert "Востаннє перевірено: 6 грудня 2026" in answer
    follow_up = payloads(messages[1])
    assert '/benefits_tax{"subtopic":"benefits_tax/tax_return"}' in follow_up
