"""Fake Telegram Bot API and Graph API servers (real HTTP on 127.0.0.1, no network), a fake Rasa, and the
gateway wired to them.

The fake servers are small Starlette apps run by uvicorn in a thread; they record every call, and can be
told to answer 429 or 403 like the real ones.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.gateway import create_app
from bot.rasa_client import RasaClient
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.settings import Settings

TOKEN = "123456:TEST-token_for-the-fake-server"  # noqa: S105 - a fake
LONG_PAYLOAD = '/brp_registration{"subtopic":"brp_registration/rni_desk_documents"}'  # over 64 bytes
LANGUAGE_PAYLOAD = '/change_language{{"language":"{}"}}'
WAIT = 15.0


def wait_until(condition: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class ServerThread:
    """A Starlette app served by uvicorn on a free port of 127.0.0.1, in a background thread."""

    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        wait_until(lambda: self.server.started, what="fake server start")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# -- Rasa -----------------------------------------------------------------------------------------------


class FakeRasa:
    """Answers like the real assistant in shape: a greeting with language buttons, echoes with a menu."""

    def __init__(self) -> None:
        self.down = False
        self.delay = 0.0
        self.received: list[dict[str, Any]] = []
        self.restarted: list[str] = []
        self.resumed: list[str] = []

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.delay:
            await asyncio.sleep(self.delay)
        body = json.loads(request.content or b"{}")
        path = request.url.path
        if path == "/model/parse":
            greeting = _is_greeting(_as_written(body["text"]))
            return httpx.Response(200, json={"intent": {"name": "greet" if greeting else "other", "confidence": 0.9}})
        if path.endswith("/tracker/events"):
            events = json.loads(request.content or b"[]")
            if {"event": "restart"} in events:
                self.restarted.append(path.split("/")[2])
            if {"event": "resume"} in events:
                self.resumed.append(path.split("/")[2])
            return httpx.Response(200, json={})
        self.received.append(body)
        return httpx.Response(200, json=self.reply(body))

    @staticmethod
    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        metadata = body["metadata"]
        message = metadata.get("original_text") or _as_written(body["message"])
        language = metadata["language"]
        menu = [{"title": "Menu", "payload": '/greet{"menu":"1"}'}, {"title": "RNI documents", "payload": LONG_PAYLOAD}]
        languages = [{"title": code.upper(), "payload": LANGUAGE_PAYLOAD.format(code)}
                     for code in ("pl", "ro", "bg", "uk", "en", "nl")]
        greeting = {"text": f"greeting [{language}] deep_link={metadata.get('deep_link')}", "buttons": languages}
        if message == "/greet" or (metadata.get("first_contact") and _is_greeting(message)):
            return [greeting]
        if metadata.get("first_contact"):
            # Like the real actions (actions.base.welcome): the greeting comes with the first answer.
            return [greeting, *FakeRasa.reply({**body, "metadata": {**metadata, "first_contact": False}})]
        if message.startswith("/change_language{"):
            chosen = json.loads(message.removeprefix("/change_language"))["language"]
            return [{"custom": {"set_language": chosen}}, {"text": f"language now {chosen}"}]
        if message == "/find_win_point":
            location = metadata.get("location")
            return [{"text": f"nearest help [{language}] for {location}", "buttons": menu}]
        if "long answer" in message:
            sentence = "This sentence is part of a very long answer about housing rights in the Netherlands. "
            return [{"text": sentence * 120, "buttons": menu}]
        return [{"text": f"echo [{language}] {message}", "buttons": menu}]

    def messages(self) -> list[str]:
        """What Rasa was asked, as the user wrote it."""
        return [body["metadata"].get("original_text") or _as_written(body["message"]) for body in self.received]


def _is_greeting(text: str) -> bool:
    return text.lower() in ("hi", "hallo", "cześć", "привіт", "salut", "здравейте")


def _as_written(text: str) -> str:
    """The router shows the NLU a message followed by its folded form ("Cześć | czesc"); this is the first."""
    return text.split(" | ")[0]


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


# -- Telegram Bot API -------------------------------------------------------------------------------------

_JSON_PARAMETERS = ("reply_markup", "link_preview_options", "commands", "allowed_updates")


class FakeTelegram:
    """Enough of the Bot API for the bot: getMe, commands, webhook, getUpdates, sendMessage and friends."""

    def __init__(self, overall_rate: float | None = None, per_chat_interval: float | None = None,
                 every_nth_429: int | None = None) -> None:
        """``overall_rate`` (messages a second) and ``per_chat_interval`` (seconds between two messages to one chat):
        Telegram's flood limits, enforced with 429 and ``retry_after`` like the real Bot API (off by default).
        ``every_nth_429``: answer every n-th sendMessage with 429 whatever the rate (flood control as a surprise)."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.errors: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.blocked: set[int] = set()
        self.lock = threading.Lock()
        self.overall_rate = overall_rate
        self.per_chat_interval = per_chat_interval
        #: Accepted sendMessage calls (monotonic time), and 429s answered because of the limits.
        self.accepted: list[float] = []
        #: The messages the API accepted (not refused with 429 or 403), per chat.
        self.delivered: dict[int, list[dict[str, Any]]] = {}
        self.limited = 0
        self.every_nth_429 = every_nth_429
        self._sends = 0
        self._last_to_chat: dict[int, float] = {}
        #: While set, sendMessage waits; a request whose sender went away meanwhile is not delivered (never
        #: accepted), as when a gateway dies in the middle of a send.
        self.hold = threading.Event()
        self._message_ids = itertools.count(1000)
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"])])

    # what tests use
    def push(self, update: dict[str, Any]) -> None:
        with self.lock:
            self.updates.append(update)

    def fail_next(self, method: str, status: int, description: str, **parameters: Any) -> None:
        body = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.errors.setdefault(method, []).append((status, body))

    def called(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [p for p in self.called("sendMessage") if int(p["chat_id"]) == chat_id]

    def delivered_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.delivered.get(chat_id, []))

    def wait_sent(self, chat_id: int, count: int = 1) -> list[dict[str, Any]]:
        return wait_until(lambda: (sent := self.sent_to(chat_id)) and len(sent) >= count and sent,
                          what=f"{count} message(s) to chat {chat_id}")

    # the server
    async def endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != TOKEN:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        body = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode()))
            for key in _JSON_PARAMETERS:
                if key in params:
                    params[key] = json.loads(params[key])
        if method == "getUpdates":
            return JSONResponse({"ok": True, "result": await self._get_updates(request, params)})
        if method == "sendMessage" and self.hold.is_set():
            while self.hold.is_set():
                await asyncio.sleep(0.01)
            if await request.is_disconnected():
                return Response(status_code=499)  # nobody is waiting for the answer: not delivered
        with self.lock:
            if self.errors.get(method):
                self.calls.append((method, params))
                status, error = self.errors[method].pop(0)
                return JSONResponse(error, status_code=status)
            if method == "sendMessage" and (wait := self._flood_wait(int(params["chat_id"]))):
                self.limited += 1
                return JSONResponse({"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after "
                                     f"{wait}", "parameters": {"retry_after": wait}}, status_code=429)
            self.calls.append((method, params))
            if method == "sendMessage" and int(params["chat_id"]) not in self.blocked:
                self.accepted.append(time.monotonic())
                self.delivered.setdefault(int(params["chat_id"]), []).append(params)
                self._last_to_chat[int(params["chat_id"])] = time.monotonic()
        if method == "sendMessage" and int(params["chat_id"]) in self.blocked:
            blocked = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return JSONResponse(blocked, status_code=403)
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _flood_wait(self, chat_id: int) -> int:
        """Whole seconds to wait when a message now would break a flood limit, else 0 (call with the lock)."""
        now = time.monotonic()
        self._sends += 1
        if self.every_nth_429 and self._sends % self.every_nth_429 == 0:
            return 1
        if self.per_chat_interval is not None:
            last = self._last_to_chat.get(chat_id)
            if last is not None and now - last < self.per_chat_interval:
                return 1
        if self.overall_rate is not None:
            recent = 0
            for at in reversed(self.accepted):
                if now - at >= 1.0:
                    break
                recent += 1
            if recent >= self.overall_rate:
                return 1
        return 0

    async def _get_updates(self, request: Request, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: the pending updates from ``offset`` on, waiting up to ``timeout`` for one."""
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
            if await request.is_disconnected():  # the bot stopped polling
                return []
            await asyncio.sleep(0.02)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "WIN", "username": "win_test_bot",
                    "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method == "sendMessage":
            return {"message_id": next(self._message_ids), "date": int(time.time()), "text": params.get("text", ""),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "from": {"id": 123456, "is_bot": True, "first_name": "WIN"}}
        return True


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


# -- Graph API (WhatsApp Cloud API) -------------------------------------------------------------------------

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAG-test-access-token"  # noqa: S105 - a fake
APP_SECRET = "fake-app-secret"  # noqa: S105
VERIFY_TOKEN = "fake-verify-token"  # noqa: S105


class FakeGraph:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.attempts = 0
        self.errors: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        #: While set, messages wait; one whose sender went away meanwhile is not delivered (as FakeTelegram.hold).
        self.hold = threading.Event()
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[Route("/{phone_number_id}/messages", self.messages, methods=["POST"])])

    def fail_next(self, status: int, code: int, message: str = "error") -> None:
        self.errors.append((status, {"error": {"message": message, "type": "OAuthException", "code": code}}))

    def sent_to(self, number: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.sent if m["to"] == number]

    def wait_sent(self, number: str, count: int = 1) -> list[dict[str, Any]]:
        return wait_until(lambda: (sent := self.sent_to(number)) and len(sent) >= count and sent,
                          what=f"{count} message(s) to {number}")

    async def messages(self, request: Request) -> Response:
        if request.path_params["phone_number_id"] != PHONE_NUMBER_ID:
            return JSONResponse({"error": {"message": "unknown id", "code": 100}}, status_code=400)
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return JSONResponse({"error": {"message": "bad token", "code": 190}}, status_code=401)
        body = json.loads(await request.body())
        if self.hold.is_set():
            while self.hold.is_set():
                await asyncio.sleep(0.01)
            if await request.is_disconnected():
                return Response(status_code=499)  # nobody is waiting for the answer: not delivered
        with self.lock:
            self.attempts += 1
            if self.errors:
                status, error = self.errors.pop(0)
                return JSONResponse(error, status_code=status)
            self.sent.append(body)
        return JSONResponse({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                             "messages": [{"id": f"wamid.out.{next(self._ids)}"}]})


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


# -- the gateway ------------------------------------------------------------------------------------------


@pytest.fixture
def make_client(tmp_path, fake_rasa: FakeRasa) -> Iterator[Callable[..., TestClient]]:
    """make_client(**env) -> a started TestClient of the gateway with these settings (and a fake Rasa)."""
    opened: list[TestClient] = []

    def make(**env: str) -> TestClient:
        settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "ACTION_SERVER_URL": "http://127.0.0.1:9",
                                      **env})
        upgrade(settings.database_url)
        transport = httpx.MockTransport(fake_rasa.handler)
        rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=transport))
        client = TestClient(create_app(settings, rasa=rasa))
        client.__enter__()
        client.settings = settings  # type: ignore[attr-defined]
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def idle(client: TestClient) -> None:
    """Wait until the gateway's worker has answered everything queued so far."""
    client.portal.call(client.app.state.worker.idle)


def db_call(client: TestClient, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(session, *args)`` in a session of the gateway's database, committed."""
    with client.app.state.runtime.sessions() as db:
        result = fn(db, *args)
        db.commit()
        return result


def in_uow(client: TestClient, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
    """``await work(uow)`` on the gateway's event loop, in a unit of work of its own."""

    async def run() -> Any:
        async with UnitOfWork(client.app.state.runtime.sessions) as uow:
            return await work(uow)

    return client.portal.call(run)
