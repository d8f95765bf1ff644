"""Finding help and mobile-team visits, run on trackers against a real (SQLite) database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.base
from actions.help_points import SHARE_LOCATION, ActionFindWinPoint, ActionMobileTeamVisit
from core.content import help_messages as h
from core.db.migrate import upgrade
from core.db.models import User
from core.helppoints.registry import seed_if_empty
from core.i18n import gettext, use_locale
from core.locations import add_visit, import_locations, subscriptions_of

SENDER = "we-test-help-points"
LOCATIONS_CSV = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "venlo1,Hotel De Maas,Agency X,Kaldenkerkerweg 1,5912AB,Venlo,,,,,\n"
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WINBOT_VAR_DIR", str(tmp_path))
    actions.base.sessions.cache_clear()
    upgrade(url)
    with actions.base.sessions()() as db:
        seed_if_empty(db)
        import_locations(db, io.StringIO(LOCATIONS_CSV))
        db.add(User(id=SENDER, channel="web"))  # the router creates the user before Rasa sees a message
        db.commit()
    yield actions.base.sessions()
    actions.base.sessions.cache_clear()


def tracker(text: str, intent: str, language: str = "en", entities: dict | None = None,
            location: dict | None = None, button_entities: list | None = None, previous: str | None = None) -> Tracker:
    metadata = {"language": language, "channel": "web", "first_contact": False, "entities": entities or {}}
    if location:
        metadata["location"] = location
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": button_entities or [],
              "metadata": metadata}
    events = [{"event": "action", "name": "action_listen"}]
    if previous:
        events += [{"event": "user", "text": "earlier"}, {"event": "action", "name": previous},
                   {"event": "action", "name": "action_listen"}]
    events.append({"event": "user", "text": text, "parse_data": latest, "metadata": metadata})
    return Tracker(SENDER, {}, latest, events, False, None, {}, "action_listen")


async def run(action, trk: Tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, trk, {})
    return dispatcher.messages


async def test_no_place_asks_where_with_a_share_location_button(database) -> None:
    messages = await run(ActionFindWinPoint(), tracker("where can I get help?", "find_win_point"))
    with use_locale("en"):
        assert messages[0]["text"] == gettext(h.WHERE_ARE_YOU)
    assert messages[0]["buttons"][0]["payload"] == SHARE_LOCATION


async def test_a_venlo_postcode_gives_the_venlo_desk_first_with_distance_and_map(database) -> None:
    messages = await run(ActionFindWinPoint(), tracker("5912 AB", "find_win_point", "pl",
                                                      entities={"city": None, "postcode": "5912AB"}))
    text = messages[0]["text"]
    first_point = text.split("\n—\n")[1]
    assert "Venlo" in first_point and "km" in first_point
    assert "openstreetmap.org" in text
    assert "workinnl.nl" in text


async def test_a_shared_location_in_breda_gives_breda_points_first(database) -> None:
    breda = {"lat": 51.589, "lon": 4.776}
    messages = await run(ActionFindWinPoint(), tracker("", "find_win_point", "ro", location=breda))
    assert "Breda" in messages[0]["text"].split("\n—\n")[1]


async def test_an_ambiguous_place_gets_a_question_with_one_button_per_municipality(database) -> None:
    messages = await run(ActionFindWinPoint(), tracker("Bergen", "find_win_point", "nl",
                                                      entities={"city": "Bergen", "postcode": None}))
    with use_locale("nl"):
        assert messages[0]["text"] == gettext(h.WHICH_PLACE, name="Bergen")
    municipalities = [b["payload"] for b in messages[0]["buttons"] if b["payload"].startswith("/find_win_point")]
    assert len(municipalities) == 2
    chosen = [{"entity": "municipality", "value": municipalities[1].split('"municipality":"')[1].rstrip('"}')}]
    answer = await run(ActionFindWinPoint(), tracker(municipalities[1], "find_win_point", "nl",
                                                    button_entities=chosen))
    assert "km" in answer[0]["text"]


async def test_visits_near_a_place_are_shown_in_amsterdam_time_and_can_be_subscribed(database) -> None:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    with database() as db:
        add_visit(db, "venlo1", start, start + dt.timedelta(hours=2), "Team Noord-Limburg", languages="pl,ro")
        db.commit()
    messages = await run(ActionMobileTeamVisit(), tracker("w Venlo", "mobile_team_visit", "pl",
                                                         entities={"city": "Venlo", "postcode": None}))
    text = messages[0]["text"]
    assert "Hotel De Maas" in text and "Polski" in text
    local = start.astimezone(dt.timezone(dt.timedelta(hours=1)))  # winter: CET
    assert f"{local.hour}:00" in text
    notify = [b for b in messages[0]["buttons"] if "subscribe" in b["payload"]]
    assert notify
    subscribe = [{"entity": "subscribe", "value": "venlo1"}]
    confirm = await run(ActionMobileTeamVisit(), tracker(notify[0]["payload"], "mobile_team_visit", "pl",
                                                        button_entities=subscribe))
    with use_locale("pl"):
        assert confirm[0]["text"].startswith(gettext(h.SUBSCRIBED, location="Hotel De Maas"))
    with database() as db:
        assert [loc.code for loc in subscriptions_of(db, SENDER)] == ["venlo1"]
    # their own location's visits, without naming a place
    mine = await run(ActionMobileTeamVisit(), tracker("kiedy przyjedzie zespół?", "mobile_team_visit", "pl"))
    assert "Hotel De Maas" in mine[0]["text"]
    stop = await run(ActionMobileTeamVisit(), tracker("stop", "mobile_team_visit", "pl",
                                                     button_entities=[{"entity": "unsubscribe", "value": "all"}]))
    with use_locale("pl"):
        assert stop[0]["text"] == gettext(h.UNSUBSCRIBED)
    with database() as db:
        assert subscriptions_of(db, SENDER) == []


async def test_no_visit_is_answered_honestly_with_the_nearest_help_point(database) -> None:
    messages = await run(ActionMobileTeamVisit(), tracker("Breda", "mobile_team_visit", "en",
                                                         entities={"city": "Breda", "postcode": None}))
    text = messages[0]["text"]
    with use_locale("en"):
        assert text.startswith(gettext(h.NO_VISITS_NEAR, place="Breda"))
        assert gettext(h.NEAREST_HELP_INSTEAD) in text


async def test_a_place_answering_the_mobile_team_question_shows_visits_not_help_points(database) -> None:
    messages = await run(ActionFindWinPoint(), tracker("Breda", "find_win_point", "en",
                                                      entities={"city": "Breda", "postcode": None},
                                                      previous="action_mobile_team_visit"))
    with use_locale("en"):
        assert messages[0]["text"].startswith(gettext(h.NO_VISITS_NEAR, place="Breda"))


async def test_caveats_are_shown_in_the_users_language(database) -> None:
    messages = await run(ActionFindWinPoint(), tracker("9711", "find_win_point", "uk",
                                                      entities={"city": None, "postcode": "9711"}))
    with use_locale("uk"):
        assert gettext(h.CAVEAT_ANNOUNCED) in messages[0]["text"]  # the Groningen WIN-punt
        assert gettext(h.CAVEAT_APPOINTMENT) in messages[0]["text"]  # the RNI desk
