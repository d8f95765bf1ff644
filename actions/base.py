"""What every action shares: the user's language and sending channel-neutral replies."""

from __future__ import annotations

import abc
from functools import cache
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.i18n import normalise_language, use_locale
from core.render import Button, Reply

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from core.places import Gazetteer


def metadata(tracker: Tracker) -> dict[str, Any]:
    return dict((tracker.latest_message or {}).get("metadata") or {})


def language_of(tracker: Tracker) -> str:
    return normalise_language(metadata(tracker).get("language"))


def user_text(tracker: Tracker) -> str:
    """What the user wrote (Rasa sees it with its folded form appended, see core/nlu_text.py)."""
    return str(metadata(tracker).get("original_text") or (tracker.latest_message or {}).get("text") or "")


def entity(tracker: Tracker, name: str) -> str | None:
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == name and item.get("value"):
            return str(item["value"])
    return None


def send(dispatcher: CollectingDispatcher, text: str, buttons: list[Button] | None = None) -> None:
    dispatcher.utter_message(text=text, buttons=[b.as_dict() for b in buttons or []])


def send_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    send(dispatcher, reply.text, reply.buttons)


class LocalisedAction(Action, abc.ABC):
    """Runs :meth:`respond` with the user's language as the current locale."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        with use_locale(language_of(tracker)):
            return self.respond(dispatcher, tracker) or []

    @abc.abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict] | None:
        """Send the replies; return the events to apply."""


@cache
def sessions() -> sessionmaker[Session]:
    """The action server's database sessions, built on first use (never at import time)."""
    from core.db.session import make_engine, make_session_factory
    from core.settings import Settings

    return make_session_factory(make_engine(Settings.from_env().database_url))


@cache
def gazetteer() -> Gazetteer:
    from core.places import Gazetteer

    return Gazetteer.load()
