"""Durable background jobs: a transactional job table, claimed with ``FOR UPDATE SKIP LOCKED``.

Why this and not a job library: see docs/architecture.md. In short, the job row is written in the same
transaction as the data it belongs to (the inbound message is stored and queued at once, before the channel
gets its 200), it runs on the database the stack already has (SQLite on a laptop, PostgreSQL with several
replicas in production, each job done once), and the worker is asyncio-native like the rest of the gateway.

- **Enqueue** (:meth:`Jobs.enqueue`) inside the caller's transaction; a ``dedup_key`` makes it idempotent
  (``INSERT ... ON CONFLICT DO NOTHING``), so a redelivered message is not queued twice.
- **Claim**: ``WITH due AS (SELECT id ... ORDER BY run_at LIMIT n FOR UPDATE SKIP LOCKED) UPDATE jobs SET
  status='running', locked_until=now+lease ... FROM due WHERE jobs.id = due.id RETURNING id`` on PostgreSQL, which
  skips rows another worker holds (a CTE, evaluated once: never more than n); on SQLite, which has one writer at a
  time, ``UPDATE ... WHERE id IN (SELECT ... LIMIT n)``, atomic too. Jobs whose lease expired are taken first, then
  queued ones, each by one such statement read in index order (:func:`claim`).
- **Lease**: a running job's lease is renewed while it runs; when a worker dies its jobs' leases expire and
  another worker (or the same one, restarted) takes them again.
- **Retries** with exponential backoff and jitter; a handler may ask for a given pause (:class:`Retry`, e.g.
  a 429's ``retry_after``) or give up at once (:class:`Failed`). After ``max_attempts`` the job is *failed*:
  a dead letter that ``winbot jobs failed`` lists and ``winbot jobs retry`` puts back.
- **Per-queue concurrency and rate limits** (:class:`QueueConfig`), per worker process.
- **Ordered jobs**: jobs of one queue enqueued with the same ``order_key`` (say, every message to one user) run
  one at a time in id order. The claim takes such a job only when no earlier job (lower id) of the key in the queue
  is queued or running, so an earlier job that waits for a retry, or is scheduled later, holds the later ones
  back; a dead letter (failed for good) or a done job does not. Jobs of different keys, and jobs without a key,
  run side by side as before.
- **Scheduled and periodic jobs**: ``run_at`` in the future; :meth:`Worker.every` enqueues one job per period
  under a dedup key, so with several workers each period runs once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import socket
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, sessionmaker

from core.db.models import Job, JobStatus, utcnow
from core.db.uow import UnitOfWork
from core.privacy import Vault

log = logging.getLogger("winbot.jobs")

#: Done jobs are kept this long (their dedup keys stop channels' redeliveries), then pruned.
KEEP_DONE = dt.timedelta(days=8)
#: Dead letters are kept this long for an operator to look at, then pruned.
KEEP_FAILED = dt.timedelta(days=30)


class Retry(Exception):  # noqa: N818 - a signal, like asyncio's CancelledError
    """Try the job again after ``after`` seconds (counts as an attempt)."""

    def __init__(self, after: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {after:.0f} s")
        self.after = after


class Failed(Exception):  # noqa: N818
    """Give up at once: the job becomes a dead letter whatever attempts are left."""


@dataclass(frozen=True)
class Task:
    """A kind of job: its name, its queue and the coroutine that does it."""

    name: str
    queue: str
    handler: Callable[[JobContext], Awaitable[None]]
    max_attempts: int = 6
    #: Pause before the second attempt; doubled each time (with jitter), capped at ``max_backoff``.
    backoff: float = 2.0
    max_backoff: float = 600.0


@dataclass(frozen=True)
class QueueConfig:
    """How a worker process runs one queue: jobs at a time, and at most ``rate`` job starts per second."""

    concurrency: int = 4
    rate: float | None = None
    burst: int = 1


@dataclass
class JobContext:
    """What a handler gets: the job's payload, its checkpoint, and a unit of work of its own."""

    job_id: int
    task: str
    attempt: int
    payload: dict[str, Any]
    checkpoint: dict[str, Any] | None
    uow: UnitOfWork
    _jobs: Jobs

    async def save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Remember progress (committed at once): a retry after a crash starts from here."""
        self.checkpoint = checkpoint
        encrypted = self._jobs.vault.encrypt(json.dumps(checkpoint, ensure_ascii=False))
        job_id = self.job_id

        def save(db: Session) -> None:
            db.execute(update(Job).where(Job.id == job_id).values(checkpoint=encrypted, updated_at=utcnow()))

        await self.uow.transaction(save)


class Jobs:
    """The registry of tasks and the way to queue them. Producers and workers share one per process."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.tasks: dict[str, Task] = {}
        self._listeners: list[Callable[[str], None]] = []

    def register(self, task: Task) -> Task:
        self.tasks[task.name] = task
        return task

    def on_enqueue(self, listener: Callable[[str], None]) -> None:
        """``listener(queue)`` is called after a local commit may have made a job due (wakes a worker)."""
        self._listeners.append(listener)

    def notify(self, queue: str) -> None:
        for listener in self._listeners:
            listener(queue)

    def enqueue(
        self,
        db: Session,
        task: str,
        payload: dict[str, Any],
        *,
        run_at: dt.datetime | None = None,
        dedup_key: str | None = None,
        max_attempts: int | None = None,
        order_key: str | None = None,
    ) -> bool:
        """Queue a job in the caller's transaction (the caller commits, then may :meth:`notify`).

        False when a job with the same ``dedup_key`` exists already (nothing is added). Jobs of the task's queue
        with the same ``order_key`` run one at a time, in the order they were enqueued (their ids); two
        producers of one key that commit concurrently on PostgreSQL should serialise (e.g. on a row lock), or the
        later id may commit first.
        """
        definition = self.tasks.get(task)
        if definition is None:
            raise KeyError(f"unknown task {task!r}")
        now = utcnow()
        values = {
            "queue": definition.queue,
            "task": task,
            "payload": self.vault.encrypt(json.dumps(payload, ensure_ascii=False)),
            "dedup_key": dedup_key,
            "order_key": order_key,
            "status": JobStatus.QUEUED,
            "attempts": 0,
            "max_attempts": max_attempts or definition.max_attempts,
            "run_at": run_at or now,
            "created_at": now,
            "updated_at": now,
        }
        insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(Job).values(**values)
        if dedup_key is not None:
            statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
        return db.scalar(statement.returning(Job.id)) is not None

    def enqueue_many(self, db: Session, task: str,
                     items: Iterable[tuple[dict[str, Any], str] | tuple[dict[str, Any], str, str | None]]) -> int:
        """Queue one job per ``(payload, dedup_key)`` or ``(payload, dedup_key, order_key)``, due now, in one
        statement of the caller's transaction (a fan-out queues thousands: an ``INSERT`` each made a batch of 500
        take about half a second). Jobs whose dedup key exists already are left out, as with :meth:`enqueue`.
        Returns how many were added."""
        definition = self.tasks.get(task)
        if definition is None:
            raise KeyError(f"unknown task {task!r}")
        now = utcnow()
        rows = [{"queue": definition.queue, "task": task,
                 "payload": self.vault.encrypt(json.dumps(item[0], ensure_ascii=False)), "dedup_key": item[1],
                 "order_key": item[2] if len(item) > 2 else None,
                 "status": JobStatus.QUEUED, "attempts": 0, "max_attempts": definition.max_attempts, "run_at": now,
                 "created_at": now, "updated_at": now} for item in items]
        if not rows:
            return 0
        insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (insert(cast(Table, Job.__table__)).on_conflict_do_nothing(index_elements=["dedup_key"])
                     .returning(Job.id))
        # An executemany, which SQLAlchemy sends as a few multi-row INSERTs ("insertmanyvalues") with RETURNING.
        return len(db.connection().execute(statement, rows).all())


