"""The unit of work: one database session per inbound message, per action run and per job.

The entry point (the web chat handler, a job, an action run) opens a :class:`UnitOfWork` and passes it down.
Core services and repositories take the plain ``Session`` it holds and never open, commit or close one
themselves. The session is synchronous SQLAlchemy; every use of it runs in a worker thread
(:meth:`UnitOfWork.run`, :meth:`UnitOfWork.transaction`), so the event loop that serves the web chat,
Telegram and WhatsApp together never waits for the database. Work on one unit is sequential (one message is
one conversation step), so the session is never used by two threads at once.

Transactions are short: :meth:`transaction` runs a function and commits in the same thread hop, and nothing
holds a transaction open while waiting for Rasa or a channel (on SQLite an open write transaction would hold
the database's write lock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
P = ParamSpec("P")


class UnitOfWork:
    """One session, used from worker threads, closed by the entry point (``async with``)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session, created on first use (creating it does not connect)."""
        if self._session is None:
            self._session = self._sessions()
        return self._session

    async def run(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(session, ...)`` in a worker thread; no commit (reads, or part of a larger transaction)."""
        session = self.session
        return await asyncio.to_thread(fn, session, *args, **kwargs)

    async def transaction(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(session, ...)`` then commit, in one worker-thread hop; rolled back if anything raises."""
        session = self.session

        def work() -> T:
            try:
                result = fn(session, *args, **kwargs)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise

        return await asyncio.to_thread(work)

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await asyncio.to_thread(session.close)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
