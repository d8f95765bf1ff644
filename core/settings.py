"""Settings from the environment, read once by an entry point and passed on (never at import time)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    # Abuse limits of POST /api/chat (bot/limits.py): messages a minute and how many of them at once, per web
    # chat sender and per client address; 0 messages a minute turns a limit off.
    chat_limit_sender: int = 20
    chat_burst_sender: int = 10
    chat_limit_address: int = 120
    chat_burst_address: int = 60
    #: Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: Bearer token for POST /api/understand from other machines than this one; None: loopback only.
    api_token: str | None = None
    #: The key variables that were not in the environment (their key was generated or read from var/secrets/).
    generated_keys: tuple[str, ...] = ()
    # Background jobs (core/jobs.py): inbound messages answered at once per worker process, how long a claimed
    # job is held before another worker may take it, how often an idle worker looks for due jobs, and whether
    # the gateway process runs a worker itself (`winbot run` starts a separate `winbot worker` instead).
    inbound_concurrency: int = 8
    job_lease_seconds: float = 60.0
    job_poll_seconds: float = 0.25
    gateway_runs_jobs: bool = True
    # Talking to a person (core/handoff.py): when staff answer ("default" and per labour-market region, in
    # Amsterdam time), and the timeouts of the queue, in minutes; chats one staff member may own at once.
    office_hours: Mapping[str, str] = field(default_factory=lambda: {"default": DEFAULT_OFFICE_HOURS})
    handoff_no_answer_minutes: float = 30.0
    handoff_claim_minutes: float = 10.0
    handoff_silent_minutes: float = 240.0
    #: A chat staff closed as "solved" is reopened when the user writes again within this time (0: never).
    handoff_reopen_minutes: float = 4320.0
    staff_max_chats: int = 5
    # Visit announcements (issue 9): when reminders go out (core.announcements.parse_reminders), the outbound
    # queue's sends a second and at once per worker process, and the WhatsApp template per message kind.
    visit_reminders: str = "-1d@18:00,2h"
    #: Bot API messages a second from this process (python-telegram-bot's AIORateLimiter); Telegram's free limit.
    telegram_max_rate: float = 30.0
    outbound_rate: float = 28.0
    outbound_concurrency: int = 8
    #: Message kind (announcement, reminder, change, cancellation) -> approved template name.
    whatsapp_visit_templates: Mapping[str, str] = field(default_factory=dict)
    # Where a housing location's QR code leads (core/qr.py): the bot's @name on Telegram, the WhatsApp number
    # residents write to, and the web chat's public address.
    telegram_bot_username: str | None = None
    whatsapp_display_number: str | None = None
    public_url: str = "http://127.0.0.1:8080"

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_access_token is not None

    @property
    def is_postgresql(self) -> bool:
        return urlsplit(self.database_url).scheme.split("+")[0] in ("postgresql", "postgres")

    def require_production_keys(self) -> None:
        """Refuse to serve on PostgreSQL (production, maybe several replicas) with keys generated on this machine.

        Each replica would generate its own keys: the same person would get a different pseudonym on each,
        and one replica could not read what another encrypted.
        """
        if not self.is_postgresql or not self.generated_keys:
            return
        missing = " and ".join(self.generated_keys)
        exports = "; ".join(f"export {name}=$(openssl rand -hex 32)" for name in self.generated_keys)
        raise SettingsError(
            f"DATABASE_URL is PostgreSQL (production), so the keys must come from the environment, the same on "
            f"every replica: set {missing} (64 hex characters each), e.g. `{exports}`, and keep them safe. "
            f"To keep data made with this machine's generated keys, use the values in {self.var_dir / 'secrets'}/."
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("WINBOT_VAR_DIR", PROJECT_ROOT / "var")).resolve()
        rasa_port = _int(env, "RASA_PORT", 5005)
        action_port = _int(env, "ACTION_PORT", 5055)
        key_names = ("WINBOT_PSEUDONYM_KEY", "WINBOT_ENCRYPTION_KEY")
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
            **_limits(env),  # type: ignore[arg-type]  # mypy cannot tie the dict's keys to the int fields
            trusted_proxies=_trusted_proxies(env),
            api_token=_api_token(env),
            generated_keys=tuple(name for name in key_names if not env.get(name)),
            inbound_concurrency=max(1, _int(env, "WINBOT_INBOUND_CONCURRENCY", 8)),
            job_lease_seconds=_float(env, "WINBOT_JOB_LEASE_SECONDS", 60.0),
            job_poll_seconds=_float(env, "WINBOT_JOB_POLL_SECONDS", 0.25),
            gateway_runs_jobs=(env.get("WINBOT_GATEWAY_WORKER") or "1") not in ("0", "false", "no"),
            office_hours=_office_hours(env),
            handoff_no_answer_minutes=_float(env, "WINBOT_HANDOFF_NO_ANSWER_MINUTES", 30.0),
            handoff_claim_minutes=_float(env, "WINBOT_HANDOFF_CLAIM_MINUTES", 10.0),
            handoff_silent_minutes=_float(env, "WINBOT_HANDOFF_SILENT_MINUTES", 240.0),
            handoff_reopen_minutes=_float(env, "WINBOT_HANDOFF_REOPEN_MINUTES", 4320.0, zero_allowed=True),
            staff_max_chats=max(1, _int(env, "WINBOT_STAFF_MAX_CHATS", 5)),
            visit_reminders=_reminders(env),
            telegram_max_rate=_float(env, "TELEGRAM_MAX_RATE", 30.0),
            outbound_rate=_float(env, "WINBOT_OUTBOUND_RATE", 28.0),
            outbound_concurrency=max(1, _int(env, "WINBOT_OUTBOUND_CONCURRENCY", 8)),
            whatsapp_visit_templates=_visit_templates(env),
            telegram_bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            whatsapp_display_number=env.get("WHATSAPP_DISPLAY_NUMBER") or None,
            public_url=(env.get("WINBOT_PUBLIC_URL") or "http://127.0.0.1:8080").rstrip("/"),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


DEFAULT_OFFICE_HOURS = "mon-fri 09:00-17:00"


def _office_hours(env: Mapping[str, str]) -> dict[str, str]:
    """WINBOT_OFFICE_HOURS (every region) and WINBOT_OFFICE_HOURS_FILE (YAML: region name -> hours), checked."""
    from core.handoff import OfficeHours

    hours = {"default": env.get("WINBOT_OFFICE_HOURS") or DEFAULT_OFFICE_HOURS}
    path = env.get("WINBOT_OFFICE_HOURS_FILE")
    if path:
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SettingsError(f"WINBOT_OFFICE_HOURS_FILE {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise SettingsError(f"WINBOT_OFFICE_HOURS_FILE {path}: a mapping 'region: mon-fri 09:00-17:00' is needed")
        hours.update({str(k): str(v) for k, v in data.items()})
    for region, spec in hours.items():
        try:
            OfficeHours.parse(spec)
        except ValueError as exc:
            raise SettingsError(f"office hours of {region}: {exc}") from exc
    return hours


def _float(env: Mapping[str, str], name: str, default: float, zero_allowed: bool = False) -> float:
    """A positive number (or 0 when ``zero_allowed``: a feature switched off)."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0 or (value == 0 and not zero_allowed):
        raise SettingsError(f"{name} must be more than 0{' (or 0)' if zero_allowed else ''}, got {raw!r}")
    return value


