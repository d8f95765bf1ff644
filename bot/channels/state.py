"""What the channels remember between messages: deliveries already handled, who blocked the bot, when a
user last wrote (WhatsApp's 24-hour window), long button payloads, and erasing a user on request.

Every function opens and commits its own short session: each is one step of handling one update.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from pathlib import Path

from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.db.models import (
    ButtonPayload,
    ChannelAddress,
    ChannelUserState,
    ProcessedDelivery,
    User,
    utcnow,
)
from core.privacy import Vault
from core.settings import Settings

log = logging.getLogger("winbot.channels")

#: Channels redeliver for hours (Telegram) or up to a week (WhatsApp); a key is kept a little longer.
DELIVERY_KEEP = dt.timedelta(days=8)
#: Keys of stored button payloads start with this; payloads themselves start with "/".
BUTTON_KEY_PREFIX = "#"
WHATSAPP_WINDOW = dt.timedelta(hours=24)


class ChannelState:
    def __init__(self, sessions: sessionmaker[Session], vault: Vault) -> None:
        self.sessions = sessions
        self.vault = vault
        self._payloads: dict[str, str] = {}

    # -- deliveries -------------------------------------------------------------------------------------

    def claim_delivery(self, channel: str, key: str) -> bool:
        """True the first time a (channel, key) is seen; False for a redelivery. Atomic across workers."""
        with self.sessions() as db:
            db.add(ProcessedDelivery(channel=channel, key=key))
            try:
                db.commit()
            except IntegrityError:
                db.rollback()
                return False
        return True

    def prune_deliveries(self, now: dt.datetime | None = None) -> int:
        cutoff = (now or utcnow()) - DELIVERY_KEEP
        with self.sessions() as db:
            removed = db.execute(delete(ProcessedDelivery).where(ProcessedDelivery.created_at < cutoff)).rowcount
            db.commit()
        return int(removed or 0)

    # -- per-user state ---------------------------------------------------------------------------------

    def _state(self, db: Session, user_id: str, channel: str) -> ChannelUserState | None:
        """The user's state row, created on demand; None when the user is unknown (or was erased)."""
        state = db.get(ChannelUserState, user_id)
        if state is None and db.get(User, user_id) is not None:
            state = ChannelUserState(user_id=user_id, channel=channel)
            db.add(state)
        return state

    def record_inbound(self, user_id: str, channel: str, at: dt.datetime | None = None) -> None:
        """The user wrote: they can be reached again, and WhatsApp's 24-hour window starts over."""
        with self.sessions() as db:
            state = self._state(db, user_id, channel)
            if state is None:
                return
            at = at or utcnow()
            if state.last_inbound_at is None or at > state.last_inbound_at:
                state.last_inbound_at = at
            state.inactive_since = None
            state.inactive_reason = None
            db.commit()

    def mark_inactive(self, user_id: str, channel: str, reason: str) -> None:
        with self.sessions() as db:
            state = self._state(db, user_id, channel)
            if state is None:
                return
            if state.inactive_since is None:
                state.inactive_since = utcnow()
            state.inactive_reason = reason[:32]
            db.commit()
        log.info("%s user %s marked inactive: %s", channel, user_id, reason)

    def close_window(self, user_id: str) -> None:
        """WhatsApp said the 24-hour window is closed (error 131047), whatever our clock says."""
        with self.sessions() as db:
            state = db.get(ChannelUserState, user_id)
            if state is not None:
                state.last_inbound_at = None
                db.commit()

    def is_active(self, user_id: str) -> bool:
        with self.sessions() as db:
            state = db.get(ChannelUserState, user_id)
            return state is None or state.inactive_since is None

    def window_open(self, user_id: str, now: dt.datetime | None = None) -> bool:
        with self.sessions() as db:
            state = db.get(ChannelUserState, user_id)
            last = state.last_inbound_at if state else None
        return last is not None and (now or utcnow()) - last < WHATSAPP_WINDOW

    def language(self, user_id: str) -> str | None:
        with self.sessions() as db:
            user = db.get(User, user_id)
            return user.language if user else None

    def address(self, user_id: str, channel: str) -> str | None:
        """The chat id or phone number to write to, decrypted; None if the user is unknown or erased."""
        with self.sessions() as db:
            encrypted = db.scalar(
                select(ChannelAddress.address_encrypted).where(
                    ChannelAddress.user_id == user_id, ChannelAddress.channel == channel
                )
            )
        return self.vault.decrypt(encrypted) if encrypted else None

    def erase_user(self, user_id: str) -> bool:
        """Delete the user; the database cascades to addresses, messages, subscriptions and channel state."""
        with self.sessions() as db:
            removed = db.execute(delete(User).where(User.id == user_id)).rowcount
            db.commit()
        return bool(removed)

    # -- button payloads --------------------------------------------------------------------------------

    def button_id(self, payload: str, max_bytes: int) -> str:
        """The payload itself if it fits the channel's limit, else a short stable key stored with it."""
        if len(payload.encode()) <= max_bytes and not payload.startswith(BUTTON_KEY_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode()).digest()
        key = BUTTON_KEY_PREFIX + base64.urlsafe_b64encode(digest[:12]).decode()
        if self._payloads.get(key) == payload:
            return key
        with self.sessions() as db:
            if db.get(ButtonPayload, key) is None:
                db.add(ButtonPayload(key=key, payload=payload))
                try:
                    db.commit()
                except IntegrityError:  # stored at the same moment by another message
                    db.rollback()
        self._payloads[key] = payload
        return key

    def resolve_button(self, button_id: str) -> str | None:
        """The payload of a button id; None for a key we never gave out (or that was lost)."""
        if not button_id.startswith(BUTTON_KEY_PREFIX):
            return button_id
        if button_id in self._payloads:
            return self._payloads[button_id]
        with self.sessions() as db:
            row = db.get(ButtonPayload, button_id)
        if row is None:
            return None
        self._payloads[button_id] = row.payload
        return row.payload


def rasa_tracker_url(settings: Settings) -> str:
    """Where Rasa keeps its trackers (as bot.supervisor.write_endpoints configures it)."""
    if settings.database_url.startswith("postgresql"):
        return settings.database_url
    return f"sqlite:///{settings.var_dir / 'rasa-tracker.db'}"


def purge_rasa_events(database_url: str, sender_id: str) -> int:
    """Delete a conversation's stored events from Rasa's SQL tracker store (its HTTP API cannot).

    Best effort: a missing database or table (no conversation yet) is not an error.
    """
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if not path or not Path(path).exists():
            return 0
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id})
            return int(result.rowcount or 0)
    except SQLAlchemyError as exc:
        log.warning("could not purge Rasa events of %s: %s", sender_id, type(exc).__name__)
        return 0
    finally:
        engine.dispose()
