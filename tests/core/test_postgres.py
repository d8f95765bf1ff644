"""The same migrations and router on PostgreSQL (production's database), started by `make test`.

`make test` (scripts/test-services) starts PostgreSQL and Redis and sets WINBOT_TEST_POSTGRES_URL,
WINBOT_TEST_STACK_DATABASE_URL and WINBOT_TEST_REDIS_URL, and WINBOT_REQUIRE_SERVICES=1: there, and in CI (CI=true),
a missing service fails the tests. A developer running pytest by hand without them gets skips.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import NoReturn
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import inspect, select, text

from bot.rasa_client import RasaClient
from bot.router import Incoming, Router
from core.db.migrate import upgrade
from core.db.models import ChannelAddress, InboundMessage, MessageStatus, User
from core.db.session import make_engine, make_session_factory
from core.db.uow import UnitOfWork
from core.places import Gazetteer
from core.privacy import Vault
from tests.bot.test_gateway import FakeRasa

URL = os.environ.get("WINBOT_TEST_POSTGRES_URL")
SERVICE_VARIABLES = ("WINBOT_TEST_POSTGRES_URL", "WINBOT_TEST_STACK_DATABASE_URL", "WINBOT_TEST_REDIS_URL")


def services_required() -> bool:
    """In CI and under `make test` a missing database or Redis is an error, not a reason to skip."""
    return any(os.environ.get(name, "").lower() not in ("", "0", "false", "no")
               for name in ("CI", "WINBOT_REQUIRE_SERVICES"))


def missing_service(message: str) -> NoReturn:
    if services_required():
        pytest.fail(f"{message}: `make test` starts PostgreSQL and Redis (scripts/test-services) and sets it")
    pytest.skip(f"{message} (`eval \"$(scripts/test-services)\"` starts the services and sets it)")


@pytest.fixture
def postgres_url() -> str:
    if not URL:
        missing_service("WINBOT_TEST_POSTGRES_URL is not set")
    engine = make_engine(URL)
    with engine.begin() as connection:  # every table there is, so a new migration's tables go too
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()
    return URL


async def test_router_on_postgres_keeps_messages_and_hides_addresses(postgres_url: str) -> None:
    upgrade(postgres_url)
    upgrade(postgres_url)  # idempotent
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    fake = FakeRasa()
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)))
    router = Router(rasa, Gazetteer.load(), b"p" * 32, Vault(b"v" * 32))
    address = f"+3161{uuid.uuid4().int % 10**7:07d}"

    async with UnitOfWork(sessions) as uow:
        first = await router.handle(Incoming("whatsapp", address, "Bună ziua, am o întrebare despre salariu"), uow)
    assert first.language == "ro"
    fake.down = True
    async with UnitOfWork(sessions) as uow:
        await router.handle(Incoming("whatsapp", address, "Cât este salariul minim pe oră?"), uow)
    with sessions() as db:
        user = db.scalars(select(User)).one()
        assert user.language == "ro" and address not in user.id
        stored = db.scalars(select(ChannelAddress)).one()
        assert address not in stored.address_encrypted
        assert Vault(b"v" * 32).decrypt(stored.address_encrypted) == address
        statuses = [m.status for m in db.scalars(select(InboundMessage).order_by(InboundMessage.id))]
        assert statuses == [MessageStatus.ANSWERED, MessageStatus.PENDING]
    await rasa.aclose()
    engine.dispose()


def test_every_service_is_there_when_required() -> None:
    """The stack tests quietly fall back to SQLite and no Redis without their URLs (tests/conftest.py); in CI and
    under `make test` they must run as production does, so every URL must be set and its service must answer."""
    if not services_required():
        pytest.skip("only checked in CI and under `make test` (CI or WINBOT_REQUIRE_SERVICES set)")
    missing = [name for name in SERVICE_VARIABLES if not os.environ.get(name)]
    assert not missing, f"not set: {', '.join(missing)}; `make test` starts the services and sets them"
    engine = make_engine(os.environ["WINBOT_TEST_STACK_DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    redis = urlsplit(os.environ["WINBOT_TEST_REDIS_URL"])
    with socket.create_connection((redis.hostname or "127.0.0.1", redis.port or 6379), timeout=5) as connection:
        connection.sendall(b"PING\r\n")
        assert connection.recv(64).startswith(b"+PONG"), "Redis did not answer PING"
