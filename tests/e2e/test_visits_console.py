"""The mobile team in the staff console, end to end in headless Chromium against the running stack: log in, plan a
visit at a housing location, see the announcement in six languages and how many residents get it per channel and
language, send it, and watch the worker deliver it (the delivery counts update by themselves).

Residents are web-chat subscribers written straight into the stack's database (the chat's own subscribing is
tested in tests/stack/); the location and the account come from the `winbot` commands, as an operator makes them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from core.db.models import Subscription, User
from core.db.session import make_engine, make_session_factory
from core.formatting import AMSTERDAM
from core.locations import get_location
from core.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

PASSWORD = "e2e mobile team password 1234"  # noqa: S105 - a test account in a throw-away database
TIMEOUT_MS = 45_000
RESIDENTS = {"pl": 3, "ro": 2, "bg": 1, "uk": 1, "en": 2, "nl": 1}
INTROS = {"pl": "Zespół mobilny przyjedzie", "ro": "Echipa mobilă vine", "bg": "Мобилният екип идва",
          "uk": "Мобільна команда приїде", "en": "The mobile team is coming", "nl": "Het mobiele team komt"}
NOTE = "Przynieście umowę o pracę. <img src=x onerror=alert(1)>"


def winbot(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, text=True, cwd=ROOT, env=env,
                          capture_output=True, check=False)


def add_location_and_residents(env: dict[str, str], tmp_path) -> tuple[str, str]:
    """A fresh location (the stack's database outlives one test run) with subscribers in six languages."""
    code = "e2e" + secrets.token_hex(4)
    name = f"Park Zonnehof {code[-4:]}"
    csv = tmp_path / "locations.csv"
    csv.write_text("code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
                   f"{code},{name},,Bosweg 1,5912 AB,Venlo,,,,,\n", encoding="utf-8")
    done = winbot(env, "locations", "import", str(csv))
    assert done.returncode == 0, done.stderr
    engine = make_engine(Settings.from_env(env).database_url)
    try:
        with make_session_factory(engine)() as db:
            location = get_location(db, code)
            assert location is not None
            for language, count in RESIDENTS.items():
                for _ in range(count):
                    user_id = "we-" + secrets.token_hex(20)
                    db.add(User(id=user_id, channel="web", language=language))
                    db.flush()
                    db.add(Subscription(user_id=user_id, location_id=location.id))
            db.commit()
    finally:
        engine.dispose()
    return code, name


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/")
    expect(page).to_have_url(f"{url}/staff/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')


def test_the_mobile_team_plans_previews_sends_and_follows_a_visit(stack, new_page, artifacts_dir, tmp_path) -> None:
    code, name = add_location_and_residents(stack.env, tmp_path)
    username = "e2e-team-" + code[-4:]
    done = winbot(stack.env, "staff", "add", username, "--role", "mobile_team", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr

    page = new_page(device="desktop", locale="en-US")
    dialogs: list[tuple[str, str]] = []

    def answer(dialog) -> None:
        dialogs.append((dialog.type, dialog.message))
        dialog.accept()

    page.on("dialog", answer)
    log_in(page, stack.url, username)
    # The mobile team opens on the visits; the chat pages are not theirs.
    expect(page.locator("#visits-panel")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator('nav a[data-view="#chats"]')).to_be_hidden()
    page.click("#lang")
    expect(page.locator("#visits-title")).to_have_text("Bezoeken van het mobiele team")
    page.click("#lang")
    expect(page.locator("#visits-title")).to_have_text("Mobile-team visits")

    day = (dt.datetime.now(AMSTERDAM) + dt.timedelta(days=3)).strftime("%Y-%m-%d")
    page.click("#v-new")
    page.locator("#v-locations label", has_text=name).locator("input").check()
    page.fill("#v-date", day)
    page.fill("#v-from", "17:00")
    page.fill("#v-to", "16:00")
    page.fill("#v-team", "BMIP Venlo")
    page.click("#v-save")
    expect(page.locator("#v-error")).to_have_text("The visit must end after it starts.")  # shown in the form
    page.fill("#v-to", "19:00")
    for language in ("Polski", "Română"):
        page.locator("#v-languages label", has_text=language).locator("input").check()
    page.locator("#v-topics label", has_text="Housing").locator("input").check()
    page.fill("#v-note", NOTE)
    page.locator("#v-note-languages label", has_text="Polski").locator("input").check()
    page.click("#v-save")

    # The preview in all six languages, as residents get it, with who gets it per channel and language.
    expect(page.locator("#v-detail")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#v-form")).to_be_hidden()
    expect(page.locator("#v-preview article")).to_have_count(6)
    for language, intro in INTROS.items():
        article = page.locator(f'#v-preview article[data-language="{language}"]')
        expect(article).to_contain_text(intro)
        expect(article).to_contain_text(name)
        if language == "pl":
            expect(article).to_contain_text(NOTE)  # as text: the <img> is not an element
        else:
            expect(article).not_to_contain_text("Przynieście")
    total = sum(RESIDENTS.values())
    expect(page.locator("#v-total")).to_have_text(f"Would go to {total} resident(s) now.")
    expect(page.locator("#v-counts tbody tr")).to_have_count(len(RESIDENTS))
    expect(page.locator("#v-counts tbody tr", has_text="PL")).to_contain_text("web chat")
    expect(page.locator("#v-counts tbody tr", has_text="PL").locator("td").nth(2)).to_have_text("3")
    expect(page.locator("#v-send-state")).to_contain_text("Not sent yet")
    expect(page.locator("#v-posters a").first).to_have_attribute("href", f"/staff/locations/{code}/poster?channel=web")

    # Send now; the worker delivers to the web inboxes and the counts follow without reloading.
    page.click("#v-send-now")
    expect(page.locator('#v-totals td[data-status="sent"]')).to_have_text(str(total), timeout=TIMEOUT_MS)
    expect(page.locator('#v-totals td[data-status="queued"]')).to_have_text("0")
    expect(page.locator("#v-send-state")).to_contain_text("The announcement went out")
    expect(page.locator("#v-list tbody tr.selected")).to_contain_text(f"{total} / {total}")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "visits-console.png"), full_page=True)
    assert [kind for kind, _ in dialogs] == ["confirm"]  # the send confirmation; nothing typed ran as script
    assert f"{total} resident(s)" in dialogs[0][1]

    # A change reaches everyone who was told; so does the cancellation (after a confirmation).
    page.click("#v-edit")
    expect(page.locator("#v-form")).to_be_visible()
    expect(page.locator("#v-team")).to_have_value("BMIP Venlo")
    page.fill("#v-team", "BMIP Noord-Limburg")
    page.click("#v-save")
    expect(page.locator("#v-meta")).to_contain_text("changed")
    changes = page.locator("#v-delivery tbody tr", has_text="change").filter(has_text="sent")
    expect(changes).to_have_count(len(RESIDENTS), timeout=TIMEOUT_MS)
    page.fill("#v-cancel-note", "Zespół jest chory.")
    page.select_option("#v-cancel-language", "pl")
    page.click("#v-cancel")
    expect(page.locator("#v-send-state")).to_have_text("This visit is cancelled.")
    cancellations = page.locator("#v-delivery tbody tr", has_text="cancellation").filter(has_text="sent")
    expect(cancellations).to_have_count(len(RESIDENTS), timeout=TIMEOUT_MS)
    expect(page.locator('#v-totals td[data-status="sent"]')).to_have_text(str(3 * total))
    assert [kind for kind, _ in dialogs] == ["confirm", "confirm"]
    page.select_option("#v-kind", "cancellation")
    expect(page.locator('#v-preview article[data-language="pl"]')).to_contain_text("Zespół jest chory.")
    expect(page.locator('#v-preview article[data-language="en"]')).not_to_contain_text("Zespół")

    # The QR poster opens for printing, from the list of locations.
    page.click("#v-places summary")
    place = page.locator("#v-places-list tbody tr", has_text=name)
    expect(place).to_contain_text("Bosweg 1, 5912 AB Venlo")
    with page.context.expect_page() as opened:
        place.locator("a", has_text="web chat").click()
    poster = opened.value
    expect(poster.locator("h1")).to_have_text(name)
    expect(poster.locator(".qr svg")).to_be_visible()
    expect(poster.locator(".captions li")).to_have_count(6)
    poster.screenshot(path=str(artifacts_dir / "visits-poster.png"), full_page=True)


def test_a_new_visit_opened_before_the_locations_arrive_still_lists_them(stack, new_page, tmp_path) -> None:
    """On a slow connection the team may click "Plan a visit" before the console has loaded its locations: the form
    waits for them instead of opening empty (and staying so)."""
    code, name = add_location_and_residents(stack.env, tmp_path)
    username = "e2e-slow-" + code[-4:]
    done = winbot(stack.env, "staff", "add", username, "--role", "mobile_team", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr

    page = new_page(device="desktop", locale="en-US")
    held = []
    released = False

    def hold(route) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/staff/api/locations", hold)
    log_in(page, stack.url, username)
    expect(page.locator("#visits-panel")).to_be_visible(timeout=TIMEOUT_MS)
    page.click("#v-new")
    assert held, "the console asked for the locations"
    released = True
    for route in held:
        route.continue_()
    expect(page.locator("#v-form")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#v-locations label", has_text=name)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#v-languages label", has_text="Polski")).to_be_visible()
