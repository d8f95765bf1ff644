"""The same migrations and router on PostgreSQL (production's database), started by .ci/run."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from sqlalchemy import select, text

from bot.rasa_client import RasaClient
from bot.router import Incoming, Router
from core.db.migrate import upgrade
from core.db.models import ChannelAddress, InboundMessage, MessageStatus, User
from core.db.session import make_engine, make_session_factory
from core.places import Gazetteer
from core.privacy import Vault
from tests.bot.test_gateway import FakeRasa

URL = os.environ.get("WINBOT_TEST_POSTGRES_URL")


@pytest.fixture
def postgres_url() -> str:
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("WINBOT_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set WINBOT_TEST_POSTGRES_URL)")
    engine = make_engine(URL)
    with engine.begin() as connection:
        for table in ("subscriptions", "mobile_team_visits", "housing_locations", "help_points", "inbound_messages",
                      "channel_addresses", "processed_deliveries", "channel_user_states", "button_payloads", "users",
                      "alembic_version"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()
    return URL


async def test_router_on_postgres_keeps_messages_and_hides_addresses(postgres_url: str) -> None:
    upgrade(postgres_url)
    upgrade(postgres_url)  # idempotent
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    fake = FakeRasa()
    rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)))
    router = Router(sessions, rasa, Gazetteer.load(), b"p" * 32, Vault(b"v" * 32))
    address = f"+3161{uuid.uuid4().int % 10**7:07d}"

    first = await router.handle(Incoming("whatsapp", address, "Bună ziua, am o întrebare despre salariu"))
    assert first.language == "ro"
    fake.down = True
    await router.handle(Incoming("whatsapp", address, "Cât este salariul minim pe oră?"))
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
