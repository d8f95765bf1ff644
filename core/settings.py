"""Settings from the environment, read once by an entry point and passed on (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    pseudonym_key: bytes
    encryption_key: bytes
    rasa_url: str
    action_server_url: str
    host: str
    port: int
    rasa_port: int
    action_port: int
    redis_url: str | None
    max_message_chars: int
    rasa_timeout: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("WINBOT_VAR_DIR", PROJECT_ROOT / "var")).resolve()
        rasa_port = _int(env, "RASA_PORT", 5005)
        action_port = _int(env, "ACTION_PORT", 5055)
        return cls(
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'winbot.db'}",
            pseudonym_key=_secret(env, "WINBOT_PSEUDONYM_KEY", var_dir),
            encryption_key=_secret(env, "WINBOT_ENCRYPTION_KEY", var_dir),
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            action_server_url=env.get("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}").rstrip("/"),
            host=env.get("HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8080),
            rasa_port=rasa_port,
            action_port=action_port,
            redis_url=env.get("REDIS_URL") or None,
            max_message_chars=_int(env, "WINBOT_MAX_MESSAGE_CHARS", 2000),
            rasa_timeout=float(env.get("WINBOT_RASA_TIMEOUT", "20")),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _secret(env: Mapping[str, str], name: str, var_dir: Path) -> bytes:
    """A 32-byte key: from the environment (hex) in production, else generated once under var/.

    A generated key is kept in ``var/secrets/<name>`` (mode 0600) so pseudonyms and encrypted data stay
    readable across restarts of a development machine.
    """
    raw = env.get(name)
    if raw:
        try:
            key = bytes.fromhex(raw)
        except ValueError as exc:
            raise SettingsError(f"{name} must be hex (e.g. from `openssl rand -hex 32`)") from exc
        if len(key) < 32:
            raise SettingsError(f"{name} must be at least 32 bytes (64 hex characters)")
        return key
    path = var_dir / "secrets" / name.lower()
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    path.write_text(key.hex())
    path.chmod(0o600)
    return key
