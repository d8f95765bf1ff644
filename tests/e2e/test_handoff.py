"""Talking to a person, end to end: a web-chat user asks for a person, a WIN-punt employee logs in to the staff
console in headless Chromium, claims the chat and answers; the user's answer reaches staff (no bot answer while
staff own the chat); staff hand back and the assistant understands the next question again.
"""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from core.content import handoff_messages as hm
from core.content import messages as m
from core.i18n import gettext, use_locale
from tests.conftest import ROOT
from tests.e2e.test_webchat import BOT, USER, accept_privacy_with_mouse, bot_count, by_testid, wait_for_greeting

pytestmark = pytest.mark.e2e

PASSWORD = "e2e staff password 1234"  # noqa: S105 - a test account in a throw-away database
TIMEOUT_MS = 45_000


def polish(msgid: str) -> str:
    with use_locale("pl"):
        return gettext(msgid)


def add_staff(env: dict[str, str], username: str) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "staff", "add", username, "--role", "admin",
                           "--password-stdin"], input=PASSWORD + "\n", text=True, cwd=ROOT, env=env,
                          capture_output=True, check=False)
    assert done.returncode == 0 or "exists already" in done.stderr, done.stderr


def user_says(page: Page, text: str) -> None:
    by_testid(page, "message-input").fill(text)
    by_testid(page, "send-button").click()
    expect(page.locator(USER).last).to_have_text(text)


def test_a_person_answers_a_web_chat_user_from_the_staff_console(stack, new_page, artifacts_dir) -> None:
    add_staff(stack.env, "e2e-anna")
    user = new_page(device="mobile", locale="pl-PL")
    user.goto(stack.url)
    wait_for_greeting(user)
    accept_privacy_with_mouse(user)

    # The menu's "Talk to a person" button.
    before = bot_count(user)
    user.locator('[data-testid="quick-reply"]', has_text=polish(m.BUTTON_PERSON)).last.click()
    expect(user.locator(BOT).filter(has_text=polish(hm.QUEUED))).to_have_count(1, timeout=TIMEOUT_MS)
    assert bot_count(user) > before
    user_says(user, "<script>alert('x')</script> Szef zabrał mi paszport")
    expect(user.locator(BOT).last).to_contain_text(polish(hm.WAITING_ACK), timeout=TIMEOUT_MS)

    staff = new_page(device="desktop", locale="en-US")
    dialogs: list[str] = []
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    staff.goto(f"{stack.url}/staff/")
    expect(staff).to_have_url(f"{stack.url}/staff/login")
    staff.fill('input[name="username"]', "e2e-anna")
    staff.fill('input[name="password"]', PASSWORD)
    staff.click('button[type="submit"]')
    item = staff.locator("#queue li").filter(has_text="PL").first
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    item.locator("button").click()
    expect(staff.locator("#transcript")).to_contain_text("<script>alert('x')</script> Szef zabrał mi paszport")
    staff.click("#claim")
    staff.fill("#reply", "Dzień dobry, tu Anna z WIN-punktu. Czy jesteś teraz bezpieczny?")
    staff.click('#reply-form button[type="submit"]')

    # The staff reply reaches the web chat without the user asking (push stream or inbox).
    expect(user.locator(BOT).filter(has_text="tu Anna z WIN-punktu")).to_have_count(1, timeout=TIMEOUT_MS)
    answered = bot_count(user)
    user_says(user, "Tak, jestem u kolegi. Co mam zrobić?")
    expect(staff.locator("#transcript")).to_contain_text("Tak, jestem u kolegi", timeout=TIMEOUT_MS)
    user.wait_for_timeout(1500)
    assert bot_count(user) == answered  # no bot answer while a person has the chat
    staff.wait_for_timeout(500)
    staff.screenshot(path=str(artifacts_dir / "staff-console.png"), full_page=True)
    assert dialogs == []  # what the user typed was shown as text, never run

    staff.click("#release")
    expect(user.locator(BOT).filter(has_text=polish(hm.HANDED_BACK))).to_have_count(1, timeout=TIMEOUT_MS)
    before = bot_count(user)
    user_says(user, "Jak mogę dostać numer BSN?")
    user.wait_for_function("n => document.querySelectorAll('[data-testid=\"bot-message\"]').length > n", arg=before,
                           timeout=TIMEOUT_MS)
    answer = " ".join(user.locator(BOT).all_inner_texts()[before:])
    assert "BSN" in answer and polish(hm.WAITING_ACK) not in answer  # understood by the assistant again


