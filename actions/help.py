"""Emergency, reporting abuse, help points, mobile teams and reaching a person.

Their full flows come later; today each gives real, sourced information (core/content/info.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, send
from core.content.catalog import ALL_ANSWERS
from core.content.emergency import DANGER_ANSWERS
from core.render import Button, answer_button, intent_button, menu_button, render_answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _buttons(*intents: str) -> list:
    return [b for b in map(intent_button, intents) if b]


class ActionEmergency(LocalisedAction):
    """112 (or 113) in the first line, before anything else; the answer fits the danger the gateway's safety
    layer saw (``/emergency{"danger": kind}``, core/safety.py), or is the general one."""

    def name(self) -> str:
        return "action_emergency"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        kind = entity(tracker, "danger")
        answer = DANGER_ANSWERS.get(kind or "", ALL_ANSWERS["emergency"])
        send(dispatcher, render_answer(answer), [*_DANGER_BUTTONS.get(kind or "", _general_buttons)(), menu_button()])


def _general_buttons() -> list[Button]:
    return _buttons("report_abuse")


#: What to offer after each danger answer: the next step a person in that situation needs.
_DANGER_BUTTONS = {
    "suicide": lambda: _buttons("human_handoff"),
    "injured": lambda: [answer_button("health_insurance/emergency_care")],
    "violence": lambda: _buttons("report_abuse", "find_win_point"),
    "trapped": lambda: [*_buttons("report_abuse"), answer_button("report_abuse/signs")],
    "homeless": lambda: [answer_button("housing_rights/job_loss"), *_buttons("find_win_point", "human_handoff")],
}


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