# -- claiming and finishing (blocking: run in a worker thread) --------------------------------------------


def claim(db: Session, queue: str, worker: str, limit: int, lease: float, now: dt.datetime | None = None) -> list[int]:
    """Take up to ``limit`` due jobs of ``queue`` (and jobs whose lease expired). The caller commits at once.

    Two statements, each answered from ``ix_jobs_due`` (queue, status, run_at, id) in index order: jobs whose lease
    expired first (few: at most the running ones), then queued jobs by ``run_at``. One query with an ``OR`` of the
    two made both databases read and sort every due job of the queue for each claim (EXPLAIN: SQLite "USE TEMP
    B-TREE FOR ORDER BY", PostgreSQL a BitmapOr and a Sort of all of them), so a claim cost grew with the backlog:
    with 10,000 announcements queued, 7.5 ms of PostgreSQL execution per claim, now 0.1 ms (EXPLAIN ANALYZE).

    A job with an order key is taken only when no earlier job of its key is queued or running: at most one job of
    a key is ever running (the first unfinished one), and one claim never returns two of a key. Another worker's
    concurrent claim cannot break this: an earlier job of the key is seen as queued or running (its last committed
    state) until it is done or dead, and neither state changes back (but for an operator's ``jobs retry``). The
    check is an index probe (``ix_jobs_order``) for each row the ordered scan reads, so it does not read the
    backlog either.
    """
    now = now or utcnow()
    expired = _take(db, queue, worker, limit, lease, now,
                    (Job.status == JobStatus.RUNNING) & (Job.locked_until < now))
    taken = _take(db, queue, worker, limit - len(expired), lease, now,
                  (Job.status == JobStatus.QUEUED) & (Job.run_at <= now)) if len(expired) < limit else []
    return sorted(expired + taken)


