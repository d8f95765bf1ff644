"""Actions of the safety layer (issue 10, item 3): every danger answer has 112 (or 113) in its first line, in
every language; chit-chat intents answer only chit-chat; the menu and the fallback always carry 112."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.basics import ActionFallback, ActionGoodbye, ActionGreet, ActionThanks
from actions.help import ActionEmergency
from core.content import messages as m
from core.content.emergency import DANGER_ANSWERS
from core.content.info import EMERGENCY
from core.i18n import LANGUAGES, gettext, use_locale
from core.render import danger_lines
from core.safety import KINDS


def tracker(text: str, intent: str, language: str = "en", *, entities: dict[str, str] | None = None,
            first_contact: bool = False, before: list[dict] | None = None,
            ranking: list[tuple[str, float]] | None = None) -> Tracker:
    """A tracker whose latest message is ``text`` (as the gateway sends it, original text in metadata)."""
    meta: dict[str, Any] = {"language": language, "channel": "web", "first_contact": first_contact, "entities": {}}
    if not text.startswith("/"):
        meta["original_text"] = text
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or [(intent, 0.9)]],
        "metadata": meta,
    }
    events = [
        {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
        {"event": "action", "name": "action_listen"}, *(before or []),
        {"event": "user", "text": text, "parse_data": message, "metadata": meta},
    ]
    return Tracker.from_dict({"sender_id": "we-0123456789abcdef", "slots": {}, "latest_message": message,
                              "events": events, "paused": False, "followup_action": None, "active_loop": {},
                              "latest_action_name": "action_listen"})


async def run(action, t: Tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return dispatcher.messages


def payloads(message: dict) -> list[str]:
    return [b["payload"] for b in message.get("buttons") or []]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
async def test_every_danger_answer_has_112_or_113_in_its_first_line(kind: str, language: str) -> None:
    messages = await run(ActionEmergency(), tracker(f'/emergency{{"danger":"{kind}"}}', "emergency", language,
                                                    entities={"danger": kind}))
    first_line = messages[0]["text"].splitlines()[0]
    if kind == "suicide":
        assert "113" in first_line and "0800-0113" in first_line and "112" in first_line
    else:
        assert "112" in first_line
    with use_locale(language):
        assert messages[0]["text"].startswith(gettext(DANGER_ANSWERS[kind].text).splitlines()[0])
    if language != "en":
        assert messages[0]["text"].splitlines()[0] != DANGER_ANSWERS[kind].text.splitlines()[0]  # translated
    assert payloads(messages[0])[-1] == '/greet{"menu":"1"}'


async def test_each_danger_gets_its_own_next_steps() -> None:
    answers = {}
    for kind in KINDS:
        messages = await run(ActionEmergency(), tracker("x", "emergency", entities={"danger": kind}))
        answers[kind] = payloads(messages[0])
    assert '/housing_rights{"subtopic":"housing_rights/job_loss"}' in answers["homeless"]
    assert "/human_handoff" in answers["homeless"] and "/human_handoff" in answers["suicide"]
    assert '/report_abuse{"subtopic":"report_abuse/signs"}' in answers["trapped"]
    # Someone hurt: urgent care, and what to do after an accident at work.
    assert answers["injured"][:2] == ['/health_insurance{"subtopic":"health_insurance/emergency_care"}',
                                      '/work_rights{"subtopic":"work_rights/accident"}']
    assert len({tuple(a) for a in answers.values()}) == len(KINDS)


async def test_an_emergency_without_a_known_kind_gets_the_general_answer() -> None:
    for entities in ({}, {"danger": "nonsense"}):
        messages = await run(ActionEmergency(), tracker("help now", "emergency", "nl", entities=entities))
        with use_locale("nl"):
            assert messages[0]["text"].startswith(gettext(EMERGENCY.text).splitlines()[0])
        assert "112" in messages[0]["text"].splitlines()[0]
        assert payloads(messages[0]) == ["/report_abuse", '/work_rights{"subtopic":"work_rights/accident"}',
                                         '/greet{"menu":"1"}']


async def test_on_a_first_contact_the_danger_answer_comes_before_the_greeting() -> None:
    t = tracker('/emergency{"danger":"suicide"}', "emergency", "bg", entities={"danger": "suicide"},
                first_contact=True)
    messages = await run(ActionEmergency(), t)
    assert "113" in messages[0]["text"].splitlines()[0]
    with use_locale("bg"):
        assert messages[1]["text"] == gettext(m.GREETING)


@pytest.mark.parametrize(("text", "language"), [
    ("nowhere to sleep tonight", "en"),
    ("nergens om te slapen vannacht", "nl"),
    ("the agency says I must leave the house on friday", "en"),
])
async def test_goodbye_does_not_swallow_a_message_about_something_else(text: str, language: str) -> None:
    ranking = [("goodbye", 0.92), ("housing_rights", 0.05), ("out_of_scope", 0.02)]
    messages = await run(ActionGoodbye(), tracker(text, "goodbye", language, ranking=ranking))
    with use_locale(language):
        assert all(msg["text"] != gettext(m.GOODBYE_REPLY) for msg in messages)
        assert messages[-1]["text"].startswith(gettext(m.FALLBACK_GUESS))
    assert payloads(messages[-1]) == ["/housing_rights", "/emergency", '/greet{"menu":"1"}']
    assert "112" in messages[-1]["text"].splitlines()[-1]


async def test_thanks_and_greetings_with_a_question_in_them_are_not_understood_yet() -> None:
    ranking = [("thanks", 0.6), ("work_rights", 0.3)]
    messages = await run(ActionThanks(), tracker("thanks, but when do I get my vakantiegeld?", "thanks",
                                                 ranking=ranking))
    assert payloads(messages[-1])[0] == "/work_rights"
    first = await run(ActionGreet(), tracker("dzień dobry, szef nie płaci mi od miesiąca", "greet", "pl",
                                             first_contact=True, ranking=[("greet", 0.7), ("report_abuse", 0.2)]))
    with use_locale("pl"):
        assert first[0]["text"] == gettext(m.GREETING)  # a new user still gets the welcome...
        assert first[-1]["text"].startswith(gettext(m.FALLBACK_GUESS))  # ...and the topics, not just "hi"
    assert payloads(first[-1])[0] == "/report_abuse"


@pytest.mark.parametrize(("action", "text", "language", "reply"), [
    (ActionGoodbye(), "ok bye, see you tomorrow", "en", m.GOODBYE_REPLY),
    (ActionGoodbye(), "dovizhdane", "bg", m.GOODBYE_REPLY),
    (ActionThanks(), "dziękuję bardzo!!", "pl", m.THANKS_REPLY),
    (ActionThanks(), "multumesc frumos", "ro", m.THANKS_REPLY),
    (ActionGreet(), "hello, is anyone there?", "en", m.GREETING),
    (ActionGreet(), "Привіт", "uk", m.GREETING),
    (ActionGreet(), "/greet", "nl", m.GREETING),
])
async def test_real_chit_chat_is_answered_as_such(action, text: str, language: str, reply: str) -> None:
    messages = await run(action, tracker(text, action.name().removeprefix("action_"), language))
    with use_locale(language):
        assert messages[0]["text"] == gettext(reply)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_main_menu_carries_the_112_line_and_an_emergency_button(language: str) -> None:
    messages = await run(ActionGreet(), tracker('/greet{"menu":"1"}', "greet", language, entities={"menu": "1"}))
    (menu,) = messages
    with use_locale(language):
        assert menu["text"].splitlines() == [gettext(m.MENU_QUESTION), gettext(m.EMERGENCY_LINE)]
    assert "112" in menu["text"] and "/emergency" in payloads(menu)


async def test_a_second_miss_after_a_swallowed_goodbye_shows_the_menu_with_112() -> None:
    swallowed = "ik moet morgen het huis uit, wat nu"
    earlier = [
        {"event": "user", "text": swallowed, "metadata": {"original_text": swallowed}},
        {"event": "action", "name": "action_goodbye"},
        {"event": "bot", "text": "..."},
        {"event": "action", "name": "action_listen"},
    ]
    messages = await run(ActionFallback(), tracker("???", "nlu_fallback", "nl", before=earlier,
                                                   ranking=[("nlu_fallback", 0.4), ("housing_rights", 0.2)]))
    with use_locale("nl"):
        person = gettext(m.FALLBACK_PERSON, button=gettext(m.BUTTON_PERSON))
        assert messages[0]["text"] == f"{gettext(m.FALLBACK_MENU)}\n{person}\n{gettext(m.EMERGENCY_LINE)}"
        assert '"Praat met een mens"' in person  # the button's own label, in the user's language
    assert "/emergency" in payloads(messages[0])
    # A person is offered first; asking for one is the user's choice (nobody is queued unasked).
    assert payloads(messages[0])[0] == "/human_handoff"


async def test_a_real_goodbye_before_does_not_count_as_a_miss() -> None:
    earlier = [
        {"event": "user", "text": "doei", "metadata": {"original_text": "doei"}},
        {"event": "action", "name": "action_goodbye"},
        {"event": "action", "name": "action_listen"},
    ]
    messages = await run(ActionFallback(), tracker("???", "nlu_fallback", "nl", before=earlier,
                                                   ranking=[("nlu_fallback", 0.4), ("housing_rights", 0.2)]))
    assert payloads(messages[0]) == ["/housing_rights", "/emergency", '/greet{"menu":"1"}']


# Danger said so indirectly that the word lists miss it and another intent wins: when `emergency` still has some
# weight, the ordinary answer comes with the 112 and 113 lines on top (actions/base.py).

def _possible_danger_tracker(language: str, emergency: float, *, text: str = "they keep us on the farm, is my pay "
                             "right?", after_user: list[dict] | None = None) -> Tracker:
    t = tracker(text, "work_rights", language, ranking=[("work_rights", 0.6), ("emergency", emergency)])
    t.events.extend(after_user or [])
    return t


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_answer_gets_the_112_and_113_lines_when_emergency_has_weight(language: str) -> None:
    from actions.information import ActionTopicAnswer

    messages = await run(ActionTopicAnswer(), _possible_danger_tracker(language, 0.25))
    with use_locale(language):
        assert messages[0]["text"] == danger_lines()
        assert messages[1]["text"] != danger_lines()  # then the answer itself
    first, second = messages[0]["text"].splitlines()
    assert "112" in first and "113" in second and "0800-0113" in second


async def test_no_extra_lines_below_the_threshold_for_buttons_or_an_emergency() -> None:
    from actions.base import POSSIBLE_DANGER_CONFIDENCE
    from actions.information import ActionTopicAnswer

    low = await run(ActionTopicAnswer(), _possible_danger_tracker("en", POSSIBLE_DANGER_CONFIDENCE - 0.01))
    assert all(msg["text"] != danger_lines() for msg in low)
    button = tracker('/work_rights{"subtopic":"work_rights/payslip"}', "work_rights",
                     ranking=[("work_rights", 0.7), ("emergency", 0.3)])
    assert all(msg["text"] != danger_lines() for msg in await run(ActionTopicAnswer(), button))
    emergency = tracker("help", "emergency", ranking=[("emergency", 0.7), ("work_rights", 0.3)])
    assert all(msg["text"] != danger_lines() for msg in await run(ActionEmergency(), emergency))
    # Unsure short messages spread weight on `emergency` too: a town's name, gibberish, an answer to a form.
    short = tracker("w Bredzie", "find_win_point", ranking=[("find_win_point", 0.4), ("emergency", 0.37)])
    assert all(msg["text"] != danger_lines() for msg in await run(ActionTopicAnswer(), short))
    gibberish = tracker("qwxz vbnm plkj", "nlu_fallback", ranking=[("nlu_fallback", 0.35), ("emergency", 0.3)])
    assert all(msg["text"] != danger_lines() for msg in await run(ActionFallback(), gibberish))
    in_form = _possible_danger_tracker("en", 0.3)
    in_form.active_loop = {"name": "report_abuse_form"}
    assert all(msg["text"] != danger_lines() for msg in await run(ActionTopicAnswer(), in_form))


async def test_the_lines_come_once_per_message_when_several_actions_answer_it() -> None:
    from actions.information import ActionTopicAnswer

    said = [{"event": "action", "name": "action_topic_answer"}, {"event": "bot", "text": danger_lines()}]
    messages = await run(ActionFallback(), _possible_danger_tracker("en", 0.3, after_user=said))
    assert all(msg["text"] != danger_lines() for msg in messages)
    assert (await run(ActionTopicAnswer(), _possible_danger_tracker("en", 0.3)))[0]["text"] == danger_lines()


async def test_a_danger_found_in_one_sentence_puts_the_lines_above_any_answer_but_the_emergency_one() -> None:
    from actions.information import ActionTopicAnswer

    flagged = tracker("payslip question. the foreman waits for me every night. when is holiday pay?", "nlu_fallback",
                      ranking=[("nlu_fallback", 0.35), ("work_rights", 0.3)])
    flagged.latest_message["metadata"]["danger_in_part"] = True
    messages = await run(ActionFallback(), flagged)
    assert messages[0]["text"] == danger_lines()
    assert (await run(ActionTopicAnswer(), flagged))[0]["text"] == danger_lines()
    emergency = tracker("help", "emergency", ranking=[("emergency", 0.9)])
    emergency.latest_message["metadata"]["danger_in_part"] = True
    assert all(msg["text"] != danger_lines() for msg in await run(ActionEmergency(), emergency))
