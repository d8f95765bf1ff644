"""Greeting, menu, goodbye, thanks, language, out of scope and the two-stage fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, metadata, send, user_text, welcome
from actions.help_points import subscribed_reply
from actions.reports import answer_status
from core.chitchat import is_chitchat
from core.content import help_messages as h
from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.i18n import LANGUAGES, gettext, use_locale
from core.language import requested_language
from core.locations import code_from_deep_link
from core.nlu_text import SEPARATOR
from core.render import (
    intent_button,
    language_buttons,
    menu_button,
    menu_buttons,
    render_answer,
    with_emergency_line,
)
from core.reports import find_code, get_by_code

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Intents worth offering when the model is unsure; small talk is never a useful guess.
_GUESSABLE = {
    "brp_registration", "housing_rights", "health_insurance", "work_rights", "benefits_tax",
    "report_abuse", "find_win_point", "mobile_team_visit", "human_handoff", "emergency", "change_language",
}
MAX_GUESSES = 3
#: A message this short with a report code in it asks for the report's status, even when no report has that code.
MAX_WORDS_AROUND_A_CODE = 3

#: The actions of the chit-chat intents: they answer only messages that are chit-chat (core/chitchat.py).
CHITCHAT_ACTIONS = frozenset({"action_greet", "action_goodbye", "action_thanks"})


def _only_chitchat(tracker: Tracker) -> bool:
    """Whether the user's message says only hello, thanks or bye; a payload ("/greet") always does."""
    return is_chitchat(user_text(tracker))


class ActionGreet(LocalisedAction):
    def name(self) -> str:
        return "action_greet"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if entity(tracker, "menu"):
            send(dispatcher, with_emergency_line(gettext(m.MENU_QUESTION)), menu_buttons())
            return
        if not _only_chitchat(tracker):
            # "Hi, ..." with more in it: the greeting intent must not swallow the question.
            if metadata(tracker).get("first_contact"):
                welcome(dispatcher)
            fallback(dispatcher, tracker)
            return
        send(dispatcher, gettext(m.GREETING))
        if metadata(tracker).get("first_contact"):
            send(dispatcher, gettext(m.PRIVACY_NOTICE))
            send(dispatcher, gettext(m.LANGUAGE_OFFER), language_buttons())
        link = metadata(tracker).get("deep_link")
        if link:
            # A QR code at a housing location: subscribe to its mobile-team announcements.
            code = code_from_deep_link(str(link))
            if code:
                subscribed_reply(dispatcher, db, tracker.sender_id, code)
            else:
                send(dispatcher, gettext(h.UNKNOWN_LOCATION_LINK))
            return
        send(dispatcher, with_emergency_line(gettext(m.MENU_QUESTION)), menu_buttons())


class ActionGoodbye(LocalisedAction):
    def name(self) -> str:
        return "action_goodbye"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if not _only_chitchat(tracker):
            fallback(dispatcher, tracker)  # "nowhere to sleep tonight" is no goodbye
            return
        send(dispatcher, gettext(m.GOODBYE_REPLY))


class ActionThanks(LocalisedAction):
    def name(self) -> str:
        return "action_thanks"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if not _only_chitchat(tracker):
            fallback(dispatcher, tracker)
            return
        send(dispatcher, gettext(m.THANKS_REPLY), [menu_button()])


class ActionChangeLanguage(LocalisedAction):
    """Switch to the language named by a button or in the text; otherwise ask which one."""

    def name(self) -> str:
        return "action_change_language"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        target = entity(tracker, "language") or requested_language(user_text(tracker))
        if target not in LANGUAGES:
            send(dispatcher, gettext(m.LANGUAGE_QUESTION), language_buttons())
            return
        # The gateway stores the choice; the confirmation is already in the new language.
        dispatcher.utter_message(json_message={"set_language": target})
        with use_locale(target):
            send(dispatcher, gettext(m.LANGUAGE_CHANGED), menu_buttons())


class ActionOutOfScope(LocalisedAction):
    def name(self) -> str:
        return "action_out_of_scope"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if answered_a_report_code(dispatcher, tracker, db):
            return
        send(dispatcher, render_answer(ALL_ANSWERS["out_of_scope"]), menu_buttons())


class ActionFallback(LocalisedAction):
    """First miss: offer the likely topics as buttons. A second miss in a row: apologise and show the menu."""

    def name(self) -> str:
        return "action_fallback"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if answered_a_report_code(dispatcher, tracker, db):
            return
        fallback(dispatcher, tracker)


def fallback(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The two-stage fallback, always with the 112 line and an Emergency button (issue 10)."""
    emergency = intent_button("emergency")
    if _previous_turn_was_fallback(tracker):
        # The second miss in a row: a person is offered first (issue 8). Pressing it asks for one; nobody is put
        # in the staff queue without asking, so a slip of the thumb never passes their words to anyone.
        person = intent_button("human_handoff")
        menu = menu_buttons()
        buttons = [person, *(b for b in menu if b != person)] if person else menu
        text = f"{gettext(m.FALLBACK_MENU)}\n{gettext(m.FALLBACK_PERSON, button=gettext(m.BUTTON_PERSON))}"
        send(dispatcher, with_emergency_line(text), buttons)
        return
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    guesses = [r["name"] for r in ranking if r.get("name") in _GUESSABLE][:MAX_GUESSES]
    buttons = [b for b in map(intent_button, guesses) if b]
    if not buttons:
        send(dispatcher, with_emergency_line(gettext(m.FALLBACK_MENU)), menu_buttons())
        return
    if "emergency" not in guesses and emergency is not None:
        buttons.append(emergency)
    send(dispatcher, with_emergency_line(gettext(m.FALLBACK_GUESS)), [*buttons, menu_button()])


def _previous_turn_was_fallback(tracker: Tracker) -> bool:
    """Whether the bot's answer to the user's previous message was also a fallback: the fallback action, or a
    chit-chat action that did not take its message (see :func:`_only_chitchat`)."""
    users_seen = 0
    last_action: str | None = None
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                if last_action in CHITCHAT_ACTIONS:
                    return not is_chitchat(_text_of(event))
                return last_action == "action_fallback"
        elif users_seen == 1 and event.get("event") == "action" and last_action is None:
            name: str | None = event.get("name")
            if name not in ("action_listen", None):
                last_action = name
    return last_action == "action_fallback"


def _text_of(user_event: dict) -> str:
    original = (user_event.get("metadata") or {}).get("original_text")
    return str(original or user_event.get("text") or "").split(SEPARATOR)[0]


def answered_a_report_code(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> bool:
    """A report code on its own ("K7M-4QX2", "мій код ADH-938P") looks like random words to the model (it reads
    it as out of scope or not understood): answer the report's status instead."""
    text = user_text(tracker)
    code = find_code(text)
    if code is None:
        return False
    if get_by_code(db, code) is None and len(text.split()) > MAX_WORDS_AROUND_A_CODE:
        return False  # a longer message with some code-like word in it: not a status question
    answer_status(dispatcher, tracker, db, code)
    return True