def _take(db: Session, queue: str, worker: str, limit: int, lease: float, now: dt.datetime, which: Any) -> list[int]:
    earlier = aliased(Job, name="earlier")
    blocked = (
        select(earlier.id)
        .where(
            earlier.queue == Job.queue,
            earlier.order_key == Job.order_key,
            earlier.id < Job.id,
            earlier.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
        .exists()
    )
    due = (
        select(Job.id)
        .where(Job.queue == queue, which, Job.order_key.is_(None) | ~blocked)
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if db.get_bind().dialect.name == "postgresql":
        # A CTE is evaluated once. With ``id IN (subquery LIMIT n FOR UPDATE SKIP LOCKED)`` PostgreSQL may run the
        # subquery again for each row and, skipping the rows it has just locked, claim more than ``limit`` jobs.
        chosen = due.cte("due")
        condition = Job.id == chosen.c.id
    else:
        condition = Job.id.in_(due)  # SQLite computes the subquery once, under its single write lock
    statement = (
        update(Job)
        .where(condition)
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, locked_by=worker,
                locked_until=now + dt.timedelta(seconds=lease), updated_at=now)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return list(db.scalars(statement))


def busy(db: Session, queues: list[str], now: dt.datetime | None = None) -> int:
    """How many jobs of these queues are due now or running."""
    now = now or utcnow()
    return int(db.scalar(select(func.count()).select_from(Job).where(
        Job.queue.in_(queues),
        ((Job.status == JobStatus.QUEUED) & (Job.run_at <= now)) | (Job.status == JobStatus.RUNNING),
    )) or 0)


def renew(db: Session, worker: str, ids: Iterable[int], lease: float) -> None:
    ids = list(ids)
    if ids:
        until = utcnow() + dt.timedelta(seconds=lease)
        db.execute(update(Job).where(Job.id.in_(ids), Job.locked_by == worker, Job.status == JobStatus.RUNNING)
                   .values(locked_until=until).execution_options(synchronize_session=False))


def finish(db: Session, job_id: int, worker: str) -> None:
    """Done: the payload and checkpoint are dropped (the row stays a while for its dedup key)."""
    now = utcnow()
    db.execute(update(Job).where(Job.id == job_id, Job.locked_by == worker).values(
        status=JobStatus.DONE, finished_at=now, updated_at=now, locked_by=None, locked_until=None,
        payload="", checkpoint=None, last_error=None).execution_options(synchronize_session=False))


def fail(db: Session, job_id: int, worker: str, error: str, retry_in: float | None) -> JobStatus:
    """Record a failed attempt: queued again after ``retry_in`` seconds, or a dead letter when None."""
    now = utcnow()
    values: dict[str, Any] = {"last_error": error[:300], "updated_at": now, "locked_by": None, "locked_until": None}
    if retry_in is None:
        values.update(status=JobStatus.FAILED, finished_at=now)
    else:
        values.update(status=JobStatus.QUEUED, run_at=now + dt.timedelta(seconds=retry_in))
    db.execute(update(Job).where(Job.id == job_id, Job.locked_by == worker).values(**values)
               .execution_options(synchronize_session=False))
    return JobStatus.FAILED if retry_in is None else JobStatus.QUEUED


def release(db: Session, worker: str, ids: Iterable[int]) -> None:
    """Give jobs back unfinished (a worker stopping): due again at once, the attempt not counted."""
    ids = list(ids)
    if ids:
        db.execute(update(Job).where(Job.id.in_(ids), Job.locked_by == worker, Job.status == JobStatus.RUNNING)
                   .values(status=JobStatus.QUEUED, attempts=Job.attempts - 1, locked_by=None, locked_until=None,
                           run_at=utcnow()).execution_options(synchronize_session=False))


def prune(db: Session, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    removed = _rowcount(db.execute(delete(Job).where(
        ((Job.status == JobStatus.DONE) & (Job.finished_at < now - KEEP_DONE))
        | ((Job.status == JobStatus.FAILED) & (Job.finished_at < now - KEEP_FAILED))
    ).execution_options(synchronize_session=False)))
    return removed


# -- operators ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobInfo:
    id: int
    queue: str
    task: str
    status: str
    attempts: int
    max_attempts: int
    run_at: dt.datetime
    created_at: dt.datetime
    last_error: str | None


def list_jobs(db: Session, status: JobStatus, limit: int = 100) -> list[JobInfo]:
    rows = db.scalars(select(Job).where(Job.status == status).order_by(Job.id).limit(limit))
    return [JobInfo(j.id, j.queue, j.task, j.status.value, j.attempts, j.max_attempts, j.run_at, j.created_at,
                    j.last_error) for j in rows]


def counts(db: Session) -> dict[tuple[str, str], int]:
    rows = db.execute(select(Job.queue, Job.status, func.count()).group_by(Job.queue, Job.status))
    return {(queue, JobStatus(status).value): int(n) for queue, status, n in rows}


def retry_failed(db: Session, ids: Iterable[int] | None = None) -> int:
    """Put dead letters back in their queue with fresh attempts (all of them when ``ids`` is None)."""
    statement = update(Job).where(Job.status == JobStatus.FAILED)
    if ids is not None:
        statement = statement.where(Job.id.in_(list(ids)))
    now = utcnow()
    return _rowcount(db.execute(statement.values(status=JobStatus.QUEUED, attempts=0, run_at=now, finished_at=None,
                                                 updated_at=now).execution_options(synchronize_session=False)))


def _rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types ``execute`` as a plain Result, which has no rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


# -- the worker --------------------------------------------------------------------------------------------


class _Bucket:
    """Token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, max(1, burst)
        self.tokens = float(self.burst)
        self.at = time.monotonic()

    def available(self) -> int:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return int(self.tokens)

    def take(self, n: int) -> None:
        self.tokens -= n

    def wait_time(self) -> float:
        return max(0.0, (1 - self.tokens) / self.rate)


def error_text(exc: BaseException) -> str:
    """The error's type and where it was raised; never its message (it can quote personal data)."""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    place = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{place}"


@dataclass
class _Periodic:
    task: str
    seconds: float
    payload: dict[str, Any] = field(default_factory=dict)


class Worker:
    """Runs the jobs of some queues in this process until :meth:`stop`.

    Several workers (threads of one process, processes, machines) may run the same queues: the claim query
    hands each job to one of them.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        jobs: Jobs,
        queues: dict[str, QueueConfig],
        *,
        name: str | None = None,
        lease: float = 60.0,
        poll: float = 0.25,
    ) -> None:
        self.sessions = sessions
        self.jobs = jobs
        self.queues = queues
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"  # noqa: S311
        self.lease = lease
        self.poll = poll
        self.running: dict[int, asyncio.Task[None]] = {}
        self._per_queue: dict[str, set[int]] = {q: set() for q in queues}
        self._buckets = {q: _Bucket(c.rate, c.burst) for q, c in queues.items() if c.rate}
        self._wake: dict[str, asyncio.Event] = {}
        self._stopping = False
        self._loops: list[asyncio.Task[None]] = []
        self._periodic: list[_Periodic] = []
        jobs.on_enqueue(self.wake)

    def every(self, task: str, seconds: float, payload: dict[str, Any] | None = None) -> None:
        """Run ``task`` once per ``seconds`` across all workers (each period's job has its own dedup key)."""
        self._periodic.append(_Periodic(task, seconds, payload or {}))

    def wake(self, queue: str) -> None:
        event = self._wake.get(queue)
        if event is not None:
            event.set()

    # -- running ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the queue loops on the running event loop."""
        self._stopping = False
        for queue in self.queues:
            self._wake[queue] = asyncio.Event()
            self._loops.append(asyncio.create_task(self._queue_loop(queue), name=f"jobs-{queue}"))
        self._loops.append(asyncio.create_task(self._housekeeping(), name="jobs-housekeeping"))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; let running jobs finish for ``grace`` seconds, then give the rest back."""
        self._stopping = True
        for event in self._wake.values():
            event.set()
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()
        if self.running:
            _done, pending = await asyncio.wait(set(self.running.values()), timeout=grace)
            unfinished = [job_id for job_id, task in self.running.items() if task in pending]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            if unfinished:
                log.warning("%d jobs still running at shutdown were given back to the queue", len(unfinished))
                await asyncio.to_thread(self._with_session, release, self.name, unfinished)

    async def run_until_idle(self, timeout: float = 30.0) -> None:
        """Process due jobs until none is due or running (tests and one-off runs; the loops need not run)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = 0
            for queue in self.queues:
                started += await self._fill(queue)
            if self.running:
                await asyncio.wait(set(self.running.values()), return_when=asyncio.FIRST_COMPLETED)
                continue
            if not started:
                return
        raise TimeoutError("jobs still due or running")

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until none of this worker's queues has a due or running job (tests, a clean shutdown)."""
        deadline = time.monotonic() + timeout
        queues = list(self.queues)
        while time.monotonic() < deadline:
            if not self.running and not await asyncio.to_thread(self._with_session, busy, queues):
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("jobs still due or running")

    async def _queue_loop(self, queue: str) -> None:
        event = self._wake[queue]
        while not self._stopping:
            try:
                await self._fill(queue)
            except Exception as exc:  # the database may be briefly unavailable: log, wait, go on
                log.warning("claiming %s jobs failed: %s", queue, error_text(exc))
                await asyncio.sleep(min(5.0, self.poll * 8))
            event.clear()
            wait = self.poll
            bucket = self._buckets.get(queue)
            if bucket is not None and bucket.available() < 1:
                wait = max(bucket.wait_time(), 0.001)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=wait)

    async def _fill(self, queue: str) -> int:
        config = self.queues[queue]
        free = config.concurrency - len(self._per_queue[queue])
        bucket = self._buckets.get(queue)
        if bucket is not None:
            free = min(free, bucket.available())
        if free <= 0 or self._stopping:
            return 0
        ids = await asyncio.to_thread(self._with_session, claim, queue, self.name, free, self.lease)
        if bucket is not None:
            bucket.take(len(ids))
        for job_id in ids:
            if job_id in self.running:
                # Our own job, claimed again because its lease lapsed while it ran (a stalled machine): it is still
                # running here, and the claim has just renewed its lease. Never run it twice at once.
                continue
            task = asyncio.create_task(self._run(queue, job_id), name=f"job-{job_id}")
            self.running[job_id] = task
            self._per_queue[queue].add(job_id)
        return len(ids)

    def _with_session(self, fn: Callable[..., Any], *args: Any) -> Any:
        """The worker's own bookkeeping (claim, finish, fail...): a short session and transaction of its own."""
        with self.sessions() as db:
            result = fn(db, *args)
            db.commit()
            return result

    async def _run(self, queue: str, job_id: int) -> None:
        try:
            await self._execute(job_id)
        finally:
            self.running.pop(job_id, None)
            self._per_queue[queue].discard(job_id)
            self.wake(queue)  # a slot is free

    async def _execute(self, job_id: int) -> None:
        async with UnitOfWork(self.sessions) as uow:
            def load(db: Session) -> Job | None:
                found = db.get(Job, job_id)
                if found is not None:
                    db.expunge(found)
                return found

            job = await uow.transaction(load)  # ends the read transaction: none stays open while the job runs
            if job is None or job.status is not JobStatus.RUNNING or job.locked_by != self.name:
                return
            definition = self.jobs.tasks.get(job.task)
            if definition is None:
                await asyncio.to_thread(self._with_session, fail, job_id, self.name, f"unknown task {job.task}", None)
                log.error("job %s: unknown task %s; moved to failed", job_id, job.task)
                return
            if job.attempts > job.max_attempts:
                # Claimed again after its worker died on every attempt: do not loop forever.
                await asyncio.to_thread(self._with_session, fail, job_id, self.name, job.last_error or
                                        "worker died while running it", None)
                log.error("job %s (%s) failed: attempts exhausted", job_id, job.task)
                return
            context = JobContext(
                job_id=job_id, task=job.task, attempt=job.attempts,
                payload=json.loads(self.jobs.vault.decrypt(job.payload)),
                checkpoint=json.loads(self.jobs.vault.decrypt(job.checkpoint)) if job.checkpoint else None,
                uow=uow, _jobs=self.jobs,
            )
            try:
                await definition.handler(context)
            except asyncio.CancelledError:
                raise
            except Failed as exc:
                await self._failed(job_id, job.task, job.attempts, exc, None)
                return
            except Retry as exc:
                retry_in = exc.after if job.attempts < job.max_attempts else None
                await self._failed(job_id, job.task, job.attempts, exc, retry_in)
                return
            except Exception as exc:
                retry_in = backoff(definition, job.attempts) if job.attempts < job.max_attempts else None
                await self._failed(job_id, job.task, job.attempts, exc, retry_in)
                return
        await asyncio.to_thread(self._with_session, finish, job_id, self.name)

    async def _failed(self, job_id: int, task: str, attempt: int, exc: BaseException, retry_in: float | None) -> None:
        error = error_text(exc)
        await asyncio.to_thread(self._with_session, fail, job_id, self.name, error, retry_in)
        if retry_in is None:
            log.error("job %s (%s) failed for good after %d attempts: %s", job_id, task, attempt, error)
        else:
            log.warning("job %s (%s) attempt %d failed: %s; retrying in %.1f s", job_id, task, attempt, error,
                        retry_in)

    async def _housekeeping(self) -> None:
        """Renew the leases of running jobs; queue periodic jobs."""
        while not self._stopping:
            try:
                if self.running:
                    await asyncio.to_thread(self._with_session, renew, self.name, list(self.running), self.lease)
                if self._periodic:
                    for queue in await asyncio.to_thread(self._with_session, self._schedule_periodic):
                        self.wake(queue)
            except Exception as exc:
                log.warning("job housekeeping failed: %s", error_text(exc))
            await asyncio.sleep(min(self.lease / 3, 10.0))

    def _schedule_periodic(self, db: Session) -> set[str]:
        """Queue this period's job of each periodic task (once across workers); the queues that got one."""
        now = time.time()
        queues = set()
        for periodic in self._periodic:
            slot = int(now // periodic.seconds)
            if self.jobs.enqueue(db, periodic.task, periodic.payload, dedup_key=f"periodic:{periodic.task}:{slot}"):
                queues.add(self.jobs.tasks[periodic.task].queue)
        return queues


def backoff(task: Task, attempt: int) -> float:
    """Pause after failed attempt ``attempt`` (1-based): doubling from ``task.backoff``, ±25 % jitter, capped."""
    pause = min(task.max_backoff, task.backoff * 2 ** max(0, attempt - 1))
    return float(pause * random.uniform(0.75, 1.25))  # noqa: S311 - jitter, not security


def describe(info: JobInfo) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in dataclasses.asdict(info).items()}
