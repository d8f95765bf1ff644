"""Telegram adapter (python-telegram-bot): updates in, rendered replies out. Private chats only.

Long polling by default; with ``TELEGRAM_WEBHOOK_URL`` Telegram posts updates to the gateway's
``/webhooks/telegram`` instead, with a secret header checked in constant time. Every reply goes through
``AIORateLimiter`` (retries on 429 ``retry_after``); a user who blocked the bot is marked inactive.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
from collections.abc import Sequence

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
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.conversations import ChannelMessage, Conversations, Kind, error_place
from bot.channels.render import shorten, split_text, telegram_html, utf16_len
from bot.http import BadRequest, read_json
from bot.router import Outgoing
from core.content import channel_messages as cm
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext, use_locale
from core.render import Button
from core.settings import Settings

log = logging.getLogger("winbot.telegram")

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
#: Updates we ask for: messages, button presses, and being blocked or unblocked (my_chat_member).
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
CALLBACK_DATA_BYTES = 64
BUTTON_TITLE_CHARS = 64
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
_NOT_UNDERSTOOD = (
    filters.VOICE | filters.AUDIO | filters.PHOTO | filters.Sticker.ALL | filters.Document.ALL | filters.VIDEO
    | filters.VIDEO_NOTE | filters.ANIMATION
)


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

    def __init__(self, settings: Settings, conversations: Conversations, poll_timeout: float = 10.0) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        # Opt in to python-telegram-bot's coming time periods (timedelta, not int seconds): without it, PTB
        # warns deprecation each time it builds a RetryAfter from a 429.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.conversations = conversations
        self.webhook_url = settings.telegram_webhook_url
        self.secret = webhook_secret(settings)
        self.poll_timeout = poll_timeout
        root = settings.telegram_api_base_url
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))
            # Users are independent (the router locks per user), so one slow answer never holds up others.
            .concurrent_updates(32)
        )
        if self.webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.running = False
        self._starting: asyncio.Task[None] | None = None
        self._register_handlers()

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
        self.conversations.state.prune_deliveries()
        self.running = True

    async def _connect(self) -> None:
        """Each step may be repeated after a network error: initialize() is idempotent, the others checked."""
        await self.application.initialize()
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

    # -- webhook -----------------------------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """POST /webhooks/telegram: check the secret, queue the update, answer 200 at once."""
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
                update = Update.de_json(data, self.application.bot)
            except Exception as exc:  # whatever the library makes of a bad shape, it is the sender's error
                raise BadRequest(400, "not a Telegram update") from exc
        except BadRequest as exc:
            log.info("rejected telegram webhook: %s %s", exc.status, exc.message)
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if not self.running and (self._starting is None or self._starting.done()):
            return JSONResponse({"error": "the Telegram bot is not running"}, status_code=503)
        await self.application.update_queue.put(update)  # handled once the bot has started
        return Response(status_code=200)

    # -- handlers ----------------------------------------------------------------------------------------

    def _register_handlers(self) -> None:
        app = self.application
        app.add_handler(TypeHandler(Update, self._preprocess), group=-1)
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        app.add_handler(MessageHandler(private & filters.LOCATION, self._on_location))
        app.add_handler(MessageHandler(private & filters.CONTACT, self._on_contact))
        app.add_handler(MessageHandler(private & _NOT_UNDERSTOOD, self._on_media))
        app.add_error_handler(self._on_error)

    async def _preprocess(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One gate for every update: private chats only, no edits, each update once, blocks recorded."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            raise ApplicationHandlerStop  # groups and channels: the bot is for private chats
        if update.my_chat_member is not None:
            self._membership_changed(update)
            raise ApplicationHandlerStop
        if update.message is None and update.callback_query is None:
            raise ApplicationHandlerStop  # edited messages and anything else we did not ask for
        if not self.conversations.first_delivery(CHANNEL, str(update.update_id)):
            log.info("telegram update delivered again; ignored")
            raise ApplicationHandlerStop

    def _membership_changed(self, update: Update) -> None:
        member = update.my_chat_member
        assert member is not None
        user_id = self.conversations.user_id(CHANNEL, str(member.chat.id))
        status = member.new_chat_member.status
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            self.conversations.state.mark_inactive(user_id, CHANNEL, "blocked the bot")
        elif status == ChatMember.MEMBER:
            self.conversations.state.record_inbound(user_id, CHANNEL)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await self._answer(update, Kind.TEXT, text=message.text)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        with contextlib.suppress(TelegramError):
            await query.answer()  # stops the spinner on the button
        await self._answer(update, Kind.BUTTON, text=query.data or "")

    async def _on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.location is not None
        location = (float(message.location.latitude), float(message.location.longitude))
        await self._answer(update, Kind.LOCATION, location=location)

    async def _on_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, Kind.CONTACT)

    async def _on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, Kind.MEDIA)

    async def _answer(
        self, update: Update, kind: Kind, text: str = "", location: tuple[float, float] | None = None
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
        outgoing = await self.conversations.handle(incoming)
        await self.send(chat.id, outgoing)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed and where, never the update (it holds names and texts)."""
        error = context.error
        where = error_place(error) if error is not None else ""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed: %s%s", update_id, type(error).__name__, where)

    # -- sending -----------------------------------------------------------------------------------------

    async def send(self, chat_id: int | str, outgoing: Outgoing) -> bool:
        """Send the replies; False if the user blocked the bot (then marked inactive) or sending failed."""
        for reply in outgoing.messages:
            chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, measure=utf16_len) or ["…"]
            for position, chunk in enumerate(chunks):
                last = position == len(chunks) - 1
                try:
                    await self.application.bot.send_message(
                        chat_id,
                        telegram_html(chunk),
                        parse_mode=ParseMode.HTML,
                        reply_markup=self.keyboard(reply.buttons) if last else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                except Forbidden:
                    user_id = self.conversations.user_id(CHANNEL, str(chat_id))
                    self.conversations.state.mark_inactive(user_id, CHANNEL, "blocked the bot")
                    return False
                except TelegramError as exc:
                    log.warning("telegram send failed: %s", type(exc).__name__)
                    return False
        return True

    async def notify(self, user_id: str, outgoing: Outgoing) -> bool:
        """A message the user did not ask for (announcements): only to active users, never retried when blocked."""
        state = self.conversations.state
        address = state.address(user_id, CHANNEL)
        if address is None or not state.is_active(user_id):
            return False
        return await self.send(int(address), outgoing)

    def keyboard(self, buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        """Buttons as an inline keyboard: short titles two to a row; callback data is the payload or its key."""
        if not buttons:
            return None
        rows: list[list[InlineKeyboardButton]] = []
        pair: list[InlineKeyboardButton] = []
        for button in buttons:
            data = self.conversations.state.button_id(button.payload, CALLBACK_DATA_BYTES)
            key = InlineKeyboardButton(shorten(button.title, BUTTON_TITLE_CHARS), callback_data=data)
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
