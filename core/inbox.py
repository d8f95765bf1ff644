"""The web chat's inbox: messages that reached a web-chat user outside a request (staff replies,
announcements), kept encrypted until the web chat fetches them, each returned once.

Telegram and WhatsApp users get such messages pushed on their channel; the web chat can only be answered, so it
fetches them (``GET /api/chat/inbox``, or the push stream ``GET /api/chat/events``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db.models import InboxMessage
from core.privacy import Vault
from core.render import Reply

#: At most this many messages are kept per user (the oldest go first): an inbox nobody reads stays small.
MAX_PER_USER = 50


def push(db: Session, vault: Vault, user_id: str, language: str, replies: Sequence[Reply]) -> None:
    payload = [{"text": r.text, "buttons": [b.as_dict() for b in r.buttons]} for r in replies]
    db.add(InboxMessage(user_id=user_id, language=language,
                        payload_encrypted=vault.encrypt(json.dumps(payload, ensure_ascii=False))))
    db.flush()
    ids = list(db.scalars(select(InboxMessage.id).where(InboxMessage.user_id == user_id)
                          .order_by(InboxMessage.id.desc()).offset(MAX_PER_USER)))
    if ids:
        db.execute(delete(InboxMessage).where(InboxMessage.id.in_(ids)))


def take(db: Session, vault: Vault, user_id: str) -> list[dict[str, Any]]:
    """The waiting messages, oldest first, removed from the inbox (each is returned once)."""
    # One statement takes and removes them: two readers at once (the stream and a poll) never get one twice.
    rows = db.execute(delete(InboxMessage).where(InboxMessage.user_id == user_id)
                      .returning(InboxMessage.id, InboxMessage.payload_encrypted)).all()
    messages: list[dict[str, Any]] = []
    for _id, payload in sorted(rows):
        messages += json.loads(vault.decrypt(payload))
    return messages
