"""Sends the outbox (core/announcements.py): one job per outbox row, on the rate-limited ``outbound`` queue.

A send job loads its row; a row that is no longer ``queued`` (sent before a crash, or cancelled because the visit
changed) is left alone, so running a job twice sends nothing twice. Otherwise it renders the message in the
resident's language, sends it on their channel and records the outcome right after the channel accepted it:

- web chat: kept in the user's inbox (core/inbox.py), in the same transaction that marks the row sent;
- Telegram: ``TelegramChannel.deliver`` (429: ``retry_after`` honoured, the job tries again; blocked: inactive);
- WhatsApp: free text inside the 24-hour window, else the approved template of the message kind with date, time
  and place (``WHATSAPP_VISIT_*TEMPLATE``); undeliverable: inactive.

A message that keeps failing is marked ``failed`` on the job's last attempt (``winbot announcements status``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels import Channels
from bot.channels.telegram import Delivered, Reach, TelegramChannel
from bot.channels.whatsapp import Delivery
from bot.router import Outgoing
from core import inbox
from core.announcements import OUTBOUND_QUEUE, SEND_TASK, render, template_parameters
from core.db.models import (
    MobileTeamVisit,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Subscription,
    VisitStatus,
    utcnow,
)
from core.jobs import JobContext, Jobs, Task, error_text
from core.privacy import Vault
from core.render import Reply

log = logging.getLogger("winbot.announcer")

SEND_ATTEMPTS = 8


class NotSent(RuntimeError):
    """The channel did not take the message this time (the job tries again)."""


@dataclass(frozen=True)
class _Message:
    outbox_id: int
    user_id: str
    channel: str
    language: str
    kind: OutboxKind
    reply: Reply
    parameters: list[str]
    reach: Reach | None


#: Rendered messages by (visit, version, kind, language): a visit's thousands of messages come in six languages.
_Rendered = dict[tuple[int, int, OutboxKind, str], tuple[Reply, list[str]]]
RENDER_CACHE = 256


def _load(db: Session, outbox_id: int, rendered: _Rendered, telegram: TelegramChannel | None) -> _Message | None:
    """The row to send, rendered (and for Telegram, whom to reach); None when there is nothing (more) to send
    (cancelled here if it no longer applies)."""
    row = db.get(OutboxMessage, outbox_id)
    if row is None or row.status is not OutboxStatus.QUEUED:
        return None
    visit = db.get(MobileTeamVisit, row.visit_id)
    superseded = visit is None or (
        row.kind is not OutboxKind.CANCELLATION and visit.status is VisitStatus.CANCELLED
    ) or (row.kind is OutboxKind.REMINDER and row.version != visit.version)
    if visit is not None and not superseded:  # wrote "stop" since the message was planned: not one more
        superseded = db.scalar(select(Subscription.id).where(
            Subscription.user_id == row.user_id, Subscription.location_id == visit.location_id)) is None
    if superseded or visit is None:
        row.status = OutboxStatus.CANCELLED
        return None
    row.attempts += 1
    key = (visit.id, visit.version, row.kind, row.language)
    if key not in rendered:
        if len(rendered) >= RENDER_CACHE:
            rendered.clear()
        rendered[key] = (render(visit, row.kind, row.language), template_parameters(visit, row.language))
    reply, parameters = rendered[key]
    reach = telegram.reach(db, row.user_id, [b.payload for b in reply.buttons]) if telegram and row.channel == \
        "telegram" else None
    return _Message(row.id, row.user_id, row.channel, row.language, row.kind, reply, parameters, reach)


def _mark(db: Session, outbox_id: int, status: OutboxStatus, error: str | None = None) -> None:
    row = db.get(OutboxMessage, outbox_id)
    if row is None:
        return
    row.status = status
    row.last_error = error[:120] if error else None
    if status in (OutboxStatus.SENT, OutboxStatus.TEMPLATE):
        row.sent_at = utcnow()


class Announcer:
    """The outbox's send task, over this process's channels."""

    def __init__(self, channels: Channels, vault: Vault, whatsapp_templates: Mapping[str, str]) -> None:
        self.channels = channels
        self.vault = vault
        self.whatsapp_templates = dict(whatsapp_templates)
        self._rendered: _Rendered = {}

    def register(self, jobs: Jobs) -> None:
        jobs.register(Task(SEND_TASK, OUTBOUND_QUEUE, self._send_job, max_attempts=SEND_ATTEMPTS, backoff=5.0,
                           max_backoff=900.0))

    async def _send_job(self, job: JobContext) -> None:
        outbox_id = int(job.payload["outbox"])
        message = await job.uow.transaction(_load, outbox_id, self._rendered, self.channels.telegram)
        if message is None:
            return
        last_attempt = job.attempt >= SEND_ATTEMPTS
        try:
            outcome = await self._deliver(job, message)
        except Exception as exc:  # Retry, NotSent, a network error...: the job tries again, unless it was the last
            if not last_attempt:
                raise
            await job.uow.transaction(_mark, outbox_id, OutboxStatus.FAILED, error_text(exc))
            log.warning("outbox %s failed for good: %s", outbox_id, error_text(exc))
            return
        if outcome is not None:
            await job.uow.transaction(_mark, outbox_id, *outcome)

    async def _deliver(self, job: JobContext, message: _Message) -> tuple[OutboxStatus, str | None] | None:
        """Send; the outcome to record (None: recorded already, in the same transaction as the delivery)."""
        outgoing = Outgoing(message.language, [message.reply])
        if message.channel == "web":
            def keep(db: Session) -> bool:
                kept = inbox.push(db, self.vault, message.user_id, message.language, outgoing.messages)
                _mark(db, message.outbox_id, OutboxStatus.SENT if kept else OutboxStatus.FAILED,
                      None if kept else "unknown user")
                return kept

            await job.uow.transaction(keep)
            return None
        if message.channel == "telegram":
            if self.channels.telegram is None:
                return OutboxStatus.FAILED, "Telegram is not configured"
            checkpoint = job.checkpoint or {}

            async def progress(sent: int) -> None:
                await job.save_checkpoint({"sent": sent})

            delivered = await self.channels.telegram.deliver(message.user_id, outgoing, job.uow,
                                                             int(checkpoint.get("sent", 0)), progress, message.reach)
            return {Delivered.SENT: (OutboxStatus.SENT, None), Delivered.BLOCKED: (OutboxStatus.BLOCKED, None),
                    Delivered.UNKNOWN_USER: (OutboxStatus.FAILED, "unknown user")}[delivered]
        if message.channel == "whatsapp":
            if self.channels.whatsapp is None:
                return OutboxStatus.FAILED, "WhatsApp is not configured"
            result = await self.channels.whatsapp.notify(
                message.user_id, outgoing, job.uow, message.parameters,
                template_name=self.whatsapp_templates.get(message.kind.value))
            if result is Delivery.FAILED:
                raise NotSent("the Graph API refused the message")
            return {
                Delivery.SENT: (OutboxStatus.SENT, None),
                Delivery.TEMPLATE: (OutboxStatus.TEMPLATE, None),
                Delivery.INACTIVE: (OutboxStatus.BLOCKED, None),
                Delivery.UNKNOWN_USER: (OutboxStatus.FAILED, "unknown user"),
                Delivery.WINDOW_CLOSED: (OutboxStatus.FAILED, f"outside the 24-hour window and no template for "
                                                              f"{message.kind.value}"),
            }[result]
        return OutboxStatus.FAILED, f"no delivery on channel {message.channel}"
