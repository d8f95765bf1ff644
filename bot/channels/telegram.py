"""Telegram adapter (python-telegram-bot): updates in, rendered replies out. Private chats only.

Long polling by default; with ``TELEGRAM_WEBHOOK_URL`` Telegram posts updates to the gateway's
``/webhooks/telegram`` instead, with a secret header checked in constant time. Every reply goes through
``AIORateLimiter`` (retries on 429 ``retry_after``); a user who blocked the bot is marked inactive.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import (
    BotCommand,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest as TelegramBadRequest
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    TypeHandler,
)

from bot.channels.conversations import ChannelMessage, Conversations, Kind, error_place
from bot.channels.render import shorten, split_text, telegram_html, utf16_len
from bot.http import BadRequest, read_json
from bot.router import Outgoing
from core.content import channel_messages as cm
from core.db.uow import UnitOfWork
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext, use_locale
from core.jobs import JobContext, Jobs, Retry, Task
from core.render import Button
from core.settings import Settings

log = logging.getLogger("winbot.telegram")

CHANNEL = "telegram"
INBOUND_QUEUE = "inbound"
UPDATE_TASK = "telegram.update"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
#: Updates we ask for: messages, button presses, and being blocked or unblocked (my_chat_member).
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
CALLBACK_DATA_BYTES = 64
BUTTON_TITLE_CHARS = 64
#: Telegram allows about one message a second to one chat.
PER_CHAT_INTERVAL = 1.0
#: Titles up to this length go two to a row.
SHORT_TITLE = 18
MAX_WEBHOOK_BYTES = 256 * 1024
COMMANDS = (
    ("start", cm.COMMAND_START),
    ("help", cm.COMMAND_HELP),
    ("language", cm.COMMAND_LANGUAGE),
    ("privacy", cm.COMMAND_PRIVACY),
    ("stop", cm.COMMAND_STOP),
    ("forget", cm.COMMAND_FORGET),
)
#: Message parts we do not understand (answered with a short note and the menu).
MEDIA_ATTRIBUTES = ("voice", "audio", "photo", "sticker", "document", "video", "video_note", "animation")


def _polling_failed(error: TelegramError) -> None:
    """One line per failed poll (python-telegram-bot retries by itself), not a traceback each time."""
    log.warning("Telegram polling failed: %s; retrying", type(error).__name__)


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the keys, stable across restarts ([A-Za-z0-9_-])."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    token = (settings.telegram_bot_token or "").encode()
    return hmac.new(settings.pseudonym_key, b"telegram-webhook\x1f" + token, hashlib.sha256).hexdigest()


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        sessions: sessionmaker[Session],
        jobs: Jobs,
        *,
        receive: bool = True,
        answer: bool = True,
        poll_timeout: float = 10.0,
    ) -> None:
        """``receive``: take updates (polling or the webhook) and queue them (the gateway). ``answer``: run the
        queued updates' jobs (a worker). One process may do both."""
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        # Opt in to python-telegram-bot's coming time periods (timedelta, not int seconds): without it, PTB
        # warns deprecation each time it builds a RetryAfter from a 429.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.conversations = conversations
        self.sessions = sessions
        self.jobs = jobs
        self.receiving = receive
        self.answering = answer
        self.webhook_url = settings.telegram_webhook_url
        self.secret = webhook_secret(settings)
        self.poll_timeout = poll_timeout
        #: Announcements (``deliver``) go evenly spaced at WINBOT_OUTBOUND_RATE; replies only through AIORateLimiter.
        self.pacer = Pacer(settings.outbound_rate)
        root = settings.telegram_api_base_url
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .rate_limiter(FloodAwareRateLimiter(self.pacer.pause, overall_max_rate=settings.telegram_max_rate,
                                                max_retries=3))
        )
        if self.webhook_url or not receive:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.running = False
        self._ready = asyncio.Event()
        self._starting: asyncio.Task[None] | None = None
        # Polling: every update is queued as a job as soon as it arrives (the webhook queues it itself).
        self.application.add_handler(TypeHandler(Update, self._queue_polled), group=-1)
        jobs.register(Task(UPDATE_TASK, INBOUND_QUEUE, self._answer_job))

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background, retrying while Telegram is unreachable, so the web chat never waits."""
        self._starting = asyncio.create_task(self._start(), name="telegram-start")

    async def _start(self) -> None:
        pause = 1.0
        while True:
            try:
                await self._connect()
                break
            except InvalidToken:
                log.error("Telegram rejected TELEGRAM_BOT_TOKEN; the Telegram channel stays off")
                return
            except (TelegramBadRequest, Forbidden) as exc:  # e.g. a webhook URL Telegram refuses: it says why
                log.error("Telegram could not start: %s: %s; the Telegram channel stays off", type(exc).__name__, exc)
                return
            except (NetworkError, TelegramError) as exc:  # unreachable, timed out, 5xx, flood control
                log.warning("Telegram unreachable (%s); retrying in %.0f s", type(exc).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60)
        self.running = True
        self._ready.set()

    async def _connect(self) -> None:
        """Each step may be repeated after a network error: initialize() is idempotent, the others checked."""
        await self.application.initialize()
        if not self.receiving:
            return  # a worker only sends
        await self._set_commands()
        if not self.application.running:
            await self.application.start()
        if self.webhook_url:
            await self.application.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=list(ALLOWED_UPDATES)
            )
            log.info("Telegram: webhook mode (%s)", WEBHOOK_PATH)
        else:
            assert self.application.updater is not None
            if not self.application.updater.running:
                await self.application.updater.start_polling(
                    timeout=int(self.poll_timeout), allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1,
                    error_callback=_polling_failed,
                )
            log.info("Telegram: long polling")

    async def stop(self) -> None:
        if self._starting and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        with contextlib.suppress(TelegramError, RuntimeError):
            await self.application.shutdown()
        self.running = False

    async def _set_commands(self) -> None:
        """The command menu in each language (Telegram shows the one matching the app's language)."""
        for language in (None, *LANGUAGES):
            with use_locale(language or DEFAULT_LANGUAGE):
                commands = [BotCommand(name, gettext(description)) for name, description in COMMANDS]
            try:
                await self.application.bot.set_my_commands(commands, language_code=language)
            except TelegramError as exc:
                log.warning("set_my_commands(%s) failed: %s", language or "default", type(exc).__name__)

    # -- receiving: every update becomes a durable job ------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """POST /webhooks/telegram: check the secret, store the update as a job, and only then answer 200."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret.encode()):
            log.info("rejected telegram webhook: 403 wrong secret token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            data = await read_json(request, MAX_WEBHOOK_BYTES)
            update_id = data.get("update_id")
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                raise BadRequest(400, "update_id must be an integer")
            try:
                Update.de_json(data, self.application.bot)
            except Exception as exc:  # whatever the library makes of a bad shape, it is the sender's error
                raise BadRequest(400, "not a Telegram update") from exc
        except BadRequest as exc:
            log.info("rejected telegram webhook: %s %s", exc.status, exc.message)
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if not self.running and (self._starting is None or self._starting.done()):
            return JSONResponse({"error": "the Telegram bot is not running"}, status_code=503)
        try:
            await self._queue(update_id, data)
        except SQLAlchemyError as exc:
            log.error("could not queue a telegram update: %s%s", type(exc).__name__, error_place(exc))
            return JSONResponse({"error": "busy, try again"}, status_code=503)  # Telegram retries
        return Response(status_code=200)

    async def _queue_polled(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._queue(update.update_id, update.to_dict())
        raise ApplicationHandlerStop

    async def _queue(self, update_id: int, data: dict[str, Any]) -> None:
        key = self.conversations.delivery_key(CHANNEL, str(update_id))

        def queue(db: Session) -> bool:
            return self.jobs.enqueue(db, UPDATE_TASK, data, dedup_key=key)

        async with UnitOfWork(self.sessions) as uow:
            if not await uow.transaction(queue):
                log.info("telegram update delivered again; ignored")
                return
        self.jobs.notify(INBOUND_QUEUE)

    # -- answering (a job, in a worker) ------------------------------------------------------------------------

    async def _answer_job(self, job: JobContext) -> None:
        if not self._ready.is_set():
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=30)
            except TimeoutError as exc:
                raise Retry(30, "the Telegram bot has not started") from exc
        update = Update.de_json(job.payload, self.application.bot)
        if update is not None:
            await self.dispatch(update, job.uow)

    async def dispatch(self, update: Update, uow: UnitOfWork) -> None:
        """Private chats only, no edits; blocks recorded; each kind of message to its answer."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return  # groups and channels: the bot is for private chats
        if update.my_chat_member is not None:
            await self._membership_changed(update, uow)
            return
        if update.callback_query is not None:
            query = update.callback_query
            with contextlib.suppress(TelegramError):
                await query.answer()  # stops the spinner on the button
            await self._answer(update, uow, Kind.BUTTON, text=query.data or "")
            return
        message = update.message
        if message is None:
            return  # edited messages and anything else we did not ask for
        if message.text is not None:
            await self._answer(update, uow, Kind.TEXT, text=message.text)
        elif message.location is not None:
            location = (float(message.location.latitude), float(message.location.longitude))
            await self._answer(update, uow, Kind.LOCATION, location=location)
        elif message.contact is not None:
            await self._answer(update, uow, Kind.CONTACT)
        elif any(getattr(message, kind) for kind in MEDIA_ATTRIBUTES):
            await self._answer(update, uow, Kind.MEDIA)

    async def _membership_changed(self, update: Update, uow: UnitOfWork) -> None:
        member = update.my_chat_member
        assert member is not None
        user_id = self.conversations.user_id(CHANNEL, str(member.chat.id))
        status = member.new_chat_member.status
        state = self.conversations.state
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            await uow.transaction(state.mark_inactive, user_id, CHANNEL, "blocked the bot")
        elif status == ChatMember.MEMBER:
            await uow.transaction(state.record_inbound, user_id, CHANNEL)

    async def _answer(
        self, update: Update, uow: UnitOfWork, kind: Kind, text: str = "",
        location: tuple[float, float] | None = None,
    ) -> None:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        message = update.effective_message
        incoming = ChannelMessage(
            channel=CHANNEL,
            address=str(chat.id),
            kind=kind,
            text=text,
            # Only a hint, used on a user's first message: the router's detection and the user's choice win.
            language_hint=user.language_code if user else None,
            location=location,
            received_at=message.date if message is not None and kind is not Kind.BUTTON else None,
        )
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_chat_action(chat.id, ChatAction.TYPING)
        outgoing = await self.conversations.handle(incoming, uow)
        await self.send(chat.id, outgoing, uow)

    # -- sending -----------------------------------------------------------------------------------------

    async def send(self, chat_id: int | str, outgoing: Outgoing, uow: UnitOfWork) -> bool:
        """Send the replies; False if the user blocked the bot (then marked inactive) or sending failed."""
        payloads = [button.payload for reply in outgoing.messages for button in reply.buttons]
        ids = await uow.transaction(self.conversations.state.button_ids, payloads, CALLBACK_DATA_BYTES)
        for reply in outgoing.messages:
            chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, measure=utf16_len) or ["…"]
            for position, chunk in enumerate(chunks):
                last = position == len(chunks) - 1
                try:
                    await self.application.bot.send_message(
                        chat_id,
                        telegram_html(chunk),
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(reply.buttons, ids) if last else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                except Forbidden:
                    user_id = self.conversations.user_id(CHANNEL, str(chat_id))
                    await uow.transaction(self.conversations.state.mark_inactive, user_id, CHANNEL, "blocked the bot")
                    return False
                except TelegramError as exc:
                    log.warning("telegram send failed: %s", type(exc).__name__)
                    return False
        return True

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the bot is connected; Retry (a job tries again later) when it does not come up."""
        if not self._ready.is_set():
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=timeout)
            except TimeoutError as exc:
                raise Retry(30, "the Telegram bot has not started") from exc

    def reach(self, db: Session, user_id: str, payloads: Sequence[str]) -> Reach:
        """Where and whether to write to a user, and the ids of these button payloads (caller's transaction)."""
        state = self.conversations.state
        return Reach(state.address(db, user_id, CHANNEL), state.is_active(db, user_id),
                     state.button_ids(db, payloads, CALLBACK_DATA_BYTES))

    async def deliver(
        self, user_id: str, outgoing: Outgoing, uow: UnitOfWork, sent: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None, reach: Reach | None = None,
    ) -> Delivered:
        """An announcement from the outbox (bot/announcer.py), unlike :meth:`notify` strict about failures.

        Telegram's 429 is first waited out by ``AIORateLimiter`` (which pauses every request of this process for
        ``retry_after``); if it keeps coming the job is retried after ``retry_after`` (:class:`Retry`), so the
        message is never lost. A blocked bot marks the user inactive. Parts from ``sent`` on are sent (a retry
        skips what went out), ``progress(n)`` after each; parts to one chat go at most one a second. ``reach``:
        :meth:`reach` already looked up in the caller's transaction (thousands are sent: one transaction less).
        """
        state = self.conversations.state
        if reach is None:
            payloads = [button.payload for reply in outgoing.messages for button in reply.buttons]
            reach = await uow.transaction(self.reach, user_id, payloads)
        address, active, ids = reach.address, reach.active, reach.button_ids
        if address is None:
            return Delivered.UNKNOWN_USER
        if not active:
            return Delivered.BLOCKED
        await self.wait_ready()
        chat_id = int(address)
        parts = []
        for reply in outgoing.messages:
            chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, measure=utf16_len) or ["…"]
            parts += [(chunk, keyboard(reply.buttons, ids) if i == len(chunks) - 1 else None)
                      for i, chunk in enumerate(chunks)]
        for position in range(sent, len(parts)):
            if position > sent:
                await asyncio.sleep(PER_CHAT_INTERVAL)
            text, markup = parts[position]
            try:
                async with self.pacer.turn():
                    await self.application.bot.send_message(
                        chat_id, telegram_html(text), parse_mode=ParseMode.HTML, reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True))
            except Forbidden:
                await uow.transaction(state.mark_inactive, user_id, CHANNEL, "blocked the bot")
                return Delivered.BLOCKED
            except RetryAfter as exc:
                raise Retry(retry_seconds(exc), "Telegram flood control (429)") from exc
            if progress is not None:
                await progress(position + 1)
        return Delivered.SENT

    async def notify(self, user_id: str, outgoing: Outgoing, uow: UnitOfWork) -> bool:
        """A message the user did not ask for (announcements): only to active users, never retried when blocked."""
        state = self.conversations.state

        def look(db: Session) -> tuple[str | None, bool]:
            return state.address(db, user_id, CHANNEL), state.is_active(db, user_id)

        address, active = await uow.transaction(look)
        if address is None or not active:
            return False
        return await self.send(int(address), outgoing, uow)


