"""The information topics: answer the sub-question asked, or offer the sub-questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, language_of, send, user_text
from core.content import messages as m
from core.content.topics import TOPICS
from core.i18n import gettext
from core.render import render_answer, subtopic_buttons, with_menu
from core.subtopics import best_subtopic

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
        key = entity(tracker, "subtopic")
        if not key or topic.answer(key) is None:
            key = best_subtopic(user_text(tracker), [a.key for a in topic.answers], language_of(tracker))
        answer = topic.answer(key) if key else None
        if answer is None:
            send(dispatcher, gettext(topic.question), with_menu(subtopic_buttons(topic)))
            return
        send(dispatcher, render_answer(answer))
        send(dispatcher, gettext(m.FOLLOW_UP), with_menu(subtopic_buttons(topic, exclude=answer.key)))
