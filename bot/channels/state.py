"""What the channels remember between messages: who blocked the bot, when a user last wrote (WhatsApp's
24-hour window), long button payloads, and erasing a user on request.

Every method takes the caller's ``Session`` (the unit of work of the message or job being handled) and runs in
a worker thread; none opens, commits or closes a session itself. Redeliveries are stopped where updates are
queued (the job's dedup key, see bot/inbound.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.rasa_store import purge_rasa_events, rasa_tracker_url
from bot.router import record_inbound
from core.db.models import ButtonPayload, ChannelAddress, ChannelUserState, User, utcnow
from core.privacy import Vault

log = logging.getLogger("winbot.channels")

__all__ = ["BUTTON_KEY_PREFIX", "ChannelState", "purge_rasa_events", "rasa_tracker_url"]

#: Keys of stored button payloads start with this; payloads themselves start with "/".
BUTTON_KEY_PREFIX = "#"
WHATSAPP_WINDOW = dt.timedelta(hours=24)


class ChannelState:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._payloads: dict[str, str] = {}

    # -- per-user state ---------------------------------------------------------------------------------

    @staticmethod
    def _state(db: Session, user_id: str, channel: str) -> ChannelUserState | None:
        """The user's state row, created on demand; None when the user is unknown (or was erased)."""
        state = db.get(ChannelUserState, user_id)
        if state is None and db.get(User, user_id) is not None:
            state = ChannelUserState(user_id=user_id, channel=channel)
            db.add(state)
        return state

    @staticmethod
    def record_inbound(db: Session, user_id: str, channel: str, at: dt.datetime | None = None) -> None:
        """The user wrote: they can be reached again, and WhatsApp's 24-hour window starts over."""
        record_inbound(db, user_id, channel, at)

    def mark_inactive(self, db: Session, user_id: str, channel: str, reason: str) -> None:
        state = self._state(db, user_id, channel)
        if state is None:
            return
        if state.inactive_since is None:
            state.inactive_since = utcnow()
        state.inactive_reason = reason[:32]
        log.info("%s user %s marked inactive: %s", channel, user_id, reason)

    @staticmethod
    def close_window(db: Session, user_id: str) -> None:
        """WhatsApp said the 24-hour window is closed (error 131047), whatever our clock says."""
        state = db.get(ChannelUserState, user_id)
        if state is not None:
            state.last_inbound_at = None

    @staticmethod
    def is_active(db: Session, user_id: str) -> bool:
        state = db.get(ChannelUserState, user_id)
        return state is None or state.inactive_since is None

    @staticmethod
    def window_open(db: Session, user_id: str, now: dt.datetime | None = None) -> bool:
        state = db.get(ChannelUserState, user_id)
        last = state.last_inbound_at if state else None
        return last is not None and (now or utcnow()) - last < WHATSAPP_WINDOW

    @staticmethod
    def language(db: Session, user_id: str) -> str | None:
        user = db.get(User, user_id)
        return user.language if user else None

    def address(self, db: Session, user_id: str, channel: str) -> str | None:
        """The chat id or phone number to write to, decrypted; None if the user is unknown or erased."""
        encrypted = db.scalar(
            select(ChannelAddress.address_encrypted).where(
                ChannelAddress.user_id == user_id, ChannelAddress.channel == channel
            )
        )
        return self.vault.decrypt(encrypted) if encrypted else None

    @staticmethod
    def erase_user(db: Session, user_id: str) -> bool:
        """Delete the user; the database cascades to addresses, messages, subscriptions and channel state."""
        removed = db.execute(delete(User).where(User.id == user_id))
        return bool(getattr(removed, "rowcount", 0))

    # -- button payloads --------------------------------------------------------------------------------

    def button_ids(self, db: Session, payloads: Iterable[str], max_bytes: int) -> dict[str, str]:
        """For each payload, itself if it fits the channel's limit, else a short stable key stored with it."""
        ids: dict[str, str] = {}
        for payload in payloads:
            if len(payload.encode()) <= max_bytes and not payload.startswith(BUTTON_KEY_PREFIX):
                ids[payload] = payload
                continue
            digest = hashlib.sha256(payload.encode()).digest()
            key = BUTTON_KEY_PREFIX + base64.urlsafe_b64encode(digest[:12]).decode()
            ids[payload] = key
            if self._payloads.get(key) == payload:
                continue
            insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
            # Stored at the same moment by another message: the same key and payload, nothing to do.
            db.execute(insert(ButtonPayload).values(key=key, payload=payload, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["key"]))
            self._payloads[key] = payload
        return ids

    def resolve_button(self, db: Session, button_id: str) -> str | None:
        """The payload of a button id; None for a key we never gave out (or that was lost)."""
        if not button_id.startswith(BUTTON_KEY_PREFIX):
            return button_id
        if button_id in self._payloads:
            return self._payloads[button_id]
        row = db.get(ButtonPayload, button_id)
        if row is None:
            return None
        self._payloads[button_id] = row.payload
        return row.payload