class Pacer:
    """Spaces calls evenly at ``rate`` a second across this process, with no catching up after a pause.

    A token bucket (or AIORateLimiter's leaky bucket) lets a burst through after a stall, and Telegram counts any
    30 messages within a second, answering the 31st with 429 and pausing the whole bot; evenly spaced sends never
    get there.

    A 429 (seen by :class:`FloodAwareRateLimiter`, whatever sent the request) pauses the pacer too (:meth:`pause`):
    for ``retry_after``, and then as long as the calls already past it (:meth:`turn`) take at the rate, because
    AIORateLimiter holds those and lets them all go when the pause ends. Without this the pacer went on handing out
    turns during the pause, the held calls went out together after it, the next second had more than 30 messages,
    and each 429 brought the next: with one stray 429 in every 400 messages the sender lost about ten seconds for
    each (bench/announcements.py --surprise-429).
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()
        #: Calls that had their turn and have not finished (sending, or held by AIORateLimiter).
        self.in_flight = 0

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            while self._next > now:
                target = self._next
                await asyncio.sleep(target - now)
                now = target if self._next == target else loop.time()  # paused meanwhile: wait on
            self._next = now + self.interval

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a turn and hold it while the call runs (:meth:`pause` counts the calls still running)."""
        await self.wait()
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1

    def pause(self, seconds: float) -> None:
        """Telegram asked to wait ``seconds``: no turn until then and until the held calls have gone at the rate."""
        now = asyncio.get_running_loop().time()
        self._next = max(self._next, now + seconds + self.in_flight * self.interval)


