"""Emergency, help points, mobile teams and reaching a person (reporting abuse: actions/reports.py).

Their full flows come later; today each gives real, sourced information (core/content/info.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, app_settings, entity, language_of, metadata, send, user_text, vault
from actions.help_points import located_from
from core import handoff
from core.content import handoff_messages as hm
from core.content.catalog import ALL_ANSWERS
from core.content.emergency import DANGER_ANSWERS
from core.db.models import utcnow
from core.formatting import format_datetime
from core.i18n import gettext
from core.render import Button, answer_button, back_to_bot_button, intent_button, menu_button, render_answer

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
    # Many messages the classifier reads as an emergency tell of an accident at work that has happened ("a pallet
    # fell on my foot yesterday"): what to do next is one tap away.
    return [*_buttons("report_abuse"), answer_button("work_rights/accident")]


#: What to offer after each danger answer: the next step a person in that situation needs.
_DANGER_BUTTONS = {
    "suicide": lambda: _buttons("human_handoff"),
    "injured": lambda: [answer_button("health_insurance/emergency_care"), answer_button("work_rights/accident")],
    "violence": lambda: _buttons("report_abuse", "find_win_point"),
    "trapped": lambda: [*_buttons("report_abuse"), answer_button("report_abuse/signs")],
    "homeless": lambda: [answer_button("housing_rights/job_loss"), *_buttons("find_win_point", "human_handoff")],
}


class ActionHumanHandoff(LocalisedAction):
    """Put the chat in the staff queue of the user's region and language, and pause the Rasa conversation until
    staff hand it back (the gateway then resumes it). The user hears honest hours and the current wait."""

    def name(self) -> str:
        return "action_human_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> list[dict]:
        data = metadata(tracker)
        language = language_of(tracker)
        located = located_from(tracker)
        region = located.spots[0].region if located is not None and not located.ambiguous else None
        urgent = bool(tracker.get_slot("handoff_urgent"))
        chat = handoff.request_person(db, tracker.sender_id, str(data.get("channel") or "web"), language, region,
                                      urgent=urgent, reason="report_urgent" if urgent else None)
        chat.paused_in_rasa = True
        text = user_text(tracker)
        if text and not text.startswith("/"):
            handoff.record(db, vault(), chat, "user", text)
        settings = app_settings()
        hours = handoff.OfficeHours.parse(settings.office_hours.get(region or "", settings.office_hours["default"]))
        now = utcnow()
        lines = [gettext(hm.QUEUED)]
        if urgent:
            lines.append(gettext(hm.URGENT))
        if hours.is_open(now):
            lines.append(gettext(hm.HOURS, hours=handoff.format_hours(hours, language)))
            wait = handoff.waiting_estimate(db, region, now)
            lines.append(gettext(hm.WAIT_ABOUT, minutes=max(1, round(wait / 60))) if wait else gettext(hm.WAIT_UNKNOWN))
        else:
            opening = hours.next_opening(now)
            if opening is not None:
                lines.append(gettext(hm.CLOSED_NOW, when=format_datetime(opening, language, style="short")))
            lines.append(gettext(hm.HOURS, hours=handoff.format_hours(hours, language)))
        lines.append(gettext(hm.BACK_TO_BOT_HINT))
        handoff.record(db, vault(), chat, "bot", "\n".join(lines))
        send(dispatcher, "\n".join(lines), [back_to_bot_button()])
        send(dispatcher, render_answer(ALL_ANSWERS["human_handoff"]))
        return [ConversationPaused()]
