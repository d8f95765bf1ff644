"""Emergency, help points, mobile teams and reaching a person (reporting abuse: actions/reports.py).

Their full flows come later; today each gives real, sourced information (core/content/info.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, send
from core.content.catalog import ALL_ANSWERS
from core.render import intent_button, menu_button, render_answer

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


class ActionHumanHandoff(LocalisedAction):
    def name(self) -> str:
        return "action_human_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        buttons = [*_buttons("find_win_point", "report_abuse"), menu_button()]
        send(dispatcher, render_answer(ALL_ANSWERS["human_handoff"]), buttons)
