"""Help nearby and mobile-team visits through POST /api/chat against the running stack, in six languages."""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import sys

import httpx
import pytest

from core.content import help_messages as h
from core.formatting import format_distance_km
from core.i18n import gettext, use_locale
from tests.conftest import ROOT, Stack

pytestmark = pytest.mark.stack

#: language -> (a place as natives write it, expected town)
PLACES = {
    "pl": ("w Bredzie", "Breda"),
    "ro": ("la Tilburg", "Tilburg"),
    "bg": ("във Венло", "Venlo"),
    "uk": ("у Роттердамі", "Rotterdam"),
    "en": ("Rotterdm", "Rotterdam"),
    "nl": ("Zwolle", "Zwolle"),
}
LOCATION_CSV = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "tegelen1,Vakantiepark De Heide,Agency X,,5932 AA,Tegelen,,,,,\n"
)


@pytest.fixture(scope="module")
def planned_visit(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A housing location near Venlo with a visit in three days, added with the operator commands."""
    csv = tmp_path_factory.mktemp("ops") / "locations.csv"
    csv.write_text(LOCATION_CSV, encoding="utf-8")
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def winbot(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=stack.env, check=True,
                       capture_output=True)

    winbot("locations", "import", str(csv))
    winbot("visits", "add", "--location", "tegelen1", "--start", start.isoformat(),
           "--end", (start + dt.timedelta(hours=2)).isoformat(), "--team", "Team Noord-Limburg",
           "--languages", "pl,ro,bg")
    return "Vakantiepark De Heide"


def post(url: str, sender: str, text: str = "", **extra) -> dict:
    response = httpx.post(f"{url}/api/chat", json={"sender": sender, "text": text, **extra}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def buttons(reply: dict) -> list[dict]:
    return [b for message in reply["messages"] for b in message["buttons"]]


@pytest.mark.parametrize("language", list(PLACES))
def test_help_nearby_and_mobile_team_visits(stack_url: str, planned_visit: str, language: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint=language)

    by_postcode = post(stack_url, sender, "5912 AB")
    assert by_postcode["language"] == language
    text = by_postcode["messages"][0]["text"]
    with use_locale(language):
        assert text.startswith(gettext(h.NEAREST_INTRO, place="5912 AB"))
    unit = format_distance_km(1.0, language).split()[-1]  # "km", or "км" in Cyrillic
    assert "Venlo" in text.split("\n—\n")[1] and unit in text and "openstreetmap.org" in text

    place, town = PLACES[language]
    by_place = post(stack_url, sender, place)
    with use_locale(language):
        assert by_place["messages"][0]["text"].startswith(gettext(h.NEAREST_INTRO, place=town))

    shared = post(stack_url, sender, "", location={"lat": 52.0907, "lon": 5.1214})  # Utrecht
    assert "Utrecht" in shared["messages"][0]["text"].split("\n—\n")[1]

    ambiguous = post(stack_url, sender, "Bergen")
    with use_locale(language):
        assert ambiguous["messages"][0]["text"] == gettext(h.WHICH_PLACE, name="Bergen")
    assert len([b for b in buttons(ambiguous) if b["payload"].startswith("/find_win_point")]) == 2

    ask = post(stack_url, sender, "/mobile_team_visit")
    with use_locale(language):
        assert ask["messages"][0]["text"] == gettext(h.WHERE_ARE_YOU)
    visits = post(stack_url, sender, "5932")
    visits_text = visits["messages"][0]["text"]
    assert planned_visit in visits_text
    notify = [b for b in buttons(visits) if '"subscribe"' in b["payload"]]
    assert notify, visits

    subscribed = post(stack_url, sender, notify[0]["payload"])
    with use_locale(language):
        assert subscribed["messages"][0]["text"].startswith(gettext(h.SUBSCRIBED, location=planned_visit))
    mine = post(stack_url, sender, "/mobile_team_visit")
    assert planned_visit in mine["messages"][0]["text"]

    stopped = post(stack_url, sender, "stop")
    with use_locale(language):
        assert stopped["messages"][0]["text"] == gettext(h.UNSUBSCRIBED)


def test_a_qr_deep_link_subscribes_on_the_first_message(stack_url: str, planned_visit: str) -> None:
    sender = secrets.token_hex(16)
    reply = post(stack_url, sender, "/start loc_tegelen1", language_hint="ro")
    with use_locale("ro"):
        assert any(m["text"].startswith(gettext(h.SUBSCRIBED, location=planned_visit)) for m in reply["messages"])
    unknown = post(stack_url, secrets.token_hex(16), "/start loc_nosuchplace", language_hint="en")
    with use_locale("en"):
        assert any(m["text"] == gettext(h.UNKNOWN_LOCATION_LINK) for m in unknown["messages"])
