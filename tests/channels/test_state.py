"""Channel state on SQLite and (when WINBOT_TEST_POSTGRES_URL is set, as in CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import text

from bot.channels.state import ChannelState, purge_rasa_events
from core.db.migrate import upgrade
from core.db.models import ChannelAddress, User
from core.db.session import make_engine, make_session_factory
from core.privacy import Vault

POSTGRES = os.environ.get("WINBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    if not POSTGRES:
        if os.environ.get("CI") or os.environ.get("WINBOT_REQUIRE_SERVICES"):
            pytest.fail("WINBOT_TEST_POSTGRES_URL is not set: `make test` starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set WINBOT_TEST_POSTGRES_URL)")
    return POSTGRES


@pytest.fixture
def db(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def state() -> ChannelState:
    return ChannelState(Vault(b"v" * 32))


def new_user(db, state: ChannelState, channel: str = "telegram") -> str:
    user_id = f"{channel[:2]}-{uuid.uuid4().hex}"
    db.add(User(id=user_id, channel=channel, language="ro"))
    db.flush()
    db.add(ChannelAddress(user_id=user_id, channel=channel, address_encrypted=state.vault.encrypt("4242")))
    db.commit()
    return user_id


def test_reachability_and_the_window(db, state) -> None:
    user_id = new_user(db, state, "whatsapp")
    assert state.is_active(db, user_id) and not state.window_open(db, user_id)
    state.record_inbound(db, user_id, "whatsapp")
    db.commit()
    assert state.window_open(db, user_id)
    assert not state.window_open(db, user_id, dt.datetime.now(dt.UTC) + dt.timedelta(hours=25))
    state.mark_inactive(db, user_id, "whatsapp", "undeliverable")
    db.commit()
    assert not state.is_active(db, user_id)
    state.record_inbound(db, user_id, "whatsapp")
    assert state.is_active(db, user_id)
    state.close_window(db, user_id)
    assert not state.window_open(db, user_id)
    state.mark_inactive(db, "te-unknown", "telegram", "blocked the bot")  # an unknown user: nothing to record
    db.commit()
    assert state.address(db, user_id, "whatsapp") == "4242" and state.language(db, user_id) == "ro"


def test_long_payloads_get_stable_short_ids(db, state) -> None:
    payload = '/brp_registration{"subtopic":"brp_registration/' + uuid.uuid4().hex + '"}'
    key = state.button_ids(db, [payload], 64)[payload]
    db.commit()
    assert key.startswith("#") and len(key.encode()) <= 64
    assert state.button_ids(db, [payload, payload], 64) == {payload: key}
    db.commit()
    assert ChannelState(state.vault).resolve_button(db, key) == payload  # from the database
    assert state.button_ids(db, ["/greet"], 64) == {"/greet": "/greet"}
    assert state.resolve_button(db, "/greet") == "/greet"
    assert state.resolve_button(db, "#unknown") is None
    # Another process stored the same payload at the same moment: no error, the same key.
    assert ChannelState(state.vault).button_ids(db, [payload], 64) == {payload: key}
    db.commit()


def test_erasing_a_user_cascades(db, state) -> None:
    user_id = new_user(db, state)
    state.record_inbound(db, user_id, "telegram")
    db.commit()
    assert state.erase_user(db, user_id) is True
    db.commit()
    db.expire_all()
    assert state.address(db, user_id, "telegram") is None and state.language(db, user_id) is None
    assert state.erase_user(db, user_id) is False


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
