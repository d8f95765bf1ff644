"""Settings from the environment, read once by an entry point and passed on (never at import time)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # Channels (issue 4): each is off until its settings are given.
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_template_name: str | None = None
    #: Our language -> the language code of the approved template's translation at Meta.
    whatsapp_template_languages: Mapping[str, str] = field(default_factory=dict)

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_access_token is not None

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
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=(env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org").rstrip("/"),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            telegram_webhook_secret=_webhook_secret(env),
            **_whatsapp(env),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z, a-z, 0-9, '_' and '-' (Telegram's rule)")
    return secret


WHATSAPP_REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET",
)
DEFAULT_TEMPLATE_LANGUAGES = "pl=pl,ro=ro,bg=bg,uk=uk,en=en,nl=nl"


def _whatsapp(env: Mapping[str, str]) -> dict[str, Any]:
    """WhatsApp is on when all four credentials are set, off when none is; half a configuration is an error."""
    given = [name for name in WHATSAPP_REQUIRED if env.get(name)]
    if given and len(given) < len(WHATSAPP_REQUIRED):
        missing = ", ".join(name for name in WHATSAPP_REQUIRED if name not in given)
        raise SettingsError(f"WhatsApp needs {missing} as well (or none of the WHATSAPP_ variables)")
    languages: dict[str, str] = {}
    for item in (env.get("WHATSAPP_TEMPLATE_LANGUAGES") or DEFAULT_TEMPLATE_LANGUAGES).split(","):
        ours, _, theirs = item.strip().partition("=")
        if not ours or not theirs:
            raise SettingsError(f"WHATSAPP_TEMPLATE_LANGUAGES must look like 'pl=pl,en=en_US', got {item!r}")
        languages[ours.strip()] = theirs.strip()
    return {
        "whatsapp_access_token": env.get("WHATSAPP_ACCESS_TOKEN") or None,
        "whatsapp_phone_number_id": env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
        "whatsapp_verify_token": env.get("WHATSAPP_VERIFY_TOKEN") or None,
        "whatsapp_app_secret": env.get("WHATSAPP_APP_SECRET") or None,
        "whatsapp_api_base_url": (env.get("WHATSAPP_API_BASE_URL") or "https://graph.facebook.com/v21.0").rstrip("/"),
        "whatsapp_template_name": env.get("WHATSAPP_TEMPLATE_NAME") or None,
        "whatsapp_template_languages": languages,
    }


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
