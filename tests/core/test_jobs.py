"""The job table: enqueue once, claim once across workers, retries with backoff, dead letters, leases, restarts.

Runs on SQLite, and on PostgreSQL too when WINBOT_TEST_POSTGRES_URL is set (as `make test` does).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time

import pytest
from sqlalchemy import event, select, text

from core import jobs as jobs_module
from core.db.migrate import upgrade
from core.db.models import Job, JobStatus, utcnow
from core.db.session import make_engine, make_session_factory
from core.jobs import Failed, JobContext, Jobs, QueueConfig, Retry, Task, Worker
from core.privacy import Vault

KEY = b"k" * 32


def _urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("WINBOT_TEST_POSTGRES_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_urls())
def sessions(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}" if request.param == "sqlite" else os.environ["WINBOT_TEST_POSTGRES_URL"]
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as db:
        db.execute(text("DELETE FROM jobs"))
        db.commit()
    yield factory
    engine.dispose()


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict]] = []
        self.fail_times: dict[str, int] = {}

    async def handle(self, ctx: JobContext) -> None:
        key = ctx.payload.get("key", "")
        if self.fail_times.get(key, 0) > 0:
            self.fail_times[key] -= 1
            raise RuntimeError("boom with personal data 0612345678")
        self.seen.append((ctx.task, ctx.payload))


def make_jobs(recorder: Recorder, **task_options) -> Jobs:
    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.work", "work", recorder.handle, **{"backoff": 0.01, **task_options}))
    return jobs


def enqueue(sessions, jobs: Jobs, payload: dict, **kwargs) -> bool:
    with sessions() as db:
        added = jobs.enqueue(db, "test.work", payload, **kwargs)
        db.commit()
    return added


def statuses(sessions) -> list[tuple[str, int]]:
    with sessions() as db:
        return [(j.status.value, j.attempts) for j in db.scalars(select(Job).order_by(Job.id))]


async def test_each_job_runs_once_and_a_dedup_key_queues_once(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    assert enqueue(sessions, jobs, {"key": "a"}, dedup_key="msg-1")
    assert not enqueue(sessions, jobs, {"key": "a-again"}, dedup_key="msg-1")
    assert enqueue(sessions, jobs, {"key": "b"})
    worker = Worker(sessions, jobs, {"work": QueueConfig(concurrency=2)})
    await worker.run_until_idle()
    assert sorted(p["key"] for _, p in recorder.seen) == ["a", "b"]
    assert statuses(sessions) == [("done", 1), ("done", 1)]
    with sessions() as db:  # nothing personal left in a done job
        assert {j.payload for j in db.scalars(select(Job))} == {""}


async def test_payloads_are_encrypted_at_rest(sessions) -> None:
    jobs = make_jobs(Recorder())
    enqueue(sessions, jobs, {"key": "x", "phone": "31612345678"})
    with sessions() as db:
        stored = db.scalar(select(Job.payload))
    assert "31612345678" not in stored


async def test_two_workers_never_take_the_same_job(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    for i in range(60):
        enqueue(sessions, jobs, {"key": str(i)})
    workers = [Worker(sessions, jobs, {"work": QueueConfig(concurrency=4)}, name=f"w{i}") for i in range(3)]
    await asyncio.gather(*(w.run_until_idle() for w in workers))
    keys = [p["key"] for _, p in recorder.seen]
    assert sorted(keys, key=int) == [str(i) for i in range(60)]


async def test_failures_are_retried_with_backoff_then_dead_lettered(sessions) -> None:
    recorder = Recorder()
    recorder.fail_times = {"flaky": 2, "broken": 99}
    jobs = make_jobs(recorder, max_attempts=3)
    enqueue(sessions, jobs, {"key": "flaky"})
    enqueue(sessions, jobs, {"key": "broken"})
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    for _ in range(20):  # retries are scheduled a little later: keep draining until both are settled
        await worker.run_until_idle()
        if all(status in ("done", "failed") for status, _ in statuses(sessions)):
            break
        await asyncio.sleep(0.05)
    assert statuses(sessions) == [("done", 3), ("failed", 3)]
    with sessions() as db:
        failed = jobs_module.list_jobs(db, JobStatus.FAILED)
    assert len(failed) == 1 and failed[0].last_error.startswith("RuntimeError at test_jobs.py:")
    assert "0612345678" not in failed[0].last_error  # the message (which can quote data) is never stored
    # An operator puts it back; once the cause is gone it is done.
    recorder.fail_times["broken"] = 0
    with sessions() as db:
        assert jobs_module.retry_failed(db, [failed[0].id]) == 1
        db.commit()
    await worker.run_until_idle()
    assert statuses(sessions) == [("done", 3), ("done", 1)]


async def test_retry_and_failed_signals(sessions) -> None:
    calls: list[int] = []

    async def handler(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        if ctx.payload["mode"] == "later" and ctx.attempt == 1:
            raise Retry(0.01)
        if ctx.payload["mode"] == "never":
            raise Failed("no such user")

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.signals", "work", handler, max_attempts=5))
    with sessions() as db:
        jobs.enqueue(db, "test.signals", {"mode": "later"})
        jobs.enqueue(db, "test.signals", {"mode": "never"})
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    await worker.run_until_idle()
    await asyncio.sleep(0.05)
    await worker.run_until_idle()
    assert statuses(sessions) == [("done", 2), ("failed", 1)]


async def test_scheduled_jobs_wait_for_their_time(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    enqueue(sessions, jobs, {"key": "later"}, run_at=utcnow() + dt.timedelta(hours=1))
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    await worker.run_until_idle()
    assert recorder.seen == [] and statuses(sessions) == [("queued", 0)]


async def test_a_dead_workers_jobs_are_taken_again_after_the_lease(sessions) -> None:
    LEASE = 2.0  # long enough that a slow machine still checks the lease before it ends  # noqa: N806
    recorder = Recorder()
    jobs = make_jobs(recorder)
    enqueue(sessions, jobs, {"key": "orphan"})
    with sessions() as db:  # a worker claimed it and died
        assert jobs_module.claim(db, "work", "dead-worker", 1, lease=LEASE) != []
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    await worker.run_until_idle()
    assert recorder.seen == []  # its lease still holds
    await asyncio.sleep(LEASE + 0.2)
    await worker.run_until_idle()
    assert [p["key"] for _, p in recorder.seen] == ["orphan"]
    assert statuses(sessions) == [("done", 2)]


async def test_a_job_whose_lease_lapsed_while_it_ran_is_not_started_twice_by_its_worker(sessions) -> None:
    started: list[int] = []
    release = asyncio.Event()

    async def slow(ctx: JobContext) -> None:
        started.append(ctx.job_id)
        await release.wait()

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.slow", "work", slow))
    with sessions() as db:
        jobs.enqueue(db, "test.slow", {})
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig()}, lease=0.1)  # no housekeeping: the lease lapses
    assert await worker._fill("work") == 1
    await asyncio.sleep(0.3)
    await worker._fill("work")  # claims it again (its lease lapsed) but must not start it again
    await asyncio.sleep(0.05)
    assert len(started) == 1
    release.set()
    await asyncio.wait(set(worker.running.values()))
    assert statuses(sessions) == [("done", 2)]


async def test_a_stopping_worker_gives_unfinished_jobs_back(sessions) -> None:
    started = asyncio.Event()

    async def slow(ctx: JobContext) -> None:
        started.set()
        await asyncio.sleep(30)

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.slow", "work", slow))
    with sessions() as db:
        jobs.enqueue(db, "test.slow", {})
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig()}, poll=0.01)
    worker.start()
    await asyncio.wait_for(started.wait(), 5)
    await worker.stop(grace=0.1)
    assert statuses(sessions) == [("queued", 0)]


async def test_checkpoints_survive_a_retry(sessions) -> None:
    seen: list[dict | None] = []

    async def handler(ctx: JobContext) -> None:
        seen.append(ctx.checkpoint)
        if ctx.checkpoint is None:
            await ctx.save_checkpoint({"reply": "computed", "sent": 1})
            raise RuntimeError("network down")

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.cp", "work", handler, backoff=0.01))
    with sessions() as db:
        jobs.enqueue(db, "test.cp", {})
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    await worker.run_until_idle()
    await asyncio.sleep(0.05)
    await worker.run_until_idle()
    assert seen == [None, {"reply": "computed", "sent": 1}]


async def test_a_queue_rate_limit_spaces_job_starts(sessions) -> None:
    starts: list[float] = []

    async def handler(ctx: JobContext) -> None:
        starts.append(time.monotonic())

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.rate", "work", handler))
    with sessions() as db:
        for _ in range(6):
            jobs.enqueue(db, "test.rate", {})
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig(concurrency=10, rate=20.0, burst=1)}, poll=0.01)
    worker.start()
    for _ in range(300):
        if len(starts) == 6:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert len(starts) == 6
    # 6 starts at 20 per second with no burst take at least 5 intervals of 50 ms.
    assert starts[-1] - starts[0] >= 0.2


async def test_periodic_jobs_run_once_per_period_across_workers(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    workers = [Worker(sessions, jobs, {"work": QueueConfig()}, name=f"w{i}") for i in range(2)]
    for worker in workers:
        worker.every("test.work", 3600, {"key": "hourly"})
        await asyncio.to_thread(worker._with_session, worker._schedule_periodic)
    await asyncio.gather(*(w.run_until_idle() for w in workers))
    assert [p["key"] for _, p in recorder.seen] == ["hourly"]


# -- ordered jobs (an order key: one at a time, in id order) ------------------------------------------------


def claim_now(sessions, limit: int, worker: str = "w") -> list[str]:
    """The payload keys of the jobs one claim takes (committed, as a worker does)."""
    with sessions() as db:
        ids = jobs_module.claim(db, "work", worker, limit, lease=60)
        db.commit()
        return [str(db.get(Job, job_id).order_key) + "#" + str(job_id) for job_id in ids]


def ids_in_order(sessions) -> list[int]:
    with sessions() as db:
        return list(db.scalars(select(Job.id).order_by(Job.id)))


async def test_one_claim_takes_only_the_first_unfinished_job_of_each_key(sessions) -> None:
    jobs = make_jobs(Recorder())
    for i in range(5):
        enqueue(sessions, jobs, {"key": f"a{i}"}, order_key="user:a")
        enqueue(sessions, jobs, {"key": f"b{i}"}, order_key="user:b")
    enqueue(sessions, jobs, {"key": "free"})
    first_a, first_b, *_ = ids_in_order(sessions)
    free = ids_in_order(sessions)[-1]
    assert sorted(claim_now(sessions, 50)) == sorted([f"user:a#{first_a}", f"user:b#{first_b}", f"None#{free}"])
    assert claim_now(sessions, 50, worker="other") == []  # the rest wait for their key's running job


async def test_ordered_jobs_run_one_at_a_time_in_order_across_workers(sessions) -> None:
    running: dict[str, int] = {}
    most: dict[str, int] = {}
    seen: dict[str, list[int]] = {}

    async def handler(ctx: JobContext) -> None:
        key = ctx.payload["user"]
        running[key] = running.get(key, 0) + 1
        most[key] = max(most.get(key, 0), running[key])
        seen.setdefault(key, []).append(ctx.payload["n"])
        await asyncio.sleep(0.005)
        running[key] -= 1

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.ordered", "work", handler))
    with sessions() as db:
        for n in range(12):
            for user in ("a", "b", "c"):
                jobs.enqueue(db, "test.ordered", {"user": user, "n": n}, order_key=f"user:{user}")
        db.commit()
    workers = [Worker(sessions, jobs, {"work": QueueConfig(concurrency=16)}, name=f"w{i}") for i in range(3)]
    await asyncio.gather(*(w.run_until_idle() for w in workers))
    assert seen == {user: list(range(12)) for user in ("a", "b", "c")}
    assert most == {"a": 1, "b": 1, "c": 1}


async def test_jobs_of_different_keys_run_side_by_side(sessions) -> None:
    started = {"a": asyncio.Event(), "b": asyncio.Event()}

    async def handler(ctx: JobContext) -> None:
        mine, other = ctx.payload["user"], "b" if ctx.payload["user"] == "a" else "a"
        started[mine].set()
        await asyncio.wait_for(started[other].wait(), 5)  # times out if the keys ran one after the other

    jobs = Jobs(Vault(KEY))
    jobs.register(Task("test.pair", "work", handler, max_attempts=1))
    with sessions() as db:
        jobs.enqueue(db, "test.pair", {"user": "a"}, order_key="user:a")
        jobs.enqueue(db, "test.pair", {"user": "b"}, order_key="user:b")
        db.commit()
    await Worker(sessions, jobs, {"work": QueueConfig(concurrency=4)}).run_until_idle()
    assert statuses(sessions) == [("done", 1), ("done", 1)]


async def test_a_retry_of_the_first_job_holds_back_the_second(sessions) -> None:
    recorder = Recorder()
    recorder.fail_times = {"first": 1}
    jobs = make_jobs(recorder, backoff=0.3)
    enqueue(sessions, jobs, {"key": "first"}, order_key="chat:7")
    enqueue(sessions, jobs, {"key": "second"}, order_key="chat:7")
    worker = Worker(sessions, jobs, {"work": QueueConfig(concurrency=8)})
    await worker.run_until_idle()  # the first failed and waits for its retry: the second must wait too
    assert recorder.seen == [] and statuses(sessions) == [("queued", 1), ("queued", 0)]
    assert claim_now(sessions, 10) == []
    for _ in range(40):
        await asyncio.sleep(0.05)
        await worker.run_until_idle()
        if len(recorder.seen) == 2:
            break
    assert [p["key"] for _, p in recorder.seen] == ["first", "second"]
    assert statuses(sessions) == [("done", 2), ("done", 1)]


async def test_a_scheduled_earlier_job_holds_back_its_key_but_not_others(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    enqueue(sessions, jobs, {"key": "later"}, order_key="user:a", run_at=utcnow() + dt.timedelta(hours=1))
    enqueue(sessions, jobs, {"key": "a-now"}, order_key="user:a")
    enqueue(sessions, jobs, {"key": "b-now"}, order_key="user:b")
    await Worker(sessions, jobs, {"work": QueueConfig()}).run_until_idle()
    assert [p["key"] for _, p in recorder.seen] == ["b-now"]


async def test_a_dead_first_job_does_not_block_its_key(sessions) -> None:
    recorder = Recorder()
    recorder.fail_times = {"doomed": 99}
    jobs = make_jobs(recorder, max_attempts=2)
    enqueue(sessions, jobs, {"key": "doomed"}, order_key="user:a")
    enqueue(sessions, jobs, {"key": "next"}, order_key="user:a")
    worker = Worker(sessions, jobs, {"work": QueueConfig()})
    for _ in range(40):
        await worker.run_until_idle()
        if len(recorder.seen) == 1:
            break
        await asyncio.sleep(0.02)
    assert statuses(sessions) == [("failed", 2), ("done", 1)]
    assert [p["key"] for _, p in recorder.seen] == ["next"]


async def test_an_order_key_is_per_queue(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    jobs.register(Task("test.other", "other", recorder.handle))
    with sessions() as db:
        jobs.enqueue(db, "test.other", {"key": "other queue"}, order_key="user:a",
                     run_at=utcnow() + dt.timedelta(hours=1))
        db.commit()
    enqueue(sessions, jobs, {"key": "work queue"}, order_key="user:a")
    await Worker(sessions, jobs, {"work": QueueConfig(), "other": QueueConfig()}).run_until_idle()
    assert [p["key"] for _, p in recorder.seen] == ["work queue"]
async def test_enqueue_many_queues_each_dedup_key_once(sessions) -> None:
    recorder = Recorder()
    jobs = make_jobs(recorder)
    with sessions() as db:
        assert jobs.enqueue_many(db, "test.work", [({"key": "a"}, "many-a"), ({"key": "b"}, "many-b")]) == 2
        assert jobs.enqueue_many(db, "test.work", [({"key": "b"}, "many-b"), ({"key": "c"}, "many-c")]) == 1
        assert jobs.enqueue_many(db, "test.work", []) == 0
        db.commit()
    worker = Worker(sessions, jobs, {"work": QueueConfig(concurrency=4)}, poll=0.01)
    await worker.run_until_idle()
    assert sorted(p["key"] for _, p in recorder.seen) == ["a", "b", "c"]


def test_a_claim_reads_the_due_index_in_order_whatever_the_backlog(sessions) -> None:
    """The claim's statements find their few jobs in ix_jobs_due's order: no read and sort of every due job (with
    thousands of announcements queued that made each claim cost grow with the backlog)."""
    jobs = make_jobs(Recorder())
    with sessions() as db:
        jobs.enqueue_many(db, "test.work", [({"key": str(i)}, f"backlog-{i}") for i in range(50)])
        db.commit()
    plans = []
    with sessions() as db:
        connection = db.connection()
        captured: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith(("UPDATE", "WITH")):
                captured.append((statement, parameters))

        if connection.dialect.name == "postgresql":
            # A table this small would be read whole, and with 50 rows a sort costs next to nothing, so the planner
            # may pick either (it once took ix_jobs_order and sorted). Ask whether the statements can be answered
            # in ix_jobs_due's order, as they are on a real backlog: a statement that cannot still shows its Sort.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            connection.exec_driver_sql("ANALYZE jobs")  # the same statistics every run, not autovacuum's timing
        event.listen(connection, "before_cursor_execute", record)
        claimed = jobs_module.claim(db, "work", "w", 2, lease=60.0)
        event.remove(connection, "before_cursor_execute", record)
        explain = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "
        for statement, parameters in captured:
            rows = connection.exec_driver_sql(explain + statement, parameters).all()  # type: ignore[arg-type]
            plans.append(" ".join(str(value) for row in rows for value in row))
        db.rollback()
    assert len(claimed) == 2 and len(plans) == 2  # leases expired, then queued
    for plan in plans:
        assert "ix_jobs_due" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
