"""The gateway: web chat page, its JSON API and health check (ASGI, Starlette).

Run with ``uvicorn --factory bot.gateway:create_app``; the supervisor (``winbot run``) does that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.guard import Guard
from bot.http import MAX_BODY_BYTES, BadRequest, read_json
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.router import Incoming
from bot.runtime import build_runtime
from bot.staff import StaffConsole
from core import inbox
from core.content.ui import UI_STRINGS
from core.db.uow import UnitOfWork
from core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, normalise_language, use_locale
from core.settings import Settings

__all__ = ["MAX_BODY_BYTES", "BadRequest", "create_app", "read_json"]

log = logging.getLogger("winbot.gateway")
STATIC = Path(__file__).resolve().parent / "web" / "static"
_SENDER = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
#: The push stream looks into the user's inbox this often, and ends after a while (the browser reconnects).
EVENTS_POLL_SECONDS = 1.0
EVENTS_MAX_SECONDS = 300.0


def _location(value: object) -> tuple[float, float] | None:
    """A shared location {"lat": .., "lon": ..} from the browser, checked; None when not given."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(400, "location must be an object with lat and lon")
    lat, lon = value.get("lat"), value.get("lon")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        raise BadRequest(400, "location must be an object with lat and lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
        raise BadRequest(400, "location out of range")
    return float(lat), float(lon)  # type: ignore[arg-type]


def create_app(settings: Settings | None = None, rasa: RasaClient | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    settings.require_production_keys()  # PostgreSQL: the keys must come from the environment
    guard = Guard(settings)  # rate limits of /api/chat, who may use /api/understand
    # Telegram and WhatsApp, when configured: their updates are queued as jobs here; a worker (this process's
    # own, or `winbot worker`) answers them.
    runtime = build_runtime(settings, rasa, receive=True, answer=settings.gateway_runs_jobs)
    sessions, router, channels, rasa_client = runtime.sessions, runtime.router, runtime.channels, runtime.rasa
    worker = runtime.worker() if settings.gateway_runs_jobs else None

    async def chat(request: Request) -> Response:
        try:
            data = await read_json(request)
            sender, text = data.get("sender"), data.get("text")
            if not isinstance(sender, str) or not _SENDER.match(sender):
                raise BadRequest(400, "sender must be an opaque id of 8-128 letters, digits, '-' or '_'")
            if not isinstance(text, str):
                raise BadRequest(400, "text must be a string")
            hint = data.get("language_hint")
            hint = hint if isinstance(hint, str) and len(hint) <= 35 else None
            location = _location(data.get("location"))
        except BadRequest as exc:
            log.info("rejected /api/chat: %s %s", exc.status, exc.message)
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if (refused := guard.limit_chat(request, sender, hint)) is not None:
            return refused  # 429 with Retry-After and a polite line in the user's language
        async with UnitOfWork(sessions) as uow:  # one unit of work per message
            outgoing = await router.handle(Incoming("web", sender, text, hint, location), uow)
        return JSONResponse(outgoing.as_dict())

    async def chat_inbox(request: Request) -> Response:
        """GET /api/chat/inbox?sender=<id>: messages waiting for this web chat user (announcements), once.

        An unknown sender gets an empty list, exactly like a known one with nothing waiting."""
        sender = request.query_params.get("sender", "")
        if not _SENDER.match(sender):
            return JSONResponse({"error": "sender must be an opaque id of 8-128 letters, digits, '-' or '_'"},
                                status_code=400)
        if (refused := guard.limit_inbox(request, sender, request.query_params.get("lang"))) is not None:
            return refused
        user_id = router.user_id("web", sender)
        async with UnitOfWork(sessions) as uow:
            messages = await uow.transaction(inbox.take, router.vault, user_id)
        return JSONResponse({"messages": messages}, headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        """Server-sent events: the inbox pushed to an open web chat as it fills (the page falls back to polling
        ``/api/chat/inbox`` when the stream breaks). Each message goes out once, on the stream or the poll."""
        sender = request.query_params.get("sender", "")
        if not _SENDER.match(sender):
            return JSONResponse({"error": "sender must be an opaque id"}, status_code=400)
        if (refused := guard.limit_inbox(request, sender, request.query_params.get("lang"))) is not None:
            return refused
        user_id = router.user_id("web", sender)

        async def stream() -> AsyncIterator[str]:
            yield "retry: 3000\n\n"
            started = time.monotonic()
            while time.monotonic() - started < EVENTS_MAX_SECONDS and not await request.is_disconnected():
                async with UnitOfWork(sessions) as uow:
                    messages = await uow.transaction(inbox.take, runtime.vault, user_id)
                if messages:
                    yield f"data: {json.dumps({'messages': messages}, ensure_ascii=False)}\n\n"
                else:
                    yield ": keep-alive\n\n"
                await asyncio.sleep(EVENTS_POLL_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def understand(request: Request) -> Response:
        if (refused := guard.check_understand(request)) is not None:
            return refused  # 403: only from this machine or with WINBOT_API_TOKEN
        try:
            data = await read_json(request)
            text = data.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest(400, "text must be a non-empty string")
        except BadRequest as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        try:
            return JSONResponse(await router.understand(text[: settings.max_message_chars]))
        except RasaUnavailable as exc:
            return JSONResponse({"error": f"Rasa is not answering: {exc}"}, status_code=503)

    async def ui(request: Request) -> Response:
        language = normalise_language(request.query_params.get("lang"))
        with use_locale(language):
            strings = {key: gettext(text) for key, text in UI_STRINGS.items()}
        languages = [{"code": code, "name": LANGUAGE_NAMES[code]} for code in LANGUAGES]
        return JSONResponse({"language": language, "languages": languages, "strings": strings})

    async def healthz(request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            status = await rasa_client.status()
            checks["rasa"] = "ok" if status.get("model_file") else "no model loaded"
        except RasaUnavailable:
            checks["rasa"] = "unreachable"
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                response = await client.get(f"{settings.action_server_url}/health")
            checks["actions"] = "ok" if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError:
            checks["actions"] = "unreachable"
        healthy = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if healthy else "unavailable", **checks}
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        channels.start()
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            await worker.stop()
        await runtime.aclose()

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/chat", chat, methods=["POST"]),
            Route("/api/chat/inbox", chat_inbox, methods=["GET"]),
            Route("/api/chat/events", events),
            Route("/api/understand", understand, methods=["POST"]),
            *StaffConsole(runtime).routes(),
            Route("/api/ui", ui),
            Route("/healthz", healthz),
            *channels.routes(),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.router = router
    app.state.guard = guard
    app.state.channels = channels
    app.state.runtime = runtime
    app.state.worker = worker
    return app
