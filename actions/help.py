"""Emergency, reporting abuse, help points, mobile teams and reaching a person.

Their full flows come later; today each gives real, sourced information (core/content/info.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, send
from core.content.catalog import ALL_ANSWERS
from core.render import answer_button, intent_button, menu_button, render_answer

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


class ActionReportAbuse(LocalisedAction):
    def name(self) -> str:
        return "action_report_abuse"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        key = "report_abuse/signs" if entity(tracker, "subtopic") == "report_abuse/signs" else "report_abuse"
        other = "report_abuse" if key == "report_abuse/signs" else "report_abuse/signs"
        buttons = [answer_button(other), *_buttons("emergency", "find_win_point"), menu_button()]
        send(dispatcher, render_answer(ALL_ANSWERS[key]), buttons)


class ActionHumanHandoff(LocalisedAction):
    def name(self) -> str:
        return "action_human_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        buttons = [*_buttons("find_win_point", "report_abuse"), menu_button()]
        send(dispatcher, render_answer(ALL_ANSWERS["human_handoff"]), buttons)
