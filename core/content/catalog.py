"""Every answer the assistant can give, by key."""

from __future__ import annotations

from core.content.emergency import DANGER_ANSWERS
from core.content.info import INFO_ANSWERS
from core.content.model import Answer
from core.content.topics import TOPICS

ALL_ANSWERS: dict[str, Answer] = {
    answer.key: answer
    for answer in (*(a for topic in TOPICS.values() for a in topic.answers), *INFO_ANSWERS, *DANGER_ANSWERS.values())
}


def answer_for(key: str) -> Answer | None:
    return ALL_ANSWERS.get(key)
