"""The information topics: answer the sub-question asked, or offer the sub-questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, send
from core.content import messages as m
from core.content.topics import TOPICS
from core.i18n import gettext
from core.render import answer_button, menu_button, other_questions_button, render_answer, subtopic_buttons, with_menu
from core.subtopics import choose

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class ActionTopicAnswer(LocalisedAction):
    def name(self) -> str:
        return "action_topic_answer"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name", "")
        topic = TOPICS.get(intent.split("/")[0])
        if topic is None:
            return
        key = entity(tracker, "subtopic")  # a sub-question button
        options: tuple[str, ...] = ()
        if not key or topic.answer(key) is None:
            # The NLU model's ranking of the topic's sub-answers (nlu_components/subtopic_classifier.py).
            choice = choose((tracker.latest_message or {}).get("subtopic"), topic.intent,
                            [a.key for a in topic.answers])
            key, options = choice.answer, choice.options
        answer = topic.answer(key) if key else None
        if answer is None and options:
            # Two sub-answers are close: offer those two, and the topic's whole list behind "Something else".
            buttons = [*(answer_button(k) for k in options), other_questions_button(topic), menu_button()]
            send(dispatcher, gettext(m.WHICH_OF_TWO), buttons)
            return
        if answer is None:
            send(dispatcher, gettext(topic.question), with_menu(subtopic_buttons(topic)))
            return
        send(dispatcher, render_answer(answer))
        send(dispatcher, gettext(m.FOLLOW_UP), with_menu(subtopic_buttons(topic, exclude=answer.key)))
