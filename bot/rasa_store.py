"""Rasa's SQL tracker store, seen from the gateway: where it is, and deleting stored events from it.

Rasa's HTTP API can add events to a conversation but never delete them. Two things need deleting: a user who asks
to be forgotten (/forget: all their events) and the turns that carried a report (from the message that started the
form on, see docs/reports.md), so Rasa does not keep a report's answers or its code under the user's pseudonym.

Rasa reads a conversation's events from the store on every message (SQLTrackerStore keeps nothing in memory), so
events deleted between two messages are gone for Rasa too: the next message continues from what is left.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from core.settings import Settings

log = logging.getLogger("winbot.rasa")

#: Kept when a stretch of a conversation is deleted: a chat paused for staff must stay paused until staff hand
#: back (the router resumes it then), or Rasa would answer next to them.
KEPT_EVENT_TYPES = ("pause",)


def rasa_tracker_url(settings: Settings) -> str:
    """Where Rasa keeps its trackers (as bot.supervisor.write_endpoints configures it)."""
    if settings.database_url.startswith("postgresql"):
        return settings.database_url
    return f"sqlite:///{settings.var_dir / 'rasa-tracker.db'}"


def purge_rasa_events(database_url: str, sender_id: str, since: float | None = None) -> int:
    """Delete a conversation's stored events from Rasa's SQL tracker store; returns how many.

    ``since``: only the events from that Rasa timestamp on (the turn that started a report form, say), except a
    pause (``KEPT_EVENT_TYPES``); without it every event of the conversation. On SQLite the deleted rows are
    overwritten in the file too (``secure_delete``), not only unlinked. Best effort: a missing database or table
    (no conversation yet) is not an error.
    """
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if not path or not Path(path).exists():
            return 0
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    engine = create_engine(database_url)
    statement = "DELETE FROM events WHERE sender_id = :sender"
    parameters: dict[str, object] = {"sender": sender_id}
    if since is not None:
        kept = ", ".join(f"'{name}'" for name in KEPT_EVENT_TYPES)
        statement += f" AND timestamp >= :since AND type_name NOT IN ({kept})"
        parameters["since"] = since
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA secure_delete = ON")
            result = connection.execute(text(statement), parameters)
            return int(result.rowcount or 0)
    except SQLAlchemyError as exc:
        log.warning("could not purge Rasa events of %s: %s", sender_id, type(exc).__name__)
        return 0
    finally:
        engine.dispose()
