"""The web chat's inbox: messages that wait for a web chat user until their page asks for them.

An announcement or a staff member's reply is kept here, encrypted at rest, and returned once: on the open page's
push stream (``GET /api/chat/events``) or by ``GET /api/chat/inbox`` when the page asks (or is opened next).
Channel-neutral: the caller renders the replies in the user's language first. Functions take the caller's Session
and never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db.models import InboxMessage, User, utcnow
from core.privacy import Vault
from core.render import Button, Reply

#: A user who never comes back must not pile up messages without end: the oldest beyond this are dropped,
MAX_WAITING = 50
#: and what waited longer than this is out of date (a visit long past) and dropped unseen.
KEEP = dt.timedelta(days=30)


def push(db: Session, vault: Vault, user_id: str, language: str, replies: Sequence[Reply]) -> bool:
    """Keep ``replies`` for the user's next visit; False when the user is unknown (or was erased)."""
    if db.get(User, user_id) is None:
        return False
    body = [{"text": reply.text, "buttons": [button.as_dict() for button in reply.buttons]} for reply in replies]
    db.add(InboxMessage(user_id=user_id, language=language,
                        body_encrypted=vault.encrypt(json.dumps(body, ensure_ascii=False))))
    db.flush()
    old = list(db.scalars(select(InboxMessage.id).where(InboxMessage.user_id == user_id)
                          .order_by(InboxMessage.id.desc()).offset(MAX_WAITING)))
    if old:
        db.execute(delete(InboxMessage).where(InboxMessage.id.in_(old)))
    return True


def take(db: Session, vault: Vault, user_id: str) -> list[dict[str, Any]]:
    """The waiting messages, oldest first, as ``{"text", "buttons"}``; they are removed (returned once).

    One statement takes and removes them, so two readers at once (the push stream and a poll) never both get one.
    """
    rows = db.execute(delete(InboxMessage).where(InboxMessage.user_id == user_id)
                      .returning(InboxMessage.id, InboxMessage.created_at, InboxMessage.body_encrypted)).all()
    messages: list[dict[str, Any]] = []
    oldest = utcnow() - KEEP
    for _id, created_at, body in sorted(rows, key=lambda row: row[0]):
        if created_at is not None and _aware(created_at) >= oldest:
            messages += json.loads(vault.decrypt(body))
    return messages


def _aware(when: dt.datetime) -> dt.datetime:
    """RETURNING hands back the raw column (SQLite drops the zone); stored values are UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def waiting(db: Session, user_id: str) -> int:
    return len(list(db.scalars(select(InboxMessage.id).where(InboxMessage.user_id == user_id))))


def as_replies(messages: Sequence[dict[str, Any]]) -> list[Reply]:
    return [Reply(m["text"], [Button(b["title"], b["payload"]) for b in m.get("buttons", [])]) for m in messages]
