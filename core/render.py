"""Turn content into channel-neutral replies: text plus buttons with stable payloads.

Button payloads are Rasa intent payloads (``/intent{"entity": "value"}``): stable ids, never labels,
so pressing a button works the same in every language and on every channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.content.model import Answer, Topic
from core.content.topics import TOPICS
from core.formatting import format_date, format_value
from core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext

MAX_SOURCES_SHOWN = 2


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'), ensure_ascii=False)}" if entities else f"/{intent}"


def render_answer(answer: Answer) -> str:
    """The answer in the current language, with its sources and the date it was last checked."""
    values = {name: format_value(value) for name, value in answer.values.items()}
    # No blank lines: Rasa's REST channel splits a text at blank lines into separate messages.
    lines = [gettext(answer.text, **values)]
    lines += [gettext(m.SOURCE_LINE, url=url) for url in answer.sources[:MAX_SOURCES_SHOWN]]
    lines.append(gettext(m.LAST_CHECKED, date=format_date(answer.checked)))
    return "\n".join(lines)


#: Button label of each intent that can be offered as a choice.
_INTENT_TITLES = {
    **{intent: topic.title for intent, topic in TOPICS.items()},
    "report_abuse": m.BUTTON_REPORT,
    "find_win_point": m.BUTTON_HELP_POINT,
    "mobile_team_visit": m.BUTTON_MOBILE_TEAM,
    "human_handoff": m.BUTTON_PERSON,
    "emergency": m.BUTTON_EMERGENCY,
    "change_language": m.BUTTON_LANGUAGE,
}


def intent_title(intent: str) -> str | None:
    """The translated title of a topic or intent ("Housing"), None when it has none."""
    title = _INTENT_TITLES.get(intent)
    return gettext(title) if title else None


def intent_button(intent: str) -> Button | None:
    title = _INTENT_TITLES.get(intent)
    return Button(gettext(title), payload(intent)) if title else None


def menu_button() -> Button:
    return Button(gettext(m.BUTTON_MENU), payload("greet", menu="1"))


def menu_buttons() -> list[Button]:
    intents = [*TOPICS, "report_abuse", "find_win_point", "human_handoff", "change_language"]
    return [b for b in map(intent_button, intents) if b]


def language_buttons() -> list[Button]:
    return [Button(LANGUAGE_NAMES[code], payload("change_language", language=code)) for code in LANGUAGES]


def subtopic_buttons(topic: Topic, exclude: str | None = None) -> list[Button]:
    return [
        Button(gettext(a.title), payload(topic.intent, subtopic=a.key)) for a in topic.answers if a.key != exclude
    ]


def answer_button(key: str) -> Button:
    answer = ALL_ANSWERS[key]
    return Button(gettext(answer.title), payload(answer.intent, subtopic=key))
