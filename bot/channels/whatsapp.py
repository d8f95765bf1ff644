"""WhatsApp adapter (Cloud API): a webhook in the gateway, replies through the Graph API.

``GET /webhooks/whatsapp`` answers Meta's verification; ``POST`` checks ``X-Hub-Signature-256`` (HMAC-SHA256
of the raw body with the app secret) before reading anything else, stores each message as a durable job and
only then answers 200 (a stopped gateway loses nothing); a worker answers the job (core/jobs.py).

Free-form messages are allowed for 24 hours after the user's last message; outside that window only an
approved template can be sent (``notify`` decides, ``send_template`` sends one).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.conversations import ChannelMessage, Conversations, Kind, error_place
from bot.channels.render import shorten, split_tail, split_text
from bot.http import BadRequest, parse_json_object, read_body, require_json_content_type
from bot.router import Outgoing
from core.content import channel_messages as cm
from core.content.sources import plain_links
from core.db.uow import UnitOfWork
from core.i18n import gettext, use_locale
from core.jobs import Failed, JobContext, Jobs, Task
from core.render import Button, Reply
from core.settings import Settings

log = logging.getLogger("winbot.whatsapp")

CHANNEL = "whatsapp"
INBOUND_QUEUE = "inbound"
INBOUND_TASK = "whatsapp.message"
STATUS_TASK = "whatsapp.statuses"
WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_WEBHOOK_BYTES = 256 * 1024
TEXT_LIMIT = 4096
#: The body of an interactive (button or list) message.
INTERACTIVE_BODY_LIMIT = 1024
REPLY_BUTTONS_MAX = 3
REPLY_TITLE_CHARS = 20
LIST_ROWS_MAX = 10
ROW_TITLE_CHARS = 24
ROW_DESCRIPTION_CHARS = 72
LIST_BUTTON_CHARS = 20
BUTTON_ID_CHARS = 200
#: Graph API error codes we act on.
ERROR_OUTSIDE_WINDOW = 131047
ERROR_UNDELIVERABLE = 131026
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker", "voice", "unsupported"})
#: A phone number's country says something about the language (only a first-message hint): not +31, since
#: many migrants use a Dutch number.
_COUNTRY_LANGUAGES = (("380", "uk"), ("359", "bg"), ("373", "ro"), ("353", "en"), ("48", "pl"), ("40", "ro"),
                      ("44", "en"))
_DIGITS = re.compile(r"^\d{5,20}$")


class Delivery(enum.StrEnum):
    SENT = "sent"
    TEMPLATE = "template"
    #: Outside the 24-hour window and no template configured: nothing sent.
    WINDOW_CLOSED = "window_closed"
    INACTIVE = "inactive"
    UNKNOWN_USER = "unknown_user"
    FAILED = "failed"


class GraphError(RuntimeError):
    def __init__(self, status: int, code: int | None) -> None:
        super().__init__(f"HTTP {status}, error code {code}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class InboundMessage:
    id: str
    sender: str
    kind: Kind
    text: str = ""
    location: tuple[float, float] | None = None
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class StatusUpdate:
    recipient: str
    status: str
    error_code: int | None


def language_hint(number: str) -> str | None:
    return next((language for prefix, language in _COUNTRY_LANGUAGES if number.startswith(prefix)), None)


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").strip().lower().encode())


# -- the webhook payload ------------------------------------------------------------------------------


def _field(container: dict[str, Any], name: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
    value = container.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadRequest(400, f"{name} has the wrong type")
    return value


def parse_webhook(data: dict[str, Any], phone_number_id: str) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """The messages and statuses for our number; BadRequest (400) for a payload of the wrong shape.

    Fields we do not use are ignored (Meta adds fields over time); fields we use must have the right type.
    """
    if data.get("object") != "whatsapp_business_account":
        raise BadRequest(400, "not a WhatsApp Business Account notification")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in _field(data, "entry", list):
        if not isinstance(entry, dict):
            raise BadRequest(400, "entry items must be objects")
        for change in _field(entry, "changes", list):
            if not isinstance(change, dict):
                raise BadRequest(400, "changes items must be objects")
            if change.get("field") != "messages":
                continue
            value = _field(change, "value", dict)
            metadata = _field(value, "metadata", dict)
            if str(metadata.get("phone_number_id")) != phone_number_id:
                log.warning("whatsapp notification for another phone number id; ignored")
                continue
            for item in _field(value, "messages", list, required=False) or []:
                parsed = _message(item)
                if parsed is not None:
                    messages.append(parsed)
            for item in _field(value, "statuses", list, required=False) or []:
                statuses.append(_status(item))
    return messages, statuses


def _message(item: Any) -> InboundMessage | None:
    if not isinstance(item, dict):
        raise BadRequest(400, "messages items must be objects")
    message_id = _field(item, "id", str)
    sender = _field(item, "from", str)
    kind = _field(item, "type", str)
    if not _DIGITS.match(sender):
        raise BadRequest(400, "from must be a phone number")
    received_at = _time(_field(item, "timestamp", str, required=False))
    common = {"id": message_id, "sender": sender, "received_at": received_at}
    if kind == "text":
        body = _field(_field(item, "text", dict), "body", str)
        return InboundMessage(kind=Kind.TEXT, text=body, **common)
    if kind == "interactive":
        interactive = _field(item, "interactive", dict)
        reply_type = _field(interactive, "type", str)
        if reply_type not in ("button_reply", "list_reply"):
            return None
        return InboundMessage(kind=Kind.BUTTON, text=_field(_field(interactive, reply_type, dict), "id", str), **common)
    if kind == "button":  # a quick-reply button of a template message
        return InboundMessage(kind=Kind.BUTTON, text=_field(_field(item, "button", dict), "payload", str), **common)
    if kind == "location":
        location = _field(item, "location", dict)
        lat = float(_field(location, "latitude", (int, float)))
        lon = float(_field(location, "longitude", (int, float)))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadRequest(400, "location out of range")
        return InboundMessage(kind=Kind.LOCATION, location=(lat, lon), **common)
    if kind == "contacts":
        return InboundMessage(kind=Kind.CONTACT, **common)
    if kind in MEDIA_TYPES:
        return InboundMessage(kind=Kind.MEDIA, **common)
    return None  # reactions, system messages, orders...: nothing to answer


def _time(stamp: str | None) -> dt.datetime | None:
    """A Unix timestamp as Meta sends it ("1733142034"); None when absent or absurd."""
    if not stamp or not stamp.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _status(item: Any) -> StatusUpdate:
    if not isinstance(item, dict):
        raise BadRequest(400, "statuses items must be objects")
    errors = _field(item, "errors", list, required=False) or []
    code = errors[0].get("code") if errors and isinstance(errors[0], dict) else None
    return StatusUpdate(
        recipient=_field(item, "recipient_id", str),
        status=_field(item, "status", str),
        error_code=code if isinstance(code, int) else None,
    )


# -- rendering ----------------------------------------------------------------------------------------


def render(reply: Reply, button_id: Callable[[str], str]) -> list[dict[str, Any]]:
    """One reply as Graph API message objects (without ``to``): text, then buttons or a list.

    ``button_id(payload)`` gives the id a button carries (the payload, or a stored key when too long).
    """
    # WhatsApp has no link markup: a source "[title](url)" is sent as "title: url".
    chunks = split_text(plain_links(reply.text), TEXT_LIMIT) or ["…"]
    if not reply.buttons:
        return [_text(chunk) for chunk in chunks]
    head, body = split_tail(chunks.pop(), INTERACTIVE_BODY_LIMIT)
    if head:
        chunks.append(head)
    return [*(_text(chunk) for chunk in chunks), _interactive(body, reply.buttons, button_id)]


def _text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _interactive(body: str, buttons: Sequence[Button], button_id: Callable[[str], str]) -> dict[str, Any]:
    if len(buttons) <= REPLY_BUTTONS_MAX and all(len(b.title) <= REPLY_TITLE_CHARS for b in buttons):
        action: dict[str, Any] = {"buttons": [
            {"type": "reply", "reply": {"id": button_id(b.payload), "title": b.title}} for b in buttons
        ]}
        return {"type": "interactive", "interactive": {"type": "button", "body": {"text": body}, "action": action}}
    if len(buttons) > LIST_ROWS_MAX:
        log.warning("%d buttons, WhatsApp lists show %d; the rest are left out", len(buttons), LIST_ROWS_MAX)
    rows = []
    for button in buttons[:LIST_ROWS_MAX]:
        row = {"id": button_id(button.payload), "title": shorten(button.title, ROW_TITLE_CHARS)}
        if len(button.title) > ROW_TITLE_CHARS:
            row["description"] = shorten(button.title, ROW_DESCRIPTION_CHARS)
        rows.append(row)
    label = gettext(cm.BUTTON_CHOOSE)
    action = {"button": shorten(label, LIST_BUTTON_CHARS),
              "sections": [{"title": shorten(label, ROW_TITLE_CHARS), "rows": rows}]}
    return {"type": "interactive", "interactive": {"type": "list", "body": {"text": body}, "action": action}}


# -- the channel --------------------------------------------------------------------------------------


class WhatsAppChannel:
    """The webhook (in the gateway) queues each message durably; a job (in a worker) answers it."""

    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        sessions: sessionmaker[Session],
        jobs: Jobs,
        client: httpx.AsyncClient | None = None,
        retry_pause: float = 0.5,
    ) -> None:
        assert settings.whatsapp_access_token and settings.whatsapp_phone_number_id
        assert settings.whatsapp_verify_token and settings.whatsapp_app_secret
        self.conversations = conversations
        self.sessions = sessions
        self.jobs = jobs
        self.phone_number_id = settings.whatsapp_phone_number_id
        self.verify_token = settings.whatsapp_verify_token
        self.app_secret = settings.whatsapp_app_secret
        self.messages_url = f"{settings.whatsapp_api_base_url}/{settings.whatsapp_phone_number_id}/messages"
        self.template_name = settings.whatsapp_template_name
        self.template_languages = dict(settings.whatsapp_template_languages)
        self.retry_pause = retry_pause
        self._token = settings.whatsapp_access_token
        self._client = client or httpx.AsyncClient(timeout=15)
        jobs.register(Task(INBOUND_TASK, INBOUND_QUEUE, self._answer_job))
        jobs.register(Task(STATUS_TASK, INBOUND_QUEUE, self._status_job))

    def routes(self) -> list[Route]:
        return [
            Route(WEBHOOK_PATH, self.verify, methods=["GET"]),
            Route(WEBHOOK_PATH, self.receive, methods=["POST"]),
        ]

    def start(self) -> None:
        """Nothing to start: the webhook is a route, answering is a job."""

    async def stop(self) -> None:
        await self._client.aclose()

    # -- webhook -----------------------------------------------------------------------------------------

    async def verify(self, request: Request) -> Response:
        """Meta's subscription check: echo hub.challenge when hub.verify_token matches."""
        params = request.query_params
        token = params.get("hub.verify_token", "").encode()
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self.verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        log.info("rejected whatsapp verification: 403 wrong verify token")
        return JSONResponse({"error": "forbidden"}, status_code=403)

    async def receive(self, request: Request) -> Response:
        """Check, parse, queue every message durably (one transaction), and only then answer 200.

        Meta does not deliver a message again once it got its 200, so the message must be stored first. A
        database that cannot take it gets a 503: Meta retries later.
        """
        try:
            require_json_content_type(request)
            body = await read_body(request, MAX_WEBHOOK_BYTES)
            if not signature_valid(self.app_secret, body, request.headers.get(SIGNATURE_HEADER)):
                raise BadRequest(403, "bad signature")
            messages, statuses = parse_webhook(parse_json_object(body), self.phone_number_id)
        except BadRequest as exc:
            log.info("rejected whatsapp webhook: %s %s", exc.status, exc.message)
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if messages or statuses:
            try:
                async with UnitOfWork(self.sessions) as uow:
                    await uow.transaction(self._queue, messages, statuses)
            except SQLAlchemyError as exc:
                log.error("could not queue a whatsapp notification: %s%s", type(exc).__name__, error_place(exc))
                return JSONResponse({"error": "busy, try again"}, status_code=503)
            self.jobs.notify(INBOUND_QUEUE)
        return JSONResponse({"status": "ok"})

    def _queue(self, db: Session, messages: list[InboundMessage], statuses: list[StatusUpdate]) -> None:
        for message in messages:
            payload = {
                "id": message.id, "sender": message.sender, "kind": message.kind.value, "text": message.text,
                "location": list(message.location) if message.location else None,
                "received_at": message.received_at.isoformat() if message.received_at else None,
            }
            if not self.jobs.enqueue(db, INBOUND_TASK, payload,
                                     dedup_key=self.conversations.delivery_key(CHANNEL, message.id)):
                log.info("whatsapp message delivered again; ignored")
        failed = [{"recipient": s.recipient, "code": s.error_code} for s in statuses if s.status == "failed"]
        if failed:
            self.jobs.enqueue(db, STATUS_TASK, {"failed": failed})

    # -- jobs (in a worker) ------------------------------------------------------------------------------

    async def _answer_job(self, job: JobContext) -> None:
        """Answer one message. The reply is saved before sending, and each part sent is counted, so a retry
        after a crash neither asks Rasa again nor sends a part twice."""
        data = job.payload
        sender = str(data["sender"])
        if job.checkpoint is None:
            location = data.get("location")
            incoming = ChannelMessage(
                channel=CHANNEL,
                address=sender,
                kind=Kind(data["kind"]),
                text=str(data.get("text") or ""),
                language_hint=language_hint(sender),
                location=(float(location[0]), float(location[1])) if location else None,
                received_at=dt.datetime.fromisoformat(data["received_at"]) if data.get("received_at") else None,
            )
            outgoing = await self.conversations.handle(incoming, job.uow)
            bodies = await self._bodies(outgoing, job.uow)
            await job.save_checkpoint({"bodies": bodies, "sent": 0})
        checkpoint = job.checkpoint
        assert checkpoint is not None
        bodies, sent = checkpoint["bodies"], int(checkpoint["sent"])
        for position in range(sent, len(bodies)):
            try:
                await self._post({"messaging_product": "whatsapp", "recipient_type": "individual", "to": sender,
                                  **bodies[position]})
            except GraphError as exc:
                log.warning("whatsapp send failed: %s", exc)
                if await self._act_on_error(job.uow, self.conversations.user_id(CHANNEL, sender), exc.code):
                    return  # blocked or outside the window: sending again would fail the same way
                if exc.status == 0 or exc.status == 429 or exc.status >= 500:
                    raise  # Meta or the network: retried with backoff
                raise Failed(str(exc)) from exc
            await job.save_checkpoint({"bodies": bodies, "sent": position + 1})

    async def _status_job(self, job: JobContext) -> None:
        for item in job.payload["failed"]:
            log.info("whatsapp delivery failed: error code %s", item.get("code"))
            user_id = self.conversations.user_id(CHANNEL, str(item["recipient"]))
            await self._act_on_error(job.uow, user_id, item.get("code"))

    async def _act_on_error(self, uow: UnitOfWork, user_id: str, code: int | None) -> bool:
        """Record what an error code says about the user; True when it was one of those."""
        state = self.conversations.state
        if code == ERROR_OUTSIDE_WINDOW:
            await uow.transaction(state.close_window, user_id)
            return True
        if code == ERROR_UNDELIVERABLE:
            await uow.transaction(state.mark_inactive, user_id, CHANNEL, "undeliverable")
            return True
        return False

    # -- sending -----------------------------------------------------------------------------------------

    async def _bodies(self, outgoing: Outgoing, uow: UnitOfWork) -> list[dict[str, Any]]:
        """The Graph API message objects (without ``to``) for the replies; long payloads get stored keys."""
        payloads = [button.payload for reply in outgoing.messages for button in reply.buttons]
        ids = await uow.transaction(self.conversations.state.button_ids, payloads, BUTTON_ID_CHARS)
        with use_locale(outgoing.language):
            return [body for reply in outgoing.messages for body in render(reply, ids.__getitem__)]

    async def send(self, to: str, outgoing: Outgoing, uow: UnitOfWork) -> bool:
        """Free-form replies (inside the 24-hour window). False if the Graph API refused one."""
        for body in await self._bodies(outgoing, uow):
            try:
                await self._post({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body})
            except GraphError as exc:
                log.warning("whatsapp send failed: %s", exc)
                await self._act_on_error(uow, self.conversations.user_id(CHANNEL, to), exc.code)
                return False
        return True

    async def notify(
        self, user_id: str, outgoing: Outgoing, uow: UnitOfWork, template_parameters: Sequence[str] = (),
        now: dt.datetime | None = None, template_name: str | None = None,
    ) -> Delivery:
        """A message the user did not ask for (announcements): free-form inside the 24-hour window, else the
        approved template (``template_name``, default ``WHATSAPP_TEMPLATE_NAME``) in the user's language with
        ``template_parameters``, else nothing."""
        template_name = template_name or self.template_name
        state = self.conversations.state

        def look(db: Session) -> tuple[str | None, bool, bool]:
            address = state.address(db, user_id, CHANNEL)
            return address, state.is_active(db, user_id), state.window_open(db, user_id, now)

        address, active, window_open = await uow.transaction(look)
        if address is None:
            return Delivery.UNKNOWN_USER
        if not active:
            return Delivery.INACTIVE
        if window_open:
            return Delivery.SENT if await self.send(address, outgoing, uow) else Delivery.FAILED
        if not template_name:
            return Delivery.WINDOW_CLOSED
        sent = await self.send_template(address, outgoing.language, uow, template_parameters, template_name)
        return Delivery.TEMPLATE if sent else Delivery.FAILED

    async def send_template(self, to: str, language: str, uow: UnitOfWork, parameters: Sequence[str] = (),
                            template_name: str | None = None) -> bool:
        name = template_name or self.template_name
        if not name:
            raise RuntimeError("WHATSAPP_TEMPLATE_NAME is not set")
        template: dict[str, Any] = {
            "name": name,
            "language": {"code": self.template_languages.get(language, self.template_languages.get("en", "en"))},
        }
        if parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}
            ]
        try:
            await self._post({"messaging_product": "whatsapp", "to": to, "type": "template", "template": template})
        except GraphError as exc:
            log.warning("whatsapp template failed: %s", exc)
            await self._act_on_error(uow, self.conversations.user_id(CHANNEL, to), exc.code)
            return False
        return True

    async def _post(self, body: dict[str, Any], attempts: int = 4) -> dict[str, Any]:
        """POST to the Graph API; 429, 5xx and network errors are retried with a growing pause."""
        headers = {"Authorization": f"Bearer {self._token}"}
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._client.post(self.messages_url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                if last:
                    raise GraphError(0, None) from exc
                await asyncio.sleep(self.retry_pause * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise GraphError(response.status_code, _error_code(response))
                await asyncio.sleep(_retry_after(response) or self.retry_pause * 2**attempt)
                continue
            if response.status_code >= 400:
                raise GraphError(response.status_code, _error_code(response))
            with contextlib.suppress(ValueError):
                return dict(response.json())
            return {}
        raise AssertionError("unreachable")


def _error_code(response: httpx.Response) -> int | None:
    with contextlib.suppress(ValueError, AttributeError, TypeError, KeyError):
        code = response.json()["error"]["code"]
        return code if isinstance(code, int) else None
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), 30.0) if value.isdigit() else None
