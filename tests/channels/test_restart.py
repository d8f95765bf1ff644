"""Nothing is lost when the gateway stops between the webhook's 200 and the reply.

The gateway runs as a real process (uvicorn, as `winbot run` starts it) with its own worker, against a fake Graph
API and a fake Rasa on 127.0.0.1. Rasa hangs while the message is being answered; the gateway is killed
(SIGKILL: no chance to clean up) and started again. The user gets exactly one answer, and operators can list and
retry a message that keeps failing.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import cli_jobs
from core.db.migrate import upgrade
from core.db.models import Job, JobStatus
from core.db.session import make_engine, make_session_factory
from core.settings import Settings
from tests.channels.conftest import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, FakeGraph, ServerThread
from tests.channels.test_whatsapp import notification, sign, text

ROOT = Path(__file__).resolve().parents[2]


class HangingRasa:
    """Rasa's REST channel that can be told to hang (as a slow model would) until released."""

    def __init__(self) -> None:
        self.hang = threading.Event()
        self.received: list[dict] = []
        self.app = Starlette(routes=[Route("/webhooks/rest/webhook", self.webhook, methods=["POST"]),
                                     Route("/status", self.status)])

    async def webhook(self, request: Request) -> Response:
        import asyncio

        body = json.loads(await request.body())
        self.received.append(body)
        while self.hang.is_set():
            await asyncio.sleep(0.05)
        text = body["metadata"].get("original_text") or body["message"]
        return JSONResponse([{"recipient_id": body["sender"], "text": f"answer: {text}"}])

    async def status(self, request: Request) -> Response:
        return JSONResponse({"model_file": "models/fake.tar.gz"})


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gateway:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "bot.gateway:create_app", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-access-log"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the gateway exited; see {self.log}"
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/ui", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the gateway did not start; see {self.log}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def rasa() -> Iterator[HangingRasa]:
    fake = HangingRasa()
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with ServerThread(fake.app) as url:
        fake.url = url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def gateway(tmp_path, rasa, graph) -> Iterator[Gateway]:
    env = {
        **os.environ,
        "WINBOT_VAR_DIR": str(tmp_path), "RASA_URL": rasa.url, "ACTION_SERVER_URL": "http://127.0.0.1:9",
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET, "WHATSAPP_API_BASE_URL": graph.url,
        "WINBOT_GATEWAY_WORKER": "1", "WINBOT_JOB_LEASE_SECONDS": "2", "WINBOT_JOB_POLL_SECONDS": "0.1",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN"):
        env.pop(name, None)
    upgrade(Settings.from_env(env).database_url)
    process = Gateway(env, _free_port(), tmp_path / "gateway.log")
    yield process
    process.kill()


def test_a_gateway_killed_between_the_200_and_the_reply_answers_once_after_a_restart(gateway, rasa, graph) -> None:
    number = "40722111333"
    gateway.start()
    rasa.hang.set()
    body = json.dumps(notification(text(number, "Cum mă înregistrez la primărie?"))).encode()
    response = httpx.post(f"http://127.0.0.1:{gateway.port}/webhooks/whatsapp", content=body,
                          headers={"content-type": "application/json", "X-Hub-Signature-256": sign(body)})
    assert response.status_code == 200
    deadline = time.monotonic() + 20
    while not rasa.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rasa.received, "the worker never asked Rasa"
    gateway.kill()  # between the acknowledgement and the reply
    assert graph.sent_to(number) == []

    rasa.hang.clear()
    gateway.start()
    (reply,) = graph.wait_sent(number)
    assert reply["text"]["body"] == "answer: Cum mă înregistrez la primărie?"
    time.sleep(3)  # longer than the lease: nothing else may come
    assert len(graph.sent_to(number)) == 1
    engine = make_engine(Settings.from_env(gateway.env).database_url)
    with make_session_factory(engine)() as db:
        assert [job.status for job in db.query(Job).filter(Job.task == "whatsapp.message")] == [JobStatus.DONE]
    engine.dispose()


def test_a_message_that_keeps_failing_is_a_dead_letter_an_operator_can_retry(gateway, rasa, graph) -> None:
    number = "48600777888"
    for _ in range(12):  # every attempt: Meta answers 500 (the sender retries four times per attempt)
        graph.fail_next(500, 1, "temporarily unavailable")
    env = {**gateway.env, "WINBOT_JOB_LEASE_SECONDS": "60"}
    gateway.env = env
    gateway.start()
    body = json.dumps(notification(text(number, "Czy potrzebuję ubezpieczenia?"))).encode()
    httpx.post(f"http://127.0.0.1:{gateway.port}/webhooks/whatsapp", content=body,
               headers={"content-type": "application/json", "X-Hub-Signature-256": sign(body)})
    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with sessions() as db:  # make the retries due at once instead of waiting for the backoff
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = db.query(Job).filter(Job.task == "whatsapp.message").one_or_none()
            if job is not None and job.status is JobStatus.FAILED:
                break
            if job is not None and job.status is JobStatus.QUEUED and job.attempts:
                job.run_at = job.created_at
                job.max_attempts = 3
                db.commit()
            db.expire_all()
            time.sleep(0.1)
        assert job is not None and job.status is JobStatus.FAILED, "the job never became a dead letter"
    out = io.StringIO()
    assert cli_jobs.run(Namespace(action="failed", json=False, limit=100), settings, out) == 0
    assert "whatsapp.message" in out.getvalue() and "GraphError" in out.getvalue()
    assert number not in out.getvalue()  # no personal data in what operators see
    assert graph.sent_to(number) == []

    out = io.StringIO()  # Meta is back: the operator retries, the user gets the answer once
    assert cli_jobs.run(Namespace(action="retry", ids=[job.id], all=False), settings, out) == 0
    assert "1 job(s) queued again" in out.getvalue()
    graph.wait_sent(number)
    time.sleep(1)
    assert len(graph.sent_to(number)) == 1
    out = io.StringIO()
    cli_jobs.run(Namespace(action="failed", json=False, limit=100), settings, out)
    assert out.getvalue().strip() == "no failed jobs"
    engine.dispose()