class FloodAwareRateLimiter(AIORateLimiter):
    """python-telegram-bot's AIORateLimiter (it waits out a 429 and tries again), telling ``on_flood(seconds)`` of
    each 429 first, so the announcement :class:`Pacer` pauses as well."""

    def __init__(self, on_flood: Callable[[float], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_flood = on_flood

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        async def watched(*a: Any, **k: Any) -> Any:
            try:
                return await callback(*a, **k)
            except RetryAfter as exc:
                self._on_flood(retry_seconds(exc) + 0.1)  # AIORateLimiter waits retry_after + 0.1
                raise

        return await super().process_request(watched, args, kwargs, endpoint, data, rate_limit_args)


@dataclass(frozen=True)
class Reach:
    address: str | None
    active: bool
    button_ids: dict[str, str]


class Delivered(enum.StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    UNKNOWN_USER = "unknown_user"


def retry_seconds(exc: RetryAfter) -> float:
    """A 429's ``retry_after`` in seconds (python-telegram-bot gives a timedelta or an int)."""
    value: Any = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return max(1.0, seconds)


def keyboard(buttons: Sequence[Button], ids: dict[str, str]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard: short titles two to a row; callback data is the payload or its key."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    pair: list[InlineKeyboardButton] = []
    for button in buttons:
        key = InlineKeyboardButton(shorten(button.title, BUTTON_TITLE_CHARS), callback_data=ids[button.payload])
        if len(button.title) > SHORT_TITLE:
            if pair:
                rows.append(pair)
                pair = []
            rows.append([key])
            continue
        pair.append(key)
        if len(pair) == 2:
            rows.append(pair)
            pair = []
    if pair:
        rows.append(pair)
    return InlineKeyboardMarkup(rows)
