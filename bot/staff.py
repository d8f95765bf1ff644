"""The staff console (web, in the gateway, no CDN) and the JSON API under it.

- ``POST /staff/login`` (form fields ``username``, ``password``) sets the session cookie (HttpOnly, SameSite=Strict,
  Secure over HTTPS); five wrong passwords lock an account for 15 minutes; logins are rate limited per address.
- ``GET /staff/api/session`` gives ``{"username", "role", "csrf"}``; every POST under ``/staff/api/`` needs the
  ``X-CSRF-Token`` header. Every route needs a login and the right role (``staff``/``admin`` for chats and reports,
  ``mobile_team``/``admin`` for visits); staff see their WIN-punt's region and the national queue.
- ``GET /staff/api/queue`` and ``GET /staff/api/chats/{id}`` (the issue's fields, plus ``reopened``: how often the
  user wrote again after the chat was closed as solved); ``POST /staff/api/chats/{id}/close`` with ``{"outcome"}``,
  one of ``OUTCOMES``: ``solved`` reopens the chat if the user writes again within WINBOT_HANDOFF_REOPEN_MINUTES.
- What users typed is only ever put into the page as text (the console's script uses ``textContent``), and
  server-rendered pages escape it.
- The mobile-team pages (visits, announcements, QR posters) are in bot/staff_visits.py.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.guard import address_key, client_ip
from bot.http import BadRequest, read_body, read_json
from bot.limits import TokenBucketLimiter, retry_after_header
from bot.runtime import Runtime
from bot.staff_visits import VisitPages
from core import handoff as chats
from core import monitoring, reports
from core import staff as accounts
from core.announcements import ANNOUNCE_QUEUE, OUTBOUND_QUEUE
from core.content import handoff_messages as hm
from core.content.catalog import ALL_ANSWERS
from core.db.models import ChatStatus, HandoffChat, Report, ReportStatus, StaffRole, User, utcnow
from core.db.uow import UnitOfWork
from core.formatting import format_datetime
from core.i18n import LANGUAGES, gettext, use_locale
from core.render import Reply, back_to_bot_button, render_answer
from core.staff import Staff

log = logging.getLogger("winbot.staff")

COOKIE = "winbot_staff"
STATIC = Path(__file__).resolve().parent / "web" / "staff"
MAX_REPLY_CHARS = 4000
MAX_FORM_BYTES = 8 * 1024
CHAT_ROLES = (StaffRole.STAFF, StaffRole.ADMIN)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
#: Staff quick replies: shortcode -> msgid of an existing translated text (inserted in the user's language).
QUICK_REPLIES = {
    "/hours": hm.HOURS,
    "/wait": hm.WAITING_ACK,
    "/back": hm.HANDED_BACK,
}
#: "solved": the staff reply solved the question; the chat reopens if the user writes again within
#: WINBOT_HANDOFF_REOPEN_MINUTES (core/handoff.py).
OUTCOMES = ("answered", chats.SOLVED, "referred", "no_reply", "other")

Handler = Callable[[Session, Request, Staff], Any]


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form (login, logout): 415 for another type, 413 when too big."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise BadRequest(415, "send an application/x-www-form-urlencoded form")
    body = await read_body(request, MAX_FORM_BYTES)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(400, "not a valid form") from exc


def _headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


class StaffConsole:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sessions = runtime.sessions
        self.vault = runtime.vault
        self.settings = runtime.settings
        # Logins per client address: 10 a minute, then slower; on top of the per-account lock-out.
        self.login_limits = TokenBucketLimiter(10, 10)

    def routes(self) -> list[Route]:
        return [
            Route("/staff", self.console_page),
            Route("/staff/", self.console_page),
            Route("/staff/login", self.login_page, methods=["GET"]),
            Route("/staff/login", self.login, methods=["POST"]),
            Route("/staff/logout", self.logout, methods=["POST"]),
            Route("/staff/static/{name:path}", self.static),
            Route("/staff/api/session", self.api(self.session_info, roles=tuple(StaffRole))),
            Route("/staff/api/queue", self.api(self.queue, roles=CHAT_ROLES)),
            Route("/staff/api/chats/{id:int}", self.api(self.chat, roles=CHAT_ROLES)),
            Route("/staff/api/chats/{id:int}/claim", self.api(self.claim, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/chats/{id:int}/messages", self.api(self.reply, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/chats/{id:int}/notes", self.api(self.note, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/chats/{id:int}/release", self.api(self.release, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/chats/{id:int}/close", self.api(self.close, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/quick-replies", self.api(self.quick_replies, roles=CHAT_ROLES)),
            Route("/staff/api/reports", self.api(self.reports, roles=CHAT_ROLES)),
            Route("/staff/api/reports.csv", self.reports_csv),
            Route("/staff/api/reports/{code}", self.api(self.report, roles=CHAT_ROLES)),
            Route("/staff/api/reports/{code}/status", self.api(self.report_status, roles=CHAT_ROLES, post=True),
                  methods=["POST"]),
            Route("/staff/api/monitoring", self.api(self.monitoring, roles=CHAT_ROLES)),
            Route("/staff/api/monitoring.csv", self.monitoring_csv),
            *VisitPages(self).routes(),
        ]

    # -- pages ------------------------------------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = (STATIC / name).resolve()
        if STATIC.resolve() not in path.parents or not path.is_file():
            return _headers(JSONResponse({"error": "not found"}, status_code=404))
        return _headers(FileResponse(path))

    async def console_page(self, request: Request) -> Response:
        if await self._current(request) is None:
            return _headers(RedirectResponse("/staff/login", status_code=303))
        return _headers(FileResponse(STATIC / "console.html"))

    async def login_page(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        english = not request.headers.get("accept-language", "").lower().startswith("nl")
        title = "WIN-punt staff console" if english else "WIN-punt medewerkersconsole"
        labels = ("Username", "Password", "Log in") if english else ("Gebruikersnaam", "Wachtwoord", "Inloggen")
        message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html>
<html lang="{'en' if english else 'nl'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/staff/static/console.css"></head>
<body class="login"><main><h1>{title}</h1>{message}
<form method="post" action="/staff/login">
<label>{labels[0]} <input name="username" autocomplete="username" required autofocus></label>
<label>{labels[1]} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{labels[2]}</button></form></main></body></html>"""
        return _headers(HTMLResponse(page, status_code=status))

    async def login(self, request: Request) -> Response:
        english = not request.headers.get("accept-language", "").lower().startswith("nl")
        text, address = client_ip(request, self.settings.trusted_proxies)
        wait = self.login_limits.hit(address_key(text, address))
        if wait:
            response = await self.login_page(request, "Too many attempts. Try again in a minute." if english
                                             else "Te veel pogingen. Probeer het over een minuut opnieuw.", 429)
            response.headers["Retry-After"] = str(retry_after_header(wait))
            return response
        try:
            form = await _form(request)
        except BadRequest as exc:
            return _headers(JSONResponse({"error": exc.message}, status_code=exc.status))
        username, password = form.get("username", ""), form.get("password", "")
        if not username or not password or len(username) > 64 or len(password) > 1024:
            return await self.login_page(request, "Enter your username and password." if english
                                         else "Vul je gebruikersnaam en wachtwoord in.", 400)

        def check(db: Session) -> tuple[str, str] | accounts.LoginRefused:
            try:
                staff = accounts.authenticate(db, username, password)
            except accounts.LoginRefused as refused:
                return refused
            return accounts.open_session(db, staff)

        async with UnitOfWork(self.sessions) as uow:
            result = await uow.transaction(check)
        if isinstance(result, accounts.LoginRefused):
            log.info("staff login refused (%s)", "locked" if result.locked else "wrong name or password")
            if result.locked:
                return await self.login_page(request, "This account is locked for 15 minutes after too many wrong "
                                             "passwords." if english else "Dit account is 15 minuten geblokkeerd na "
                                             "te veel verkeerde wachtwoorden.", 423)
            return await self.login_page(request, "Wrong username or password." if english
                                         else "Verkeerde gebruikersnaam of wachtwoord.", 401)
        token, _csrf = result
        response = RedirectResponse("/staff/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/staff",
                            secure=self._secure(request), max_age=int(accounts.SESSION_LIFETIME.total_seconds()))
        return _headers(response)

    async def logout(self, request: Request) -> Response:
        current = await self._current(request)
        if current is not None:
            _staff, csrf = current
            given = request.headers.get("x-csrf-token")
            if given is None:
                try:
                    given = (await _form(request)).get("csrf", "")
                except BadRequest:
                    given = ""
            if not accounts.csrf_valid(csrf, given):
                return _headers(JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403))
            async with UnitOfWork(self.sessions) as uow:
                await uow.transaction(accounts.close_session, request.cookies.get(COOKIE))
        response = RedirectResponse("/staff/login", status_code=303)
        response.delete_cookie(COOKIE, path="/staff")
        return _headers(response)

    def _secure(self, request: Request) -> bool:
        return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"

    async def _current(self, request: Request) -> tuple[Staff, str] | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        async with UnitOfWork(self.sessions) as uow:
            return await uow.run(accounts.session_staff, token)

    # -- the API ----------------------------------------------------------------------------------------------

    def api(
        self, handler: Handler, *, roles: tuple[StaffRole, ...], post: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """Login, role and (for POST) CSRF checks, one unit of work, errors as JSON: around every API handler.

        A handler returns what becomes the JSON answer, or a whole Response (a page that needs the same checks).
        """

        async def endpoint(request: Request) -> Response:
            token = request.cookies.get(COOKIE)
            async with UnitOfWork(self.sessions) as uow:
                current = await uow.run(accounts.session_staff, token) if token else None
                if current is None:
                    return _headers(JSONResponse({"error": "log in first"}, status_code=401))
                staff, csrf = current
                if staff.role not in roles:
                    return _headers(JSONResponse({"error": "your role may not do this"}, status_code=403))
                if post and not accounts.csrf_valid(csrf, request.headers.get("x-csrf-token")):
                    return _headers(JSONResponse({"error": "missing or wrong X-CSRF-Token"}, status_code=403))
                body: dict[str, Any] = {}
                if post and request.headers.get("content-length", "0") not in ("", "0"):
                    try:
                        body = await read_json(request)
                    except BadRequest as exc:
                        return _headers(JSONResponse({"error": exc.message}, status_code=exc.status))
                request.state.body = body
                request.state.csrf = csrf
                try:
                    result = await uow.transaction(handler, request, staff)
                except chats.HandoffError as exc:
                    return _headers(JSONResponse({"error": str(exc)}, status_code=409 if "no such" not in str(exc)
                                                 else 404))
                except BadRequest as exc:
                    return _headers(JSONResponse({"error": exc.message}, status_code=exc.status))
            if post:  # a worker in this process starts at once on what the request queued
                self.runtime.jobs.notify(OUTBOUND_QUEUE)
                self.runtime.jobs.notify(ANNOUNCE_QUEUE)
            return _headers(result if isinstance(result, Response) else JSONResponse(result))

        return endpoint

    def session_info(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        return {"username": staff.username, "role": staff.role.value, "region": staff.region,
                "csrf": request.state.csrf}

    def queue(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        now = utcnow()
        return {"chats": [{
            "id": chat.id, "language": chat.language, "region": chat.region, "status": chat.status.value,
            "urgent": chat.urgent, "reason": chat.reason, "channel": chat.channel,
            "waiting_seconds": int((now - chats.waiting_since(chat)).total_seconds())
            if chat.status is ChatStatus.WAITING
            else int(((chat.claimed_at or now) - chats.waiting_since(chat)).total_seconds()),
            "claimed_by_me": chat.claimed_by == staff.id, "claimed": chat.claimed_by is not None,
            "returned_unanswered": chat.returned_unanswered, "reopened": chat.reopened_count,
        } for chat in chats.queue(db, staff)]}

    def _chat(self, db: Session, request: Request, staff: Staff) -> HandoffChat:
        return chats.visible_chat(db, staff, int(request.path_params["id"]))

    def chat(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        chat = self._chat(db, request, staff)
        window_open = True
        if chat.channel == "whatsapp":
            from bot.channels.state import ChannelState

            window_open = ChannelState.window_open(db, chat.user_id)
        return {"id": chat.id, "language": chat.language, "region": chat.region, "status": chat.status.value,
                "channel": chat.channel, "urgent": chat.urgent, "reason": chat.reason, "outcome": chat.outcome,
                "claimed_by_me": chat.claimed_by == staff.id, "whatsapp_window_open": window_open,
                "reopened": chat.reopened_count,
                "messages": chats.transcript(db, self.vault, chat)}

    def claim(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        chat = self._chat(db, request, staff)
        chats.claim(db, chat, staff, self.settings.staff_max_chats)
        chats.record(db, self.vault, chat, "note", f"claimed by {staff.username}")
        return {"id": chat.id, "status": chat.status.value}

    def reply(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        chat = self._chat(db, request, staff)
        text = request.state.body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(400, "text must be a non-empty string")
        if len(text) > MAX_REPLY_CHARS:
            raise BadRequest(413, f"at most {MAX_REPLY_CHARS} characters")
        if chat.status is ChatStatus.CLOSED:
            raise chats.HandoffError("this chat is closed: the user is talking to the assistant again")
        if db.get(User, chat.user_id) is None:
            raise chats.HandoffError("the user erased their data; nothing can be sent")
        chats.staff_reply(db, self.vault, chat, staff, text.strip(), self.settings.staff_max_chats)
        with use_locale(chat.language):
            buttons = [back_to_bot_button()]
        self.runtime.handoff.send(db, chat, [Reply(text.strip(), buttons)])
        return {"id": chat.id, "status": chat.status.value}

    def note(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        chat = self._chat(db, request, staff)
        text = request.state.body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(400, "text must be a non-empty string")
        chats.record(db, self.vault, chat, "note", f"{staff.username}: {text.strip()[:MAX_REPLY_CHARS]}", staff.id)
        return {"id": chat.id}

    def release(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        """Hand the user back to the assistant (the router resumes Rasa before their next message)."""
        chat = self._chat(db, request, staff)
        if chat.status is ChatStatus.CLOSED:
            raise chats.HandoffError("this chat is closed already")
        chats.close(chat, "answered")
        chats.record(db, self.vault, chat, "note", f"handed back to the assistant by {staff.username}")
        self.runtime.handoff.say(db, chat, hm.HANDED_BACK)
        return {"id": chat.id, "status": chat.status.value}

    def close(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        chat = self._chat(db, request, staff)
        outcome = request.state.body.get("outcome", "answered")
        if outcome not in OUTCOMES:
            raise BadRequest(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        if chat.status is ChatStatus.CLOSED:
            raise chats.HandoffError("this chat is closed already")
        chats.close(chat, outcome)
        chats.record(db, self.vault, chat, "note", f"closed by {staff.username}: {outcome}")
        if outcome == chats.SOLVED and self.settings.handoff_reopen_minutes > 0:
            until = utcnow() + dt.timedelta(minutes=self.settings.handoff_reopen_minutes)
            with use_locale(chat.language):
                when = format_datetime(until, chat.language, style="short")
                self.runtime.handoff.say_text(db, chat, gettext(hm.SOLVED, when=when), [back_to_bot_button()])
        else:
            self.runtime.handoff.say(db, chat, hm.HANDED_BACK)
        return {"id": chat.id, "status": chat.status.value, "outcome": outcome}

    def quick_replies(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        language = request.query_params.get("lang", "en")
        if language not in LANGUAGES:
            raise BadRequest(400, f"lang must be one of {', '.join(LANGUAGES)}")
        replies = []
        with use_locale(language):
            for code, msgid in QUICK_REPLIES.items():
                text = gettext(msgid, hours=chats.format_hours(self.runtime.handoff.hours(staff.region), language))
                replies.append({"code": code, "text": text})
            for key in ("human_handoff", "report_abuse", "emergency"):
                replies.append({"code": f"/{key.replace('_', '-')}", "text": render_answer(ALL_ANSWERS[key])})
        return {"language": language, "replies": replies}

    # -- covenant monitoring ------------------------------------------------------------------------------------

    def _monitoring_tables(self, db: Session, staff: Staff) -> dict[str, list[dict[str, Any]]]:
        region = None if staff.role is StaffRole.ADMIN else staff.region
        return {"answers": monitoring.answers(db), "handoffs": monitoring.handoffs(db, region),
                "reports": monitoring.reports_per_month(db, region)}

    def monitoring(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        return self._monitoring_tables(db, staff)

    async def _staff_for_download(self, request: Request) -> Staff | Response:
        """The logged-in staff member for a CSV download (a plain GET: no CSRF), or the 401/403 to answer."""
        current = await self._current(request)
        if current is None:
            return _headers(JSONResponse({"error": "log in first"}, status_code=401))
        staff, _csrf = current
        if staff.role not in CHAT_ROLES:
            return _headers(JSONResponse({"error": "your role may not do this"}, status_code=403))
        return staff

    async def monitoring_csv(self, request: Request) -> Response:
        staff = await self._staff_for_download(request)
        if isinstance(staff, Response):
            return staff
        async with UnitOfWork(self.sessions) as uow:
            tables = await uow.run(self._monitoring_tables, staff)
        stream = io.StringIO()
        monitoring.write_csv(stream, tables)
        return _headers(Response(stream.getvalue(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="winbot-monitoring.csv"'}))

    # -- reports of abuse ------------------------------------------------------------------------------------------

    @staticmethod
    def _region_filter(staff: Staff, wanted: str | None) -> str | None:
        """Admins any region (None: all); staff only their own region or the national reports."""
        if staff.role is StaffRole.ADMIN:
            return wanted or None
        if wanted == reports.NATIONAL:
            return reports.NATIONAL
        return staff.region

    def reports(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        params = request.query_params
        status = params.get("status") or None
        if status is not None and status not in {s.value for s in ReportStatus}:
            raise BadRequest(400, "unknown status")
        category = params.get("category") or None
        if category is not None and category not in reports.CATEGORIES:
            raise BadRequest(400, "unknown category")
        try:
            offset = max(0, int(params.get("offset", "0")))
        except ValueError as exc:
            raise BadRequest(400, "offset must be a whole number") from exc
        found = reports.list_reports(db, self._region_filter(staff, params.get("region")), status, category,
                                     limit=100, offset=offset)
        return {"reports": [{
            "code": r.code, "category": reports.categories_of(r)[0] if reports.categories_of(r) else None,
            "categories": reports.categories_of(r), "region": r.region, "status": r.status.value,
            "anonymous": r.anonymous, "urgent": r.urgent, "created_at": r.created_on.isoformat(),
        } for r in found]}

    def _report(self, db: Session, request: Request, staff: Staff) -> Report:
        report = reports.get_by_code(db, request.path_params["code"])
        if report is None or not staff.may_see_region(report.region):
            raise chats.HandoffError("no such report")
        return report

    def report(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        report = self._report(db, request, staff)
        t = reports.texts(report, self.vault)
        return {
            "code": report.code, "categories": reports.categories_of(report), "region": report.region,
            "status": report.status.value, "anonymous": report.anonymous, "urgent": report.urgent,
            "created_at": report.created_on.isoformat(), "language": report.language,
            "place": t.place, "employer": t.employer, "since": t.since, "description": t.description,
            "can_answer_in_chat": not report.anonymous and report.user_id is not None,
            "events": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "from": e.from_status,
                        "to": e.to_status,
                        "note": self.vault.decrypt(e.note_encrypted) if e.note_encrypted else None}
                       for e in report.events],
        }

    def report_status(self, db: Session, request: Request, staff: Staff) -> dict[str, Any]:
        report = self._report(db, request, staff)
        status = request.state.body.get("status")
        note = request.state.body.get("note")
        if status not in {s.value for s in ReportStatus}:
            raise BadRequest(400, f"status must be one of {', '.join(s.value for s in ReportStatus)}")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_REPLY_CHARS):
            raise BadRequest(400, "note must be text")
        reports.change_status(db, report, status, staff.username, note or None, self.vault)
        return {"code": report.code, "status": report.status.value}

    async def reports_csv(self, request: Request) -> Response:
        staff = await self._staff_for_download(request)
        if isinstance(staff, Response):
            return staff
        region = self._region_filter(staff, request.query_params.get("region"))
        stream = io.StringIO()
        async with UnitOfWork(self.sessions) as uow:
            await uow.run(reports.export_csv, self.vault, region, stream)
        name = f"winbot-reports-{(region or 'all').lower()}.csv"
        return _headers(Response(stream.getvalue(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'}))
