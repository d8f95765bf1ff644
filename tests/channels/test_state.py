"""Channel state on SQLite and (when WINBOT_TEST_POSTGRES_URL is set, as in CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import text

from bot.channels.state import ChannelState, purge_rasa_events
from core.db.migrate import upgrade
from core.db.models import ChannelAddress, ProcessedDelivery, User
from core.db.session import make_engine, make_session_factory
from core.privacy import Vault

POSTGRES = os.environ.get("WINBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("WINBOT_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set WINBOT_TEST_POSTGRES_URL)")
    return POSTGRES


@pytest.fixture
def state(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    yield ChannelState(make_session_factory(engine), Vault(b"v" * 32))
    engine.dispose()


def new_user(state: ChannelState, channel: str = "telegram") -> str:
    user_id = f"{channel[:2]}-{uuid.uuid4().hex}"
    with state.sessions() as db:
        db.add(User(id=user_id, channel=channel, language="ro"))
        db.flush()
        db.add(ChannelAddress(user_id=user_id, channel=channel, address_encrypted=state.vault.encrypt("4242")))
        db.commit()
    return user_id


def test_a_delivery_is_claimed_once_and_old_ones_are_pruned(state) -> None:
    key = uuid.uuid4().hex
    assert state.claim_delivery("whatsapp", key) is True
    assert state.claim_delivery("whatsapp", key) is False
    assert state.claim_delivery("telegram", key) is True  # per channel
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=9)
    assert state.prune_deliveries(now=later) >= 2
    with state.sessions() as db:
        assert db.query(ProcessedDelivery).filter(ProcessedDelivery.key == key).count() == 0
    assert state.claim_delivery("whatsapp", key) is True


def test_reachability_and_the_window(state) -> None:
    user_id = new_user(state, "whatsapp")
    assert state.is_active(user_id) and not state.window_open(user_id)
    state.record_inbound(user_id, "whatsapp")
    assert state.window_open(user_id)
    assert not state.window_open(user_id, dt.datetime.now(dt.UTC) + dt.timedelta(hours=25))
    state.mark_inactive(user_id, "whatsapp", "undeliverable")
    assert not state.is_active(user_id)
    state.record_inbound(user_id, "whatsapp")
    assert state.is_active(user_id)
    state.close_window(user_id)
    assert not state.window_open(user_id)
    state.mark_inactive("te-unknown", "telegram", "blocked the bot")  # an unknown user: nothing to record
    assert state.address(user_id, "whatsapp") == "4242" and state.language(user_id) == "ro"


def test_long_payloads_get_stable_short_ids(state) -> None:
    payload = '/brp_registration{"subtopic":"brp_registration/' + uuid.uuid4().hex + '"}'
    key = state.button_id(payload, 64)
    assert key.startswith("#") and len(key.encode()) <= 64
    assert state.button_id(payload, 64) == key
    assert ChannelState(state.sessions, state.vault).resolve_button(key) == payload  # from the database
    assert state.button_id("/greet", 64) == "/greet" and state.resolve_button("/greet") == "/greet"
    assert state.resolve_button("#unknown") is None


def test_erasing_a_user_cascades(state) -> None:
    user_id = new_user(state)
    state.record_inbound(user_id, "telegram")
    assert state.erase_user(user_id) is True
    assert state.address(user_id, "telegram") is None and state.language(user_id) is None
    assert state.erase_user(user_id) is False


def test_purging_rasa_events(database_url) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    sender = f"te-{uuid.uuid4().hex}"
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                                "type_name VARCHAR(255), data TEXT)"))
        for who in (sender, sender, "te-someone-else"):
            connection.execute(text("INSERT INTO events (id, sender_id, type_name, data) VALUES (:id, :s, 'user', '')"),
                               {"id": uuid.uuid4().int % 2**31, "s": who})
    try:
        assert purge_rasa_events(database_url, sender) == 2
        assert purge_rasa_events(database_url, sender) == 0
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE events"))
        engine.dispose()
