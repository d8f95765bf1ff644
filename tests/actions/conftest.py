"""Every action run has a database session of its own (one unit of work per run): give each test a fresh,
migrated SQLite database, and settings read anew."""

from __future__ import annotations

import pytest

import actions.base
from core.db.migrate import upgrade


def _clear() -> None:
    for cached in (actions.base.sessions, actions.base.app_settings, actions.base.vault):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def action_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WINBOT_VAR_DIR", str(tmp_path))
    _clear()
    upgrade(url)
    yield url
    _clear()