def _limits(env: Mapping[str, str]) -> dict[str, int]:
    values = {
        "chat_limit_sender": _int(env, "WINBOT_CHAT_LIMIT_SENDER", 20),
        "chat_burst_sender": _int(env, "WINBOT_CHAT_BURST_SENDER", 10),
        "chat_limit_address": _int(env, "WINBOT_CHAT_LIMIT_ADDRESS", 120),
        "chat_burst_address": _int(env, "WINBOT_CHAT_BURST_ADDRESS", 60),
    }
    for key, value in values.items():
        name = f"WINBOT_{key.upper()}"
        if value < 0:
            raise SettingsError(f"{name} must be 0 or more, got {value}")
        if key.startswith("chat_burst") and value < 1:
            raise SettingsError(f"{name} must be at least 1 (how many messages may come at once)")
    return values


def _trusted_proxies(env: Mapping[str, str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """WINBOT_TRUSTED_PROXIES: comma-separated addresses (or networks) of the reverse proxies in front of us."""
    proxies = []
    for item in (env.get("WINBOT_TRUSTED_PROXIES") or "").split(","):
        if item.strip():
            try:
                proxies.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as exc:
                raise SettingsError(
                    f"WINBOT_TRUSTED_PROXIES must be comma-separated IP addresses (or networks) of your reverse "
                    f"proxies, e.g. '127.0.0.1' or '10.0.0.5,10.0.0.6'; {item.strip()!r} is not one"
                ) from exc
    return tuple(proxies)


def _api_token(env: Mapping[str, str]) -> str | None:
    token = env.get("WINBOT_API_TOKEN") or None
    if token is not None and (len(token) < 16 or not token.isascii() or not token.isprintable() or " " in token):
        raise SettingsError(
            "WINBOT_API_TOKEN must be at least 16 printable ASCII characters without spaces "
            "(e.g. from `openssl rand -hex 32`)"
        )
    return token


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


def _reminders(env: Mapping[str, str]) -> str:
    """WINBOT_VISIT_REMINDERS, checked now so a typo stops the start, not the first reminder."""
    from core.reminders import DEFAULT_REMINDERS, parse_reminders

    value = env.get("WINBOT_VISIT_REMINDERS")
    value = DEFAULT_REMINDERS if value is None else value
    try:
        parse_reminders(value)
    except ValueError as exc:
        raise SettingsError(f"WINBOT_VISIT_REMINDERS: {exc}") from exc
    return value


#: Message kind -> its template variable. A reminder without its own template uses the announcement's (same
#: parameters: date, time, place); a change or cancellation needs its own wording.
VISIT_TEMPLATE_VARIABLES = {
    "announcement": "WHATSAPP_VISIT_TEMPLATE",
    "reminder": "WHATSAPP_VISIT_REMINDER_TEMPLATE",
    "change": "WHATSAPP_VISIT_CHANGE_TEMPLATE",
    "cancellation": "WHATSAPP_VISIT_CANCEL_TEMPLATE",
}


def _visit_templates(env: Mapping[str, str]) -> dict[str, str]:
    templates = {kind: env[name].strip() for kind, name in VISIT_TEMPLATE_VARIABLES.items()
                 if env.get(name, "").strip()}
    if "reminder" not in templates and "announcement" in templates:
        templates["reminder"] = templates["announcement"]
    return templates
