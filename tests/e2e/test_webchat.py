"""Browser tests of the web chat page against the real running stack (``stack_url``).

Bot wording comes from translation catalogs that change, so these tests assert structure,
language and links, never exact bot text.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from core.content import help_messages as h
from core.content import messages as m
from core.content.ui import UI_STRINGS
from core.i18n import gettext, use_locale

pytestmark = pytest.mark.e2e

ANSWER_TIMEOUT_MS = 45_000

BOT = '[data-testid="bot-message"]'
USER = '[data-testid="user-message"]'
QUICK_REPLY = '[data-testid="quick-reply"]'


def by_testid(page: Page, testid: str):
    return page.locator(f'[data-testid="{testid}"]')


def bot_count(page: Page) -> int:
    return page.locator(BOT).count()


def wait_idle(page: Page) -> None:
    """Wait until no chat request is in flight (the typing indicator is hidden)."""
    expect(page.locator("#typing")).to_be_hidden(timeout=ANSWER_TIMEOUT_MS)


def wait_for_new_bot_messages(page: Page, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"bot-message\"]').length > n",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    wait_idle(page)


def wait_for_greeting(page: Page) -> None:
    wait_for_new_bot_messages(page, 0)
    expect(page.locator(BOT).first).to_be_visible()


def new_bot_links(page: Page, before: int):
    """The http(s) links in the bot messages that arrived after the first `before` ones."""
    return page.evaluate(
        """n => Array.from(document.querySelectorAll('[data-testid="bot-message"]'))
                 .slice(n)
                 .flatMap(m => Array.from(m.querySelectorAll('a')))
                 .map(a => ({href: a.href, target: a.target, rel: a.rel, text: a.textContent}))""",
        before,
    )


def assert_answer_has_link(page: Page, before: int) -> None:
    links = new_bot_links(page, before)
    assert links, "the bot answer contains no link; answers: " + json.dumps(
        page.locator(BOT).all_inner_texts()[before:], ensure_ascii=False
    )
    for link in links:
        assert link["href"].startswith(("http://", "https://")), link
        assert link["target"] == "_blank", link
        assert "noopener" in link["rel"].split() and "noreferrer" in link["rel"].split(), link
    # Sources are shown by their short title (the site's name), not as a full address.
    assert any(not link["text"].startswith("http") for link in links), links


def active_testid(page: Page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-testid')")


def tab_to(page: Page, testid: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the element with `testid` has the focus; check it shows focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if active_testid(page) == testid:
            break
        page.keyboard.press(key)
    else:
        pytest.fail(f"{testid!r} was not reached with {key} in {limit} presses")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus outline on {testid}: {outline}"


def assert_ui_strings_applied(page: Page, ui: dict) -> None:
    strings = ui["strings"]
    expect(by_testid(page, "message-input")).to_have_attribute("aria-label", strings["placeholder"])
    expect(by_testid(page, "message-input")).to_have_attribute("placeholder", strings["placeholder"])
    expect(by_testid(page, "send-button")).to_have_attribute("aria-label", strings["send"])
    expect(by_testid(page, "message-list")).to_have_attribute("aria-label", strings["message_list_label"])
    expect(page.locator("h1")).to_have_text(strings["title"])
    names = [o.strip() for o in by_testid(page, "language-select").locator("option").all_inner_texts()]
    assert names == [lang["name"] for lang in ui["languages"]]


def screenshot(page: Page, path) -> None:
    page.wait_for_timeout(700)  # let the smooth scroll to the newest message finish
    page.screenshot(path=str(path), full_page=True, animations="disabled")


def accept_privacy_with_mouse(page: Page) -> None:
    panel = by_testid(page, "privacy-panel")
    expect(panel).to_be_visible()
    by_testid(page, "privacy-accept").click()
    expect(panel).to_be_hidden()


def ask(page: Page, question: str, *, keyboard: bool) -> int:
    before = bot_count(page)
    if keyboard:
        page.keyboard.type(question)
        page.keyboard.press("Enter")
    else:
        by_testid(page, "message-input").fill(question)
        by_testid(page, "send-button").click()
    expect(page.locator(USER).last).to_have_text(question)
    expect(by_testid(page, "message-input")).to_have_value("")
    wait_for_new_bot_messages(page, before)
    return before


def test_polish_health_insurance(stack_url: str, new_page, artifacts_dir) -> None:
    page = new_page(device="mobile")
    page.goto(stack_url)

    accept_privacy_with_mouse(page)
    wait_for_greeting(page)
    expect(page.locator(USER)).to_have_count(0)  # "/start" is not shown

    with page.expect_response(lambda r: "/api/ui" in r.url and "lang=pl" in r.url) as ui_response:
        by_testid(page, "language-select").select_option("pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    wait_idle(page)
    expect(page.locator(USER)).to_have_count(0)  # "/change_language{...}" is not shown
    ui = ui_response.value.json()
    assert ui["language"] == "pl"
    assert_ui_strings_applied(page, ui)
    expect(by_testid(page, "language-select")).to_have_value("pl")

    before = ask(page, "czy muszę mieć ubezpieczenie zdrowotne w Holandii?", keyboard=False)
    assert_answer_has_link(page, before)
    expect(page.locator("html")).to_have_attribute("lang", "pl")

    replies = page.locator(QUICK_REPLY)
    assert replies.count() > 0, "no quick-reply buttons after the answer"
    button = replies.last
    title = button.inner_text().strip()
    assert button.evaluate("b => b.tagName") == "BUTTON"
    before = bot_count(page)
    button.click()
    expect(page.locator(USER).last).to_have_text(title)
    wait_for_new_bot_messages(page, before)
    expect(page.locator("#error-line")).to_be_empty()
    expect(page.locator("html")).to_have_attribute("lang", "pl")

    screenshot(page, artifacts_dir / "webchat-polish.png")


def test_romanian_housing_keyboard_only(stack_url: str, new_page, artifacts_dir) -> None:
    page = new_page(device="desktop")
    page.goto(stack_url)

    expect(by_testid(page, "privacy-panel")).to_be_visible()
    tab_to(page, "privacy-accept")
    page.keyboard.press("Enter")
    expect(by_testid(page, "privacy-panel")).to_be_hidden()
    wait_for_greeting(page)

    # The language <select>: change it with the arrow keys only.
    tab_to(page, "language-select", backwards=True)
    select = by_testid(page, "language-select")
    codes = select.evaluate("s => Array.from(s.options, o => o.value)")
    assert "ro" in codes, codes
    with page.expect_response(lambda r: "/api/ui" in r.url and "lang=ro" in r.url) as ui_response:
        for _ in range(len(codes)):
            current = select.input_value()
            if current == "ro":
                break
            page.keyboard.press("ArrowDown" if codes.index(current) < codes.index("ro") else "ArrowUp")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    wait_idle(page)
    assert_ui_strings_applied(page, ui_response.value.json())

    tab_to(page, "message-input")
    before = ask(page, "câți oameni pot dormi într-o cameră?", keyboard=True)
    assert_answer_has_link(page, before)
    expect(page.locator("html")).to_have_attribute("lang", "ro")

    # Back from the input to the newest quick reply, press it with Enter.
    tab_to(page, "quick-reply", backwards=True)
    title = page.evaluate("() => document.activeElement.textContent").strip()
    before = bot_count(page)
    page.keyboard.press("Enter")
    expect(page.locator(USER).last).to_have_text(title)
    wait_for_new_bot_messages(page, before)
    assert active_testid(page) == "message-input"  # keyboard users go on typing
    expect(page.locator("html")).to_have_attribute("lang", "ro")

    screenshot(page, artifacts_dir / "webchat-romanian.png")


def test_user_text_is_shown_literally(stack_url: str, new_page, artifacts_dir) -> None:
    page = new_page(device="mobile")
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(stack_url)
    accept_privacy_with_mouse(page)
    wait_for_greeting(page)

    text = "<b>bold</b><script>x</script>"
    by_testid(page, "message-input").fill(text)
    by_testid(page, "message-input").press("Enter")
    bubble = page.locator(USER).last
    expect(bubble).to_have_text(text)
    wait_idle(page)
    assert bubble.locator("b, script").count() == 0
    assert by_testid(page, "message-list").locator("b, script, img, iframe").count() == 0
    assert not dialogs
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a 320px phone"

    screenshot(page, artifacts_dir / "webchat-escaping.png")

    # A reload keeps this tab's history and the privacy choice, and sends no new "/start".
    bots = bot_count(page)
    page.reload()
    expect(page.locator(USER).last).to_have_text(text)
    expect(by_testid(page, "privacy-panel")).to_be_hidden()
    page.wait_for_timeout(1000)
    wait_idle(page)
    assert bot_count(page) == bots


def test_failed_send_keeps_the_text(stack_url: str, new_page) -> None:
    page = new_page(device="mobile")
    page.goto(stack_url)
    accept_privacy_with_mouse(page)
    wait_for_greeting(page)
    users = page.locator(USER).count()

    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    text = "czy muszę mieć ubezpieczenie zdrowotne w Holandii?"
    by_testid(page, "message-input").fill(text)
    by_testid(page, "send-button").click()
    expect(page.locator("#error-line")).not_to_be_empty()
    expect(page.locator("#error-line")).to_have_attribute("aria-live", "polite")
    expect(by_testid(page, "message-input")).to_have_value(text)
    expect(page.locator(USER)).to_have_count(users)

    page.unroute("**/api/chat")
    before = bot_count(page)
    by_testid(page, "send-button").click()
    wait_for_new_bot_messages(page, before)
    expect(page.locator("#error-line")).to_be_empty()
    expect(page.locator(USER).last).to_have_text(text)


def test_too_many_messages_show_the_polite_line_and_keep_the_text(stack_url: str, new_page) -> None:
    page = new_page(device="mobile", locale="pl-PL")
    page.goto(stack_url)
    accept_privacy_with_mouse(page)
    wait_for_greeting(page)
    users = page.locator(USER).count()

    body = json.dumps({"error": "too many messages", "message": "(from the server)", "language": "pl",
                       "retry_after": 3})
    page.route("**/api/chat", lambda route: route.fulfill(status=429, headers={"Retry-After": "3"},
                                                         content_type="application/json", body=body))
    text = "gdzie mogę dostać numer BSN?"
    by_testid(page, "message-input").fill(text)
    by_testid(page, "send-button").click()
    with use_locale("pl"):
        polite = gettext(UI_STRINGS["rate_limited"])
    expect(page.locator("#error-line")).to_have_text(polite)
    expect(by_testid(page, "message-input")).to_have_value(text)
    expect(page.locator(USER)).to_have_count(users)
    page.unroute("**/api/chat")


def test_share_location_finds_help_nearby(stack_url: str, new_page, artifacts_dir) -> None:
    """Menu -> help nearby -> "share my location" uses the browser's position (Utrecht here)."""
    page = new_page(device="mobile", locale="nl-NL", geolocation={"latitude": 52.0907, "longitude": 5.1214})
    page.goto(stack_url)
    accept_privacy_with_mouse(page)
    wait_for_greeting(page)
    with use_locale("nl"):
        help_nearby, share = gettext(m.BUTTON_HELP_POINT), gettext(h.BUTTON_SHARE_LOCATION)
    before = bot_count(page)
    page.locator(QUICK_REPLY).filter(has_text=help_nearby).last.click()
    wait_for_new_bot_messages(page, before)
    before = bot_count(page)
    page.locator(QUICK_REPLY).filter(has_text=share).last.click()
    wait_for_new_bot_messages(page, before)
    answer = page.locator(BOT).nth(before)
    expect(answer).to_contain_text("Utrecht")
    expect(answer).to_contain_text("km")
    screenshot(page, artifacts_dir / "webchat-location.png")
