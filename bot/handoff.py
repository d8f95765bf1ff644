"""Talking to a person, the transport side: delivering staff messages on the user's channel, and the periodic
check of the queue (no answer in time, claimed but unanswered, silent chats).

Staff messages are jobs (queue ``outbound``): a Telegram or WhatsApp user gets them pushed (WhatsApp outside its
24-hour window only through the approved template that invites them to reply), a web-chat user finds them in the
inbox (``GET /api/chat/inbox``) or gets them on the open push stream (``GET /api/chat/events``). The deliveries to
one user are ordered jobs (one order key per user, core/jobs.py): they arrive in the order staff sent them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels import Channels
from bot.channels.telegram import Delivered
from bot.channels.whatsapp import Delivery
from bot.router import Outgoing
from core import handoff as chats
from core import inbox
from core.content import handoff_messages as hm
from core.content.catalog import ALL_ANSWERS
from core.db.models import HandoffChat
from core.i18n import gettext, use_locale
from core.jobs import Failed, JobContext, Jobs, Task
from core.privacy import Vault
from core.render import Button, Reply, back_to_bot_button, render_answer
from core.settings import Settings

log = logging.getLogger("winbot.handoff")

DELIVER_TASK = "handoff.deliver"
MAINTAIN_TASK = "handoff.maintain"
OUTBOUND_QUEUE = "outbound"
MAINTENANCE_QUEUE = "maintenance"
MAINTAIN_EVERY = 60.0


class Handoff:
    def __init__(self, settings: Settings, jobs: Jobs, vault: Vault, channels: Channels) -> None:
        self.settings = settings
        self.jobs = jobs
        self.vault = vault
        self.channels = channels
        jobs.register(Task(DELIVER_TASK, OUTBOUND_QUEUE, self._deliver, max_attempts=8))
        jobs.register(Task(MAINTAIN_TASK, MAINTENANCE_QUEUE, self._maintain, max_attempts=2))

    def hours(self, region: str | None) -> chats.OfficeHours:
        spec = self.settings.office_hours.get(region or "", self.settings.office_hours["default"])
        return chats.OfficeHours.parse(spec)

    # -- sending to the user (queued in the caller's transaction) ----------------------------------------------

    def send(self, db: Session, chat: HandoffChat, replies: list[Reply]) -> None:
        """Queue messages for the chat's user; the caller commits (then ``jobs.notify(OUTBOUND_QUEUE)``).

        The user reads them in the order they were queued: the deliveries to one user share an order key, so a
        reply and the "handed back" notice sent a moment later are never delivered side by side, and a delivery
        waiting for a retry holds back the ones after it. Locking the chat's row first makes two staff requests for
        the same chat queue (and commit) one after the other, so the jobs' ids follow the order of the commits.
        """
        db.execute(select(HandoffChat.id).where(HandoffChat.id == chat.id).with_for_update())
        payload = {"user_id": chat.user_id, "channel": chat.channel, "language": chat.language,
                   "replies": [{"text": r.text, "buttons": [b.as_dict() for b in r.buttons]} for r in replies]}
        self.jobs.enqueue(db, DELIVER_TASK, payload, order_key=delivery_order_key(chat.user_id))

    def say(self, db: Session, chat: HandoffChat, *messages: str, buttons: list[Button] | None = None) -> None:
        """Queue assistant texts (msgids) in the chat's language, recorded in the transcript as the bot's."""
        with use_locale(chat.language):
            text = "\n".join(gettext(message) for message in messages)
            replies = [Reply(text, buttons or [])]
        chats.record(db, self.vault, chat, "bot", text)
        self.send(db, chat, replies)

    def say_text(self, db: Session, chat: HandoffChat, text: str, buttons: list[Button] | None = None) -> None:
        """Queue one assistant text already in the chat's language (one with placeholders filled), recorded in
        the transcript as the bot's."""
        chats.record(db, self.vault, chat, "bot", text)
        self.send(db, chat, [Reply(text, buttons or [])])

    async def _deliver(self, job: JobContext) -> None:
        data: dict[str, Any] = job.payload
        user_id, channel, language = data["user_id"], data["channel"], data["language"]
        replies = [Reply(r["text"], [Button(b["title"], b["payload"]) for b in r.get("buttons", [])])
                   for r in data["replies"]]
        outgoing = Outgoing(language, replies)
        if channel == "web":
            await job.uow.transaction(inbox.push, self.vault, user_id, language, replies)
            return
        if channel == "telegram" and self.channels.telegram is not None:
            # Strict, like announcements: a network error or a 429 retries the job (parts already sent are
            # skipped), so a person's reply is never dropped; a blocked bot or an unknown user ends it.
            checkpoint = job.checkpoint or {}

            async def progress(sent: int) -> None:
                await job.save_checkpoint({"sent": sent})

            delivered = await self.channels.telegram.deliver(user_id, outgoing, job.uow,
                                                             int(checkpoint.get("sent", 0)), progress)
            if delivered is not Delivered.SENT:
                log.info("staff message to telegram user %s not delivered: %s", user_id, delivered.value)
            return
        if channel == "whatsapp" and self.channels.whatsapp is not None:
            delivery = await self.channels.whatsapp.notify(user_id, outgoing, job.uow)
            if delivery is Delivery.FAILED:
                raise RuntimeError("the Graph API refused the message")  # retried with backoff
            if delivery is not Delivery.SENT:
                log.info("staff message to whatsapp user %s: %s", user_id, delivery.value)
            return
        raise Failed(f"the {channel} channel is not configured in this worker")

    # -- the periodic check --------------------------------------------------------------------------------------

    async def _maintain(self, job: JobContext) -> None:
        settings = self.settings

        def check(db: Session) -> int:
            events = chats.check_timeouts(
                db, self.hours(None),
                no_answer=dt.timedelta(minutes=settings.handoff_no_answer_minutes),
                claim_unanswered=dt.timedelta(minutes=settings.handoff_claim_minutes),
                silent=dt.timedelta(minutes=settings.handoff_silent_minutes),
            )
            for event in events:
                chat = db.get(HandoffChat, event.chat_id)
                if chat is None:
                    continue
                if event.kind == "silent":
                    self.say(db, chat, hm.CLOSED_SILENT)
                elif event.kind == "no_answer":
                    with use_locale(chat.language):
                        options = render_answer(ALL_ANSWERS["human_handoff"])
                        text = gettext(hm.NO_ANSWER) + "\n" + options
                    chats.record(db, self.vault, chat, "bot", text)
                    self.send(db, chat, [Reply(text, [back_to_bot_button_in(chat.language)])])
                elif event.kind == "unclaimed":
                    chats.record(db, self.vault, chat, "note", "back in the queue: claimed but not answered in time")
            return len(events)

        if await job.uow.transaction(check):
            self.jobs.notify(OUTBOUND_QUEUE)


def delivery_order_key(user_id: str) -> str:
    """The order key of the messages of talking to a person to one user (pseudonymous id, nothing personal)."""
    return f"handoff:{user_id}"


def back_to_bot_button_in(language: str) -> Button:
    with use_locale(language):
        return back_to_bot_button()