def ukrainian(msgid: str) -> str:
    with use_locale("uk"):
        return gettext(msgid)


def test_a_person_answers_a_telegram_user_from_the_staff_console(stack, new_page, artifacts_dir) -> None:
    """The same, for a user on Telegram (the stack polls a fake Bot API): the menu's button asks for a person, staff
    in Chromium claim and answer, the answer reaches Telegram, the user's reply shows in the console and gets no bot
    answer, staff hand back, and the assistant answers the next question."""
    from tests.channels.conftest import wait_until
    from tests.channels.test_telegram import press, update

    telegram = stack.telegram
    if telegram is None:
        pytest.skip("the stack under WINBOT_TEST_URL has no fake Telegram API")
    user = 700_000 + secrets.randbelow(99_999)

    def sent() -> list[str]:
        return [str(p.get("text", "")) for p in telegram.sent_to(user)]

    def until(condition, what: str) -> None:
        try:
            wait_until(condition, timeout=TIMEOUT_MS / 1000, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the Bot API got: {telegram.calls[-12:]}") from None

    def wait_for(text: str) -> None:
        until(lambda: any(text in s for s in sent()), what=f"{text!r} on Telegram")

    telegram.push(update(user, text="/start", language_code="uk"))
    until(lambda: any(b.get("callback_data") == "/human_handoff" for p in telegram.sent_to(user)
                      for row in (p.get("reply_markup") or {}).get("inline_keyboard", []) for b in row),
          what="the menu with 'Talk to a person'")
    telegram.push(press(user, "/human_handoff", language_code="uk"))
    wait_for(ukrainian(hm.QUEUED))
    telegram.push(update(user, text="Власник забрав мій паспорт <b>терміново</b>", language_code="uk"))
    wait_for(ukrainian(hm.WAITING_ACK))

    add_staff(stack.env, "e2e-olena")
    staff = new_page(device="desktop", locale="nl-NL")
    dialogs: list[str] = []
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    staff.goto(f"{stack.url}/staff/login")
    staff.fill('input[name="username"]', "e2e-olena")
    staff.fill('input[name="password"]', PASSWORD)
    staff.click('button[type="submit"]')
    item = staff.locator("#queue li").filter(has_text="telegram").filter(has_text="UK").first
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    item.locator("button").click()
    expect(staff.locator("#transcript")).to_contain_text("Власник забрав мій паспорт <b>терміново</b>",
                                                         timeout=TIMEOUT_MS)
    staff.click("#claim")
    expect(staff.locator("#claim")).to_be_hidden(timeout=TIMEOUT_MS)
    staff.fill("#reply", "Привіт, це Олена з WIN-punt. Ти зараз у безпеці?")
    staff.click('#reply-form button[type="submit"]')

    # The reply reaches the user's Telegram chat (a delivery job on the worker).
    wait_for("це Олена з WIN-punt")
    answered = len(sent())
    telegram.push(update(user, text="Так, я в друга. Що мені робити?", language_code="uk"))
    expect(staff.locator("#transcript")).to_contain_text("Так, я в друга", timeout=TIMEOUT_MS)
    staff.wait_for_timeout(2000)
    assert len(sent()) == answered, sent()[answered:]  # no bot answer while a person has the chat
    staff.screenshot(path=str(artifacts_dir / "staff-console-telegram.png"), full_page=True)
    assert dialogs == []  # the user's "<b>" is shown as text

    staff.click("#release")
    wait_for(ukrainian(hm.HANDED_BACK))
    before = len(sent())
    telegram.push(update(user, text="Як отримати номер BSN?", language_code="uk"))
    until(lambda: len(sent()) > before, what="the assistant's answer")
    answer = " ".join(sent()[before:])
    assert "BSN" in answer and ukrainian(hm.WAITING_ACK) not in answer  # understood by the assistant again
