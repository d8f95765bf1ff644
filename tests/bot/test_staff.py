"""Talking to a person and the staff console, against a fake Rasa: login, roles, CSRF, the queue, claim, reply,
hand back, the web inbox, fail open, timeouts and the `winbot staff` command."""

from __future__ import annotations

import datetime as dt
import io
import json
from argparse import Namespace

import httpx
import pytest
from starlette.testclient import TestClient

from bot import cli_staff
from bot.gateway import create_app
from bot.rasa_client import RasaClient
from core import handoff
from core import staff as accounts
from core.content import handoff_messages as hm
from core.db.migrate import upgrade
from core.db.models import ChatStatus, HandoffChat, StaffRole
from core.i18n import gettext, use_locale
from core.nlu_text import SEPARATOR
from core.settings import Settings

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account
SENDER = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


class FakeRasa:
    def __init__(self) -> None:
        self.down = False
        self.messages: list[str] = []
        self.events: list[tuple[str, list]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content or b"{}")
        if request.url.path.endswith("/tracker/events"):
            self.events.append((request.url.path.split("/")[2], body))
            return httpx.Response(200, json={})
        if request.url.path == "/model/parse":
            return httpx.Response(200, json={"intent": {"name": "other", "confidence": 0.9}})
        text = body["message"].split(SEPARATOR)[0]
        self.messages.append(text)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"bot: {text}"}])


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings.from_env({"WINBOT_VAR_DIR": str(tmp_path), "ACTION_SERVER_URL": "http://127.0.0.1:9",
                                  "WINBOT_OFFICE_HOURS": "mon-sun 00:00-24:00"})
    upgrade(settings.database_url)
    return settings


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def app_client(settings, rasa):
    client_rasa = RasaClient("http://rasa.test", client=httpx.AsyncClient(transport=httpx.MockTransport(rasa.handler)))
    with TestClient(create_app(settings, rasa=client_rasa)) as client:
        yield client


def db_call(client: TestClient, fn, *args):
    with client.app.state.runtime.sessions() as db:
        result = fn(db, *args)
        db.commit()
        return result


def add_staff(client: TestClient, username: str, role: StaffRole, region: str | None = None) -> None:
    db_call(client, lambda db: accounts.add_staff(db, username, PASSWORD, role, region))


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/staff/login", data={"username": username, "password": password}, follow_redirects=False)


def staff_session(client: TestClient, username: str = "anna", role: StaffRole = StaffRole.STAFF,
                  region: str | None = "Noord-Limburg") -> str:
    """A logged-in staff member; returns the CSRF token."""
    add_staff(client, username, role, region)
    assert login(client, username).status_code == 303
    return client.get("/staff/api/session").json()["csrf"]


def chat(client: TestClient, text: str) -> dict:
    response = client.post("/api/chat", json={"sender": SENDER, "text": text})
    assert response.status_code == 200
    return response.json()


def ask_for_person(client: TestClient, region: str | None = None, urgent: bool = False) -> int:
    """What action_human_handoff does in the action server: open the chat and pause Rasa's conversation."""
    chat(client, "Dzień dobry, mam problem z mieszkaniem")
    user_id = client.app.state.router.user_id("web", SENDER)

    def open_chat(db):
        opened = handoff.request_person(db, user_id, "web", "pl", region, urgent=urgent,
                                        reason="report_urgent" if urgent else None)
        opened.paused_in_rasa = True
        return opened.id

    return db_call(client, open_chat)


def drain(client: TestClient) -> None:
    client.portal.call(client.app.state.worker.idle)


def inbox(client: TestClient) -> list[str]:
    drain(client)
    return [m["text"] for m in client.get("/api/chat/inbox", params={"sender": SENDER}).json()["messages"]]


def polish(msgid: str, **values) -> str:
    with use_locale("pl"):
        return gettext(msgid, **values)


# -- access --------------------------------------------------------------------------------------------------

API_GETS = ["/staff/api/session", "/staff/api/queue", "/staff/api/chats/1", "/staff/api/quick-replies?lang=pl",
            "/staff/api/reports", "/staff/api/reports/ABC-2345", "/staff/api/reports.csv", "/staff/api/monitoring",
            "/staff/api/monitoring.csv"]
