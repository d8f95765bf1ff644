"""Shared fixtures. `stack_url` starts the real stack (Rasa, actions, gateway) once per session."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
STACK_START_TIMEOUT = 600  # first run trains the model


@dataclass(frozen=True)
class Stack:
    url: str
    #: The environment the stack runs with, so `winbot` operator commands reach the same database.
    env: dict[str, str]
    #: The fake Telegram Bot API the stack polls (tests.channels.conftest.FakeTelegram); None for WINBOT_TEST_URL.
    telegram: Any = None


@pytest.fixture(scope="session")
def stack_url(stack: Stack) -> str:
    return stack.url


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A running stack: WINBOT_TEST_URL if given, else one started here on spare ports."""
    if os.environ.get("WINBOT_TEST_URL"):
        yield Stack(os.environ["WINBOT_TEST_URL"].rstrip("/"), dict(os.environ))
        return
    from tests.channels.conftest import TOKEN, FakeTelegram, ServerThread

    var_dir = tmp_path_factory.mktemp("stack-var")
    # Telegram too, against a fake Bot API on a free port (long polling), so a Telegram user can talk to the real
    # assistant and to staff (tests/e2e/test_handoff.py).
    telegram = FakeTelegram()
    telegram_server = ServerThread(telegram.app)
    telegram_url = telegram_server.__enter__()
    env = {
        **os.environ,
        "WINBOT_VAR_DIR": str(var_dir),
        # Override with WINBOT_TEST_PORTS="gateway,rasa,actions" to run two suites side by side.
        **dict(zip(("PORT", "RASA_PORT", "ACTION_PORT"),
                   os.environ.get("WINBOT_TEST_PORTS", "18080,15005,15055").split(","), strict=True)),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("TELEGRAM_WEBHOOK_URL", None)
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram_url)
    # Keys from the environment, as production must have them on PostgreSQL (Settings.require_production_keys).
    for name in ("WINBOT_PSEUDONYM_KEY", "WINBOT_ENCRYPTION_KEY"):
        env[name] = env.get(name) or secrets.token_hex(32)
    # Every test talks from 127.0.0.1, many conversations in a row: the abuse limits are tested in tests/bot/.
    env.update(WINBOT_CHAT_LIMIT_SENDER="6000", WINBOT_CHAT_BURST_SENDER="1000",
               WINBOT_CHAT_LIMIT_ADDRESS="60000", WINBOT_CHAT_BURST_ADDRESS="10000")
    # CI runs the stack as production does: PostgreSQL (app and Rasa's tracker store) and a Redis lock store.
    if os.environ.get("WINBOT_TEST_STACK_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["WINBOT_TEST_STACK_DATABASE_URL"]
    if os.environ.get("WINBOT_TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["WINBOT_TEST_REDIS_URL"]
    url = f"http://127.0.0.1:{env['PORT']}"
    log = open(var_dir / "supervisor.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdout=log, stderr=log,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + STACK_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the stack exited early; see {var_dir}/supervisor.log and {var_dir}/logs/")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the stack did not become healthy in {STACK_START_TIMEOUT} s; see {var_dir}/logs/")
            time.sleep(1)
        yield Stack(url, env, telegram)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
        telegram_server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def gazetteer():
    from core.places import Gazetteer

    return Gazetteer.load()
