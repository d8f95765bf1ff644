"""`winbot run`: migrate, train if needed, then start and supervise Rasa, the action server, the gateway and a
job worker.

A process that dies is restarted (with a growing pause); Ctrl-C stops all four.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bot.training import ensure_model, rasa_bin
from core.db.migrate import upgrade
from core.settings import PROJECT_ROOT, Settings


def seed_help_points(settings: Settings) -> None:
    """A new database starts with the sourced help points (core/geodata/help_points.csv); operators edit them."""
    from core.db.session import make_engine, make_session_factory
    from core.helppoints.registry import seed_if_empty

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        added = seed_if_empty(session)
        session.commit()
    engine.dispose()
    if added:
        print(f"added {added} help points from core/geodata/help_points.csv", flush=True)


def write_endpoints(settings: Settings) -> Path:
    """var/endpoints.yml: endpoints.yml with the tracker and lock stores this deployment uses."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"{settings.action_server_url}/webhook"
    url = settings.database_url
    if url.startswith("postgresql"):
        parts = urlsplit(url)
        endpoints["tracker_store"] = {
            "type": "SQL", "dialect": "postgresql", "url": parts.hostname or "localhost", "port": parts.port or 5432,
            "db": parts.path.lstrip("/"), "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
        }
    else:
        endpoints["tracker_store"] = {"type": "SQL", "dialect": "sqlite",
                                      "db": str(settings.var_dir / "rasa-tracker.db")}
    if settings.redis_url:
        parts = urlsplit(settings.redis_url)
        endpoints["lock_store"] = {"type": "redis", "url": parts.hostname, "port": parts.port or 6379,
                                   "db": int(parts.path.lstrip("/") or 0), "key_prefix": "winbot"}
        if parts.password:
            endpoints["lock_store"]["password"] = unquote(parts.password)
    path = settings.var_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    path.chmod(0o600)
    return path


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    def start(self) -> None:
        log = open(Path(self.env["WINBOT_VAR_DIR"]) / "logs" / f"{self.name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=log,
                                        start_new_session=True)
        self.started_at = time.monotonic()
        print(f"  {self.name:8} pid {self.process.pid}  (log: var/logs/{self.name}.log)", flush=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)


def children(settings: Settings, model: Path, endpoints: Path) -> list[Child]:
    env = {**os.environ, "WINBOT_VAR_DIR": str(settings.var_dir), "PYTHONUNBUFFERED": "1"}
    rasa_env = {k: v for k, v in env.items() if not k.startswith(("WINBOT_", "TELEGRAM_", "WHATSAPP_"))}
    rasa_env.update(WINBOT_VAR_DIR=str(settings.var_dir), LOG_LEVEL="WARNING")
    python = sys.executable
    return [
        Child("rasa", [str(rasa_bin()), "run", "--enable-api", "--model", str(model), "--endpoints", str(endpoints),
                       "--credentials", "credentials.yml", "--interface", "127.0.0.1",
                       "--port", str(settings.rasa_port)], rasa_env),
        Child("actions", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
              {**env, "SANIC_HOST": "127.0.0.1"}),
        Child("gateway", [python, "-m", "uvicorn", "--factory", "bot.gateway:create_app", "--host", settings.host,
                          "--port", str(settings.port), "--no-access-log"], {**env, "WINBOT_GATEWAY_WORKER": "0"}),
        # Background jobs: answers to Telegram and WhatsApp messages the gateway queued (core/jobs.py).
        Child("worker", [python, "-m", "bot.cli", "worker"], env),
    ]


def run(settings: Settings) -> int:
    settings.require_production_keys()  # before anything starts: the gateway would refuse anyway
    (settings.var_dir / "logs").mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    seed_help_points(settings)
    model = ensure_model()
    endpoints = write_endpoints(settings)
    procs = children(settings, model, endpoints)
    print(f"starting winbot on http://{settings.host}:{settings.port}  (Ctrl-C stops everything)", flush=True)
    for child in procs:
        child.start()
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            time.sleep(0.5)
            for child in procs:
                if child.process and child.process.poll() is not None and not stopping:
                    code = child.process.returncode
                    child.restarts += 1
                    pause = min(30, 2 ** min(child.restarts, 5))
                    print(f"{child.name} exited with {code}; restarting in {pause} s", flush=True)
                    time.sleep(pause)
                    if time.monotonic() - child.started_at > 300:
                        child.restarts = 0
                    child.start()
    finally:
        print("stopping ...", flush=True)
        for child in procs:
            child.stop()
        deadline = time.monotonic() + 15
        for child in procs:
            while child.process and child.process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            child.kill()
    return 0