API_POSTS = [*(f"/staff/api/chats/1/{action}" for action in ("claim", "messages", "notes", "release", "close")),
             "/staff/api/reports/ABC-2345/status"]


def test_every_staff_route_needs_a_login(app_client) -> None:
    for path in API_GETS:
        assert app_client.get(path).status_code == 401, path
    for path in API_POSTS:
        assert app_client.post(path, json={"text": "x"}).status_code == 401, path
    page = app_client.get("/staff/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"


def test_the_wrong_role_and_a_missing_csrf_token_are_refused(app_client) -> None:
    csrf = staff_session(app_client, "marek", StaffRole.MOBILE_TEAM, None)
    assert app_client.get("/staff/api/session").json()["role"] == "mobile_team"
    for path in API_GETS[1:]:
        assert app_client.get(path).status_code == 403, path
    for path in API_POSTS:
        assert app_client.post(path, json={"text": "x"}, headers={"X-CSRF-Token": csrf}).status_code == 403, path
    app_client.cookies.clear()
    csrf = staff_session(app_client, "anna")
    chat_id = ask_for_person(app_client)
    assert app_client.post(f"/staff/api/chats/{chat_id}/claim").status_code == 403  # no token
    assert app_client.post(f"/staff/api/chats/{chat_id}/claim", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert app_client.post(f"/staff/api/chats/{chat_id}/claim", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_wrong_passwords_lock_the_account(app_client) -> None:
    add_staff(app_client, "piet", StaffRole.ADMIN)
    for _ in range(accounts.LOCK_AFTER - 1):
        assert login(app_client, "piet", "wrong password!!").status_code == 401
    assert login(app_client, "piet", "wrong password!!").status_code == 423
    assert login(app_client, "piet").status_code == 423  # the right password does not open it now
    assert login(app_client, "nobody", "whatever it is").status_code == 401
    assert "winbot_staff" not in app_client.cookies


def test_logins_are_rate_limited_per_address(app_client) -> None:
    statuses = [login(app_client, f"user{i}", "wrong password!!").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429


def test_staff_see_their_region_and_the_national_queue_only(app_client) -> None:
    staff_session(app_client, "anna", region="Noord-Limburg")
    mine = ask_for_person(app_client, "Noord-Limburg")

    def elsewhere(db, region):
        from core.db.models import User

        user_id = "we-" + region.lower().ljust(40, "0")[:40]
        db.add(User(id=user_id, channel="web", language="ro"))
        db.flush()
        return handoff.request_person(db, user_id, "web", "ro", region or None).id

    rotterdam = db_call(app_client, elsewhere, "Rijnmond")
    national = db_call(app_client, elsewhere, "")
    queue = app_client.get("/staff/api/queue").json()["chats"]
    assert [c["id"] for c in queue] == [mine, national]
    assert set(queue[0]) >= {"id", "language", "region", "status", "urgent", "waiting_seconds"}
    assert app_client.get(f"/staff/api/chats/{rotterdam}").status_code == 404
    app_client.cookies.clear()
    staff_session(app_client, "admin", StaffRole.ADMIN, None)
    assert {c["id"] for c in app_client.get("/staff/api/queue").json()["chats"]} == {mine, national, rotterdam}


# -- the conversation ---------------------------------------------------------------------------------------------


def test_a_person_answers_in_the_same_chat_and_hands_back(app_client, rasa) -> None:
    csrf = staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    asked = len(rasa.messages)

    # While the chat waits, the user's messages go to staff: Rasa hears nothing.
    waiting = chat(app_client, "Szef zabrał mi paszport <script>alert(1)</script>")
    assert [m["text"] for m in waiting["messages"]] == [polish(hm.WAITING_ACK)]
    assert len(rasa.messages) == asked

    queue = app_client.get("/staff/api/queue").json()["chats"]
    assert queue[0]["id"] == chat_id and queue[0]["status"] == "waiting" and queue[0]["language"] == "pl"
    # A staff reply claims the chat.
    headers = {"X-CSRF-Token": csrf}
    sent = app_client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Dzień dobry, tu Anna z WIN-punt."},
                           headers=headers)
    assert sent.status_code == 200 and sent.json()["status"] == "active"
    assert inbox(app_client) == ["Dzień dobry, tu Anna z WIN-punt."]
    assert inbox(app_client) == []  # each message once

    # While staff own it, no bot answer at all.
    assert chat(app_client, "Dziękuję, co mam zrobić?")["messages"] == []
    transcript = app_client.get(f"/staff/api/chats/{chat_id}").json()["messages"]
    assert [(m["from"], m["text"]) for m in transcript if m["from"] in ("user", "staff")][-3:] == [
        ("user", "Szef zabrał mi paszport <script>alert(1)</script>"),  # as text, for the console to show as text
        ("staff", "Dzień dobry, tu Anna z WIN-punt."),
        ("user", "Dziękuję, co mam zrobić?"),
    ]
    assert len(rasa.messages) == asked

    # Hand back: the user is told, Rasa's conversation is resumed before their next message, which it answers.
    assert app_client.post(f"/staff/api/chats/{chat_id}/release", headers=headers).status_code == 200
    assert inbox(app_client) == [polish(hm.HANDED_BACK)]
    user_id = app_client.app.state.router.user_id("web", SENDER)
    answer = chat(app_client, "Ile wynosi płaca minimalna?")
    assert [m["text"] for m in answer["messages"]] == ["bot: Ile wynosi płaca minimalna?"]
    assert rasa.events == [(user_id, [{"event": "resume"}, {"event": "action", "name": "action_listen"}])]
    chat(app_client, "A urlop?")
    assert len(rasa.events) == 1  # resumed once
    assert app_client.get("/staff/api/queue").json()["chats"] == []


def solve(client: TestClient, csrf: str, chat_id: int) -> None:
    """Staff answer and close the chat as solved right after their reply."""
    headers = {"X-CSRF-Token": csrf}
    assert client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Masz prawo do zwrotu paszportu."},
                       headers=headers).status_code == 200
    closed = client.post(f"/staff/api/chats/{chat_id}/close", json={"outcome": "solved"}, headers=headers)
    assert closed.status_code == 200 and closed.json() == {"id": chat_id, "status": "closed", "outcome": "solved"}


def test_a_chat_closed_as_solved_reopens_when_the_user_writes_again(app_client, rasa) -> None:
    csrf = staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    chat(app_client, "Szef zabrał mi paszport")
    asked = len(rasa.messages)
    solve(app_client, csrf, chat_id)
    told = inbox(app_client)  # (two delivery jobs: their order is not fixed)
    reopen_until = polish(hm.SOLVED, when="").split("%")[0][:40]
    assert len(told) == 2 and "Masz prawo do zwrotu paszportu." in told, told
    assert any(text.startswith(reopen_until) for text in told), told
    assert app_client.get("/staff/api/queue").json()["chats"] == []

    # The user writes again within the reopen time: the same chat, back with the same staff member (logged in,
    # room for more chats); the assistant says only that the chat is open again; Rasa hears nothing.
    again = chat(app_client, "A co jeśli nie odda?")
    assert [m["text"] for m in again["messages"]] == [polish(hm.REOPENED)]
    assert again["messages"][0]["buttons"][0]["payload"] == "/back_to_bot"
    assert len(rasa.messages) == asked and rasa.events == []
    [queued] = app_client.get("/staff/api/queue").json()["chats"]
    assert queued["id"] == chat_id and queued["status"] == "active" and queued["claimed_by_me"]
    assert queued["reopened"] == 1 and queued["waiting_seconds"] < 60
    detail = app_client.get(f"/staff/api/chats/{chat_id}").json()
    assert detail["reopened"] == 1 and detail["status"] == "active"
    lines = [(m["from"], m["text"]) for m in detail["messages"] if m["from"] in ("user", "staff")]
    assert lines == [("user", "Szef zabrał mi paszport"), ("staff", "Masz prawo do zwrotu paszportu."),
                     ("user", "A co jeśli nie odda?")], "the transcript is kept"
    assert chat(app_client, "Halo?")["messages"] == []  # staff own it again: no bot answer

    # Staff answer and hand back: the assistant answers again (Rasa resumed once).
    headers = {"X-CSRF-Token": csrf}
    app_client.post(f"/staff/api/chats/{chat_id}/messages", json={"text": "Zadzwoń na policję."}, headers=headers)
    assert inbox(app_client) == ["Zadzwoń na policję."]
    app_client.post(f"/staff/api/chats/{chat_id}/release", headers=headers)
    assert inbox(app_client) == [polish(hm.HANDED_BACK)]
    answer = chat(app_client, "Ile wynosi płaca minimalna?")
    assert [m["text"] for m in answer["messages"]] == ["bot: Ile wynosi płaca minimalna?"]
    assert len(rasa.events) == 1
    # Monitoring counts the reopened chat (a count, no content).
    [row] = app_client.get("/staff/api/monitoring").json()["handoffs"]
    assert row["reopened"] == 1 and row["chats"] == 1 and row["outcomes"] == {"answered": 1}
    assert "reopened,1" in app_client.get("/staff/api/monitoring.csv").text


def test_a_solved_chat_goes_to_the_queue_when_its_staff_member_is_gone(app_client, rasa) -> None:
    from sqlalchemy import delete

    from core.db.models import StaffSession

    csrf = staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    solve(app_client, csrf, chat_id)
    db_call(app_client, lambda db: db.execute(delete(StaffSession)))  # Anna logged out
    assert [m["text"] for m in chat(app_client, "Jeszcze jedno pytanie")["messages"]] == [polish(hm.REOPENED)]
    reopened = db_call(app_client, lambda db: db.get(HandoffChat, chat_id))
    assert reopened.status is ChatStatus.WAITING and reopened.claimed_by is None and reopened.reopened_count == 1
    assert reopened.region == "Noord-Limburg" and reopened.language == "pl"  # the same WIN-punt's queue
    assert login(app_client, "anna").status_code == 303
    [queued] = app_client.get("/staff/api/queue").json()["chats"]
    assert queued["id"] == chat_id and queued["status"] == "waiting" and queued["reopened"] == 1


def test_after_the_reopen_time_or_a_button_the_assistant_answers(app_client, rasa) -> None:
    csrf = staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    solve(app_client, csrf, chat_id)

    def age(db) -> None:
        db.get(HandoffChat, chat_id).closed_at -= dt.timedelta(hours=72, minutes=1)

    db_call(app_client, age)
    late = chat(app_client, "Dzień dobry, mam nowe pytanie")
    assert [m["text"] for m in late["messages"]] == ["bot: Dzień dobry, mam nowe pytanie"]
    assert len(rasa.events) == 1  # resumed
    closed = db_call(app_client, lambda db: db.get(HandoffChat, chat_id))
    assert closed.status is ChatStatus.CLOSED and closed.reopened_count == 0

    # A button (or a command) after "solved" goes to the assistant too, and then writing no longer reopens.
    other = ask_for_person(app_client, "Noord-Limburg")
    solve(app_client, csrf, other)
    menu = chat(app_client, '/greet{"menu":"1"}')
    assert [m["text"] for m in menu["messages"]] == ['bot: /greet{"menu":"1"}'] and len(rasa.events) == 2
    assert chat(app_client, "Dziękuję")["messages"][0]["text"] == "bot: Dziękuję"
    assert db_call(app_client, lambda db: db.get(HandoffChat, other)).reopened_count == 0


def test_reopening_can_be_switched_off() -> None:
    assert Settings.from_env({"WINBOT_HANDOFF_REOPEN_MINUTES": "0"}).handoff_reopen_minutes == 0
    assert Settings.from_env({}).handoff_reopen_minutes == 72 * 60
    chat_row = HandoffChat(user_id="u", channel="web", language="pl", status=ChatStatus.CLOSED, outcome="solved",
                           paused_in_rasa=True, closed_at=dt.datetime.now(dt.UTC))

    class OneChat:
        def scalar(self, _statement):
            return chat_row

    assert handoff.reopenable_chat_of(OneChat(), "u", dt.timedelta(0)) is None  # type: ignore[arg-type]
    assert handoff.reopenable_chat_of(OneChat(), "u", dt.timedelta(hours=1)) is chat_row  # type: ignore[arg-type]
    chat_row.outcome = "answered"
    assert handoff.reopenable_chat_of(OneChat(), "u", dt.timedelta(hours=1)) is None  # type: ignore[arg-type]


def test_the_user_can_go_back_to_the_bot_at_any_time(app_client, rasa) -> None:
    staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    back = chat(app_client, "/back_to_bot")
    assert [m["text"] for m in back["messages"]][0] == polish(hm.BACK_TO_BOT)
    assert rasa.messages[-1] == '/greet{"menu":"1"}' and len(rasa.events) == 1
    closed = db_call(app_client, lambda db: db.get(HandoffChat, chat_id))
    assert closed.status is ChatStatus.CLOSED and closed.outcome == "back_to_bot"


def test_urgent_chats_come_first(app_client) -> None:
    staff_session(app_client)
    calm = ask_for_person(app_client, "Noord-Limburg")
    user_id = "we-" + "0" * 40

    def urgent(db):
        from core.db.models import User

        db.add(User(id=user_id, channel="web", language="bg"))
        db.flush()
        return handoff.request_person(db, user_id, "web", "bg", None, urgent=True, reason="violence").id

    flagged = db_call(app_client, urgent)
    queue = app_client.get("/staff/api/queue").json()["chats"]
    assert [c["id"] for c in queue] == [flagged, calm] and queue[0]["urgent"] and queue[0]["reason"] == "violence"


def test_asking_for_a_person_while_the_assistant_is_down_joins_the_queue(app_client, rasa) -> None:
    staff_session(app_client)
    chat(app_client, "Dzień dobry")
    rasa.down = True
    answer = chat(app_client, "Chcę porozmawiać z człowiekiem, proszę")
    assert polish(hm.ASSISTANT_DOWN) in [m["text"] for m in answer["messages"]]
    queue = app_client.get("/staff/api/queue").json()["chats"]
    assert len(queue) == 1 and queue[0]["reason"] == "assistant_down"
    transcript = app_client.get(f"/staff/api/chats/{queue[0]['id']}").json()["messages"]
    assert ("user", "Chcę porozmawiać z człowiekiem, proszę") in [(m["from"], m["text"]) for m in transcript]


def test_a_chat_that_is_claimed_but_not_answered_goes_back_and_a_silent_one_closes(app_client) -> None:
    csrf = staff_session(app_client)
    chat_id = ask_for_person(app_client, "Noord-Limburg")
    app_client.post(f"/staff/api/chats/{chat_id}/claim", headers={"X-CSRF-Token": csrf})
    hours = handoff.OfficeHours.parse("mon-sun 00:00-24:00")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
    limits = {"no_answer": dt.timedelta(minutes=30), "claim_unanswered": dt.timedelta(minutes=10),
              "silent": dt.timedelta(hours=4)}
    events = db_call(app_client, lambda db: handoff.check_timeouts(db, hours, now=later, **limits))
    assert [e.kind for e in events] == ["unclaimed"]
    queue = app_client.get("/staff/api/queue").json()["chats"]
    assert queue[0]["status"] == "waiting" and queue[0]["returned_unanswered"]
    events = db_call(app_client, lambda db: handoff.check_timeouts(
        db, hours, now=later + dt.timedelta(minutes=20), **limits))
    assert [e.kind for e in events] == ["no_answer"]  # told once
    assert db_call(app_client, lambda db: handoff.check_timeouts(
        db, hours, now=later + dt.timedelta(minutes=25), **limits)) == []
    events = db_call(app_client, lambda db: handoff.check_timeouts(
        db, hours, now=later + dt.timedelta(hours=5), **limits))
    assert [e.kind for e in events] == ["silent"]
    assert app_client.get("/staff/api/queue").json()["chats"] == []


def test_quick_replies_come_in_the_users_language(app_client) -> None:
    staff_session(app_client)
    replies = app_client.get("/staff/api/quick-replies", params={"lang": "ro"}).json()["replies"]
    codes = {r["code"]: r["text"] for r in replies}
    with use_locale("ro"):
        assert codes["/wait"] == gettext(hm.WAITING_ACK)
    assert app_client.get("/staff/api/quick-replies", params={"lang": "xx"}).status_code == 400


# -- office hours ----------------------------------------------------------------------------------------------------


def test_office_hours_in_amsterdam_time_across_the_weekend_and_dst() -> None:
    hours = handoff.OfficeHours.parse("mon-fri 09:00-17:00; sat 10:00-12:00")
    saturday_evening = dt.datetime(2026, 10, 24, 18, 0, tzinfo=dt.UTC)  # the night the clocks go back
    assert not hours.is_open(saturday_evening)
    monday = hours.next_opening(saturday_evening)
    assert monday == dt.datetime(2026, 10, 26, 8, 0, tzinfo=dt.UTC)  # 09:00 in winter time
    assert hours.is_open(dt.datetime(2026, 10, 24, 8, 30, tzinfo=dt.UTC))  # Saturday 10:30 summer time
    assert handoff.format_hours(hours, "nl").startswith("ma")
    with pytest.raises(ValueError, match="office hours"):
        handoff.OfficeHours.parse("weekdays 9-5")


# -- the command -------------------------------------------------------------------------------------------------


def test_winbot_staff_add_list_disable(settings) -> None:
    def add(username: str, role: str, region: str | None, password: str = PASSWORD) -> int:
        arguments = Namespace(action="add", username=username, role=role, region=region, password_stdin=True)
        return cli_staff.run(arguments, settings, io.StringIO(password + "\n"))

    def listing() -> str:
        out = io.StringIO()
        cli_staff.run(Namespace(action="list"), settings, stdout=out)
        return out.getvalue()

    assert add("Anna", "staff", "noord-limburg") == 0
    assert add("short", "admin", None, "tooshort") == 2
    assert add("bob", "staff", None) == 2  # staff need a region
    assert add("eve", "staff", "Atlantis") == 2
    assert add("anna", "admin", None) == 2  # exists already
    assert "anna" in listing() and "Noord-Limburg" in listing() and "active" in listing()
    assert "bob" not in listing()
    assert cli_staff.run(Namespace(action="disable", username="anna"), settings) == 0
    assert "disabled" in listing()
    assert cli_staff.run(Namespace(action="disable", username="nobody"), settings) == 2


# -- reports inbox ---------------------------------------------------------------------------------------------


def test_the_reports_inbox_filters_by_region_and_keeps_an_audit_log(app_client) -> None:
    from core import reports

    def create(db, region, anonymous):
        return reports.create_report(db, app_client.app.state.runtime.vault, categories=["wages", "housing"],
                                     place="Venlo", employer="Agencja X <b>", description="Nie płacą od 2 miesięcy",
                                     region=region, anonymous=anonymous).code

    mine = db_call(app_client, create, "Noord-Limburg", True)
    other = db_call(app_client, create, "Rijnmond", True)
    csrf = staff_session(app_client)
    listed = app_client.get("/staff/api/reports").json()["reports"]
    assert [r["code"] for r in listed] == [mine]
    assert set(listed[0]) >= {"code", "category", "region", "status", "anonymous", "created_at"}
    assert app_client.get(f"/staff/api/reports/{other}").status_code == 404
    detail = app_client.get(f"/staff/api/reports/{mine}").json()
    assert detail["employer"] == "Agencja X <b>" and detail["can_answer_in_chat"] is False
    changed = app_client.post(f"/staff/api/reports/{mine}/status", json={"status": "referred_labour_authority",
                              "note": "Sent to NLA"}, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200
    events = app_client.get(f"/staff/api/reports/{mine}").json()["events"]
    assert events[-1]["actor"] == "anna" and events[-1]["to"] == "referred_labour_authority"
    assert app_client.post(f"/staff/api/reports/{mine}/status", json={"status": "bogus"},
                           headers={"X-CSRF-Token": csrf}).status_code == 400
    csv_text = app_client.get("/staff/api/reports.csv").text
    assert mine in csv_text and other not in csv_text
    monitoring = app_client.get("/staff/api/monitoring").json()
    assert {"category": "wages", "count": 1, "region": "Noord-Limburg"}.items() <= monitoring["reports"][-1].items()
    app_client.cookies.clear()
    assert app_client.get("/staff/api/reports").status_code == 401
    assert app_client.get("/staff/api/reports.csv").status_code == 401
