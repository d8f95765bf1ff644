"""Deleting a stretch of a conversation from Rasa's SQL tracker store when an action asks for it (the turns that
carried a report): the router, a SQLite tracker store shaped like Rasa's, and a Rasa stand-in that stores its
events there as Rasa does (before it answers)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from bot.rasa_client import RasaClient
from bot.rasa_store import purge_rasa_events
from bot.router import Incoming, Router
from core.db.migrate import upgrade
from core.db.session import make_engine, make_session_factory
from core.db.uow import UnitOfWork
from core.places import Gazetteer
from core.privacy import Vault
from core.render import FORGET_IN_RASA_SINCE

#: The columns of Rasa 3.6's SQLTrackerStore ``events`` table that matter here.
EVENTS = ("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), type_name VARCHAR(255), "
          "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")


class TrackerRasa:
    """Stores each message as user + bot events (and a pause when asked), then answers; a message containing
    "report" starts the stretch an action later asks the gateway to forget."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.report_started: float | None = None
        self.senders: list[str] = []

    def store(self, sender: str, type_name: str, data: dict) -> float:
        at = time.time()
        with sqlite3.connect(self.path) as connection:
            connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                               (sender, type_name, at, json.dumps(data, ensure_ascii=False)))
        time.sleep(0.002)
        return at

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sender, text = body["sender"], body["metadata"].get("original_text") or body["message"]
        self.senders.append(sender)
        at = self.store(sender, "user", {"text": text})
        if "report" in text:
            self.report_started = at
        answer: list[dict] = [{"recipient_id": sender, "text": f"you said: {text}"}]
        self.store(sender, "bot", {"text": answer[0]["text"]})
        if text == "done urgent":
            self.store(sender, "pause", {})
        if text.startswith("done"):
            answer.append({"recipient_id": sender, "custom": {FORGET_IN_RASA_SINCE: self.report_started}})
        return httpx.Response(200, json=answer)

    def events(self, sender: str) -> list[tuple[str, str]]:
        with sqlite3.connect(self.path) as connection:
            return list(connection.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id",
                                           (sender,)))


@pytest.fixture
def setup(tmp_path):
    tracker = tmp_path / "rasa-tracker.db"
    with sqlite3.connect(tracker) as connection:
        connection.execute(EVENTS)
    app_url = f"sqlite:///{tmp_path / 'winbot.db'}"
    upgrade(app_url)
    engine = make_engine(app_url)
    rasa = TrackerRasa(tracker)
    client = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(rasa.handler)))
    router = Router(client, Gazetteer.load(), b"p" * 32, Vault(b"v" * 32), rasa_tracker_url=f"sqlite:///{tracker}")
    yield router, make_session_factory(engine), rasa
    engine.dispose()


async def say(router: Router, sessions, text: str) -> list[str]:
    async with UnitOfWork(sessions) as uow:
        out = await router.handle(Incoming("web", "webchat-1", text, "en"), uow)
    return [reply.text for reply in out.messages]


@pytest.mark.parametrize("ending", ["done", "done urgent"])
async def test_the_turns_an_action_asks_to_forget_leave_rasas_tracker_store(setup, ending: str) -> None:
    router, sessions, rasa = setup
    await say(router, sessions, "hello there")
    await say(router, sessions, "I want to report my boss")
    await say(router, sessions, "he keeps 4711 euro of wages")
    replies = await say(router, sessions, ending)
    assert replies == [f"you said: {ending}"], "the request to forget is never shown to the user"
    sender = rasa.senders[0]
    kept = rasa.events(sender)
    expected = [("user", '{"text": "hello there"}'), ("bot", '{"text": "you said: hello there"}')]
    if ending == "done urgent":
        expected.append(("pause", "{}"))  # a chat handed to staff stays paused in Rasa
    assert kept == expected
    raw = rasa.path.read_bytes()
    assert b"4711" not in raw and b"report my boss" not in raw, "deleted rows are overwritten in the file too"
    # The conversation goes on from what is left.
    assert await say(router, sessions, "next question") == ["you said: next question"]
    assert rasa.events(sender)[-2:] == [("user", '{"text": "next question"}'),
                                        ("bot", '{"text": "you said: next question"}')]


def test_purging_without_a_start_removes_the_whole_conversation_and_only_it(tmp_path) -> None:
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as connection:
        connection.execute(EVENTS)
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, '')",
                               [("a", "user", 1.0), ("a", "pause", 2.0), ("a", "bot", 3.0), ("b", "user", 2.5)])
    url = f"sqlite:///{path}"
    assert purge_rasa_events(url, "a", since=2.0) == 1  # the bot event; the pause stays
    assert purge_rasa_events(url, "a") == 2
    assert purge_rasa_events(url, "nobody") == 0
    assert purge_rasa_events(f"sqlite:///{tmp_path / 'missing.db'}", "a") == 0
    with sqlite3.connect(path) as connection:
        assert list(connection.execute("SELECT sender_id FROM events")) == [("b",)]
