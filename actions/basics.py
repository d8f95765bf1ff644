"""Greeting, menu, goodbye, thanks, language, out of scope and the two-stage fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, metadata, send, user_text
from actions.help_points import subscribed_reply
from core.content import help_messages as h
from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.i18n import LANGUAGES, gettext, use_locale
from core.language import requested_language
from core.locations import code_from_deep_link
from core.render import intent_button, language_buttons, menu_button, menu_buttons, render_answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Intents worth offering when the model is unsure; small talk is never a useful guess.
_GUESSABLE = {
    "brp_registration", "housing_rights", "health_insurance", "work_rights", "benefits_tax",
    "report_abuse", "find_win_point", "mobile_team_visit", "human_handoff", "emergency", "change_language",
}
MAX_GUESSES = 3


class ActionGreet(LocalisedAction):
    def name(self) -> str:
        return "action_greet"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if entity(tracker, "menu"):
            send(dispatcher, gettext(m.MENU_QUESTION), menu_buttons())
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
        send(dispatcher, gettext(m.MENU_QUESTION), menu_buttons())


class ActionGoodbye(LocalisedAction):
    def name(self) -> str:
        return "action_goodbye"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        send(dispatcher, gettext(m.GOODBYE_REPLY))


class ActionThanks(LocalisedAction):
    def name(self) -> str:
        return "action_thanks"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
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
        send(dispatcher, render_answer(ALL_ANSWERS["out_of_scope"]), menu_buttons())


class ActionFallback(LocalisedAction):
    """First miss: offer the likely topics as buttons. A second miss in a row: apologise and show the menu."""

    def name(self) -> str:
        return "action_fallback"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        if _previous_turn_was_fallback(tracker):
            send(dispatcher, gettext(m.FALLBACK_MENU), menu_buttons())
            return
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        guesses = [r["name"] for r in ranking if r.get("name") in _GUESSABLE][:MAX_GUESSES]
        buttons = [b for b in map(intent_button, guesses) if b]
        if not buttons:
            send(dispatcher, gettext(m.FALLBACK_MENU), menu_buttons())
            return
        send(dispatcher, gettext(m.FALLBACK_GUESS), [*buttons, menu_button()])


def _previous_turn_was_fallback(tracker: Tracker) -> bool:
    """Whether the bot's answer to the user's previous message was also a fallback."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "action":
            name: str | None = event.get("name")
            if name not in ("action_listen", None):
                return name == "action_fallback"
    return False
