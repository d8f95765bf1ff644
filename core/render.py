"""Turn content into channel-neutral replies: text plus buttons with stable payloads.

Button payloads are Rasa intent payloads (``/intent{"entity": "value"}``): stable ids, never labels,
so pressing a button works the same in every language and on every channel.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.content.info import EMERGENCY
from core.content.model import Answer, Topic
from core.content.sources import grouped_source_links, source_link
from core.content.topics import TOPICS
from core.formatting import AMSTERDAM, format_date, format_value
from core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext


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


def today_in_amsterdam() -> dt.date:
    return dt.datetime.now(AMSTERDAM).date()


def render_answer(answer: Answer, today: dt.date | None = None) -> str:
    """The answer in the current language, with every source (by its short title) and its checked date.

    Past its ``valid_until`` the answer says its figures may have changed and links the official page.
    """
    values = {name: format_value(value) for name, value in answer.values.items()}
    # No blank lines: Rasa's REST channel splits a text at blank lines into separate messages.
    lines = [gettext(answer.text, **values)]
    if answer.valid_until is not None and answer.expired(today or today_in_amsterdam()):
        lines.append(gettext(m.FIGURES_MAY_HAVE_CHANGED, date=format_date(answer.valid_until),
                             source=source_link(answer.official or answer.sources[0])))
    lines += [gettext(m.SOURCE_LINE, source=links) for links in grouped_source_links(answer.sources)]
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
    """The main menu: the topics, help, and always an Emergency button."""
    intents = [*TOPICS, "report_abuse", "find_win_point", "human_handoff", "change_language", "emergency"]
    return [b for b in map(intent_button, intents) if b]


def danger_lines() -> str:
    """The general emergency answer's first two lines (112, then 113), without the bullet: put above an ordinary
    answer when a danger may hide in the message (actions/base.py, ``possible_danger``)."""
    first, second = gettext(EMERGENCY.text).splitlines()[:2]
    return f"{first}\n{second.removeprefix('• ')}"


def with_emergency_line(text: str) -> str:
    """The text with the 112 line under it: the main menu and the fallback answers always carry it."""
    return f"{text}\n{gettext(m.EMERGENCY_LINE)}"


def language_buttons() -> list[Button]:
    return [Button(LANGUAGE_NAMES[code], payload("change_language", language=code)) for code in LANGUAGES]


#: The most choices one message offers: a WhatsApp list holds 10 rows, the tightest of the channels.
MAX_CHOICES = 10


def with_menu(buttons: list[Button]) -> list[Button]:
    """``buttons`` and the menu button, when they fit in one message; else ``buttons`` (the menu is a word away)."""
    return [*buttons, menu_button()] if len(buttons) < MAX_CHOICES else buttons[:MAX_CHOICES]


def subtopic_buttons(topic: Topic, exclude: str | None = None) -> list[Button]:
    return [
        Button(gettext(a.title), payload(topic.intent, subtopic=a.key)) for a in topic.answers if a.key != exclude
    ]


def other_questions_button(topic: Topic) -> Button:
    """All the sub-questions of a topic (its payload carries no sub-question, so the topic's list is shown)."""
    return Button(gettext(m.BUTTON_OTHER_QUESTIONS), payload(topic.intent))


def answer_button(key: str) -> Button:
    answer = ALL_ANSWERS[key]
    return Button(gettext(answer.title), payload(answer.intent, subtopic=key))


#: The key of an action's custom message that asks the gateway to delete this conversation's events from Rasa's
#: tracker store from a Rasa timestamp on (the turns that carried a report: actions/reports.py, bot/router.py).
FORGET_IN_RASA_SINCE = "forget_in_rasa_since"

#: The payload of the "Back to assistant" button while a person has the chat (also typed as /bot).
BACK_TO_BOT = "/back_to_bot"


def back_to_bot_button() -> Button:
    from core.content import handoff_messages as hm

    return Button(gettext(hm.BUTTON_BACK_TO_BOT), BACK_TO_BOT)
