"""Emergency, reporting abuse, help points, mobile teams and reaching a person.

Their full flows come later; today each gives real, sourced information (core/content/info.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, language_of, send, user_text
from core.content.catalog import ALL_ANSWERS
from core.render import answer_button, intent_button, menu_button, render_answer
from core.subtopics import best_subtopic

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _buttons(*intents: str) -> list:
    return [b for b in map(intent_button, intents) if b]


class ActionEmergency(LocalisedAction):
    """112 and the other lines first, before anything else."""

    def name(self) -> str:
        return "action_emergency"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        send(dispatcher, render_answer(ALL_ANSWERS["emergency"]), [*_buttons("report_abuse"), menu_button()])


#: The sub-answers of reporting abuse, besides the general answer ("report_abuse").
REPORT_ABUSE_KEYS = ("report_abuse/signs", "report_abuse/passport", "report_abuse/organisations")


class ActionReportAbuse(LocalisedAction):
    """The sub-answer asked for (button or keywords), else the general answer on where to report."""

    def name(self) -> str:
        return "action_report_abuse"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        key = entity(tracker, "subtopic")
        if key not in REPORT_ABUSE_KEYS and key != "report_abuse":
            key = best_subtopic(user_text(tracker), REPORT_ABUSE_KEYS, language_of(tracker)) or "report_abuse"
        others = [k for k in ("report_abuse", *REPORT_ABUSE_KEYS) if k != key]
        buttons = [*map(answer_button, others), *_buttons("emergency", "find_win_point"), menu_button()]
        send(dispatcher, render_answer(ALL_ANSWERS[key]), buttons)


class ActionHumanHandoff(LocalisedAction):
    def name(self) -> str:
        return "action_human_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        buttons = [*_buttons("find_win_point", "report_abuse"), menu_button()]
        send(dispatcher, render_answer(ALL_ANSWERS["human_handoff"]), buttons)
