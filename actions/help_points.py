"""Finding help nearby and mobile-team visits (issue 3): thin glue between the tracker and core services."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.base import LocalisedAction, entity, gazetteer, metadata, send
from core.content import help_messages as h
from core.content import messages as m
from core.content.sources import source_link
from core.db.models import HelpPoint, HelpPointKind, HousingLocation, MobileTeamVisit, VisitStatus
from core.formatting import format_date, format_distance_km
from core.geo import haversine_km
from core.helppoints.display import point_caveats, point_map_url, point_phones
from core.helppoints.search import NearbyPoint, find_help
from core.i18n import LANGUAGE_NAMES, gettext
from core.locate import Located, Spot, locate, spot_from_coordinates
from core.locations import (
    format_visit_time,
    get_location,
    subscribe,
    subscriptions_of,
    unsubscribe,
    upcoming_visits,
    visit_languages,
    visits_near,
)
from core.render import Button, intent_button, menu_button, payload

#: A "share my location" button: the channel asks the device for its location (not a Rasa payload).
SHARE_LOCATION = "#share_location"
VISIT_RADIUS_KM = 15
SUBSCRIBE_RADIUS_KM = 5
MAX_VISITS_SHOWN = 5

_CAVEATS = {
    "appointment": h.CAVEAT_APPOINTMENT,
    "announced": h.CAVEAT_ANNOUNCED,
    "outdated": h.CAVEAT_OUTDATED,
    "knowledge_migrants": h.CAVEAT_KNOWLEDGE_MIGRANTS,
}
_KIND_LABELS = {
    HelpPointKind.WIN_POINT: h.KIND_WIN_POINT,
    HelpPointKind.RNI_DESK: h.KIND_RNI_DESK,
    HelpPointKind.INFORMATION_POINT: h.KIND_INFORMATION_POINT,
    HelpPointKind.EXPAT_CENTRE: h.KIND_EXPAT_CENTRE,
    HelpPointKind.MOBILE_BUS: h.KIND_MOBILE_BUS,
    HelpPointKind.OTHER: h.KIND_OTHER,
}


def share_location_button() -> Button:
    return Button(gettext(h.BUTTON_SHARE_LOCATION), SHARE_LOCATION)


def where_are_you(dispatcher: CollectingDispatcher) -> None:
    send(dispatcher, gettext(h.WHERE_ARE_YOU), [share_location_button(), menu_button()])


def located_from(tracker: Tracker) -> Located | None:
    """Where the user says they are: a shared location, a chosen municipality, a postcode or a place."""
    data = metadata(tracker)
    location = data.get("location")
    if isinstance(location, dict) and {"lat", "lon"} <= location.keys():
        return Located((spot_from_coordinates(gazetteer(), float(location["lat"]), float(location["lon"])),))
    chosen = entity(tracker, "municipality")
    if chosen:
        found = locate(gazetteer(), chosen.split("|")[0])
        if found:
            spots = [s for s in found.spots if s.municipality == chosen.split("|")[-1]] or list(found.spots)
            return Located((spots[0],))
    entities = data.get("entities") or {}
    for value in (entities.get("postcode"), entities.get("city")):
        if value:
            found = locate(gazetteer(), str(value))
            if found:
                return found
    return None


def ask_which_place(dispatcher: CollectingDispatcher, located: Located, intent: str) -> None:
    buttons = []
    for spot in located.spots[:5]:
        province = next((p.province for p in gazetteer().candidates(spot.name) if p.municipality == spot.municipality),
                        spot.municipality)
        title = gettext(h.PLACE_IN_PROVINCE, name=spot.name, province=province)
        buttons.append(Button(title, payload(intent, municipality=f"{spot.name}|{spot.municipality}")))
    send(dispatcher, gettext(h.WHICH_PLACE, name=located.spot.name), [*buttons, share_location_button()])


def describe_point(point: HelpPoint, distance_km: float | None) -> str:
    lines = [f"{gettext(_KIND_LABELS.get(point.kind, h.KIND_OTHER))}: {point.name}"]
    if distance_km is not None:  # to the town when the address is not published (see the address line)
        lines.append(gettext(h.POINT_DISTANCE, distance=format_distance_km(distance_km)))
    if point.address:
        address = ", ".join(x for x in (point.address, " ".join(filter(None, (point.postcode, point.city)))) if x)
        lines.append(gettext(h.POINT_ADDRESS, address=address))
    else:
        lines.append(gettext(h.POINT_NO_ADDRESS))
    lines += [gettext(_CAVEATS[c]) for c in point_caveats(point) if c in _CAVEATS]
    if point.opening_hours:
        lines.append(gettext(h.POINT_HOURS, hours=point.opening_hours))
    phones = point_phones(point)
    if phones:
        lines.append(gettext(h.POINT_PHONE, phone=" / ".join(phones)))
    if point.languages:
        names = ", ".join(LANGUAGE_NAMES.get(code, code) for code in point.languages.split(","))
        lines.append(gettext(h.POINT_LANGUAGES, languages=names))
    url = point_map_url(point)
    if url:
        lines.append(gettext(h.POINT_MAP, url=url))
    source = (point.source or "").split(" ; ")[0].strip()
    if source:
        lines.append(gettext(m.SOURCE_LINE, source=source_link(source)))
    return "\n".join(lines)


def help_points_text(db: Session, spot: Spot) -> str:
    answer = find_help(db, spot)
    parts = [gettext(h.NEAREST_INTRO, place=spot.postcode or spot.name)]
    shown: list[HelpPoint] = []
    for near in answer.nearest:
        parts.append(describe_point(near.point, near.distance_km))
        shown.append(near.point)
    region = answer.region or spot.municipality
    regional = [p for p in answer.regional_help if p not in shown]
    if answer.regional_help:
        if regional:
            parts.append(gettext(h.REGION_POINTS, region=region))
            parts += [describe_point(p, None) for p in regional[:2]]
            shown += regional[:2]
    else:
        parts.append(gettext(h.NO_WIN_POINT_IN_REGION, region=region))
        if answer.nearest_help and answer.nearest_help.point not in shown:
            parts.append(describe_point(answer.nearest_help.point, answer.nearest_help.distance_km))
            shown.append(answer.nearest_help.point)
    parts.append(gettext(h.NATIONAL_OPTIONS))
    if shown:
        parts.append(gettext(h.CHECKED_LINE, date=format_date(min(p.last_checked for p in shown))))
    # A point list can be long: separate points with a line, not a blank line (Rasa splits on those).
    return "\n—\n".join(parts)


def nearest_help_text(db: Session, spot: Spot) -> str | None:
    answer = find_help(db, spot)
    near: NearbyPoint | None = answer.nearest_help or (answer.nearest[0] if answer.nearest else None)
    return describe_point(near.point, near.distance_km) if near else None


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the user's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return str(event["name"])
    return None


class ActionFindWinPoint(LocalisedAction):
    def name(self) -> str:
        return "action_find_win_point"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        located = located_from(tracker)
        if located is not None and previous_bot_action(tracker) == "action_mobile_team_visit":
            # The user answered the mobile-team question "where are you?" with a place.
            visits_reply(dispatcher, db, located)
            return
        if located is None:
            where_are_you(dispatcher)
            return
        if located.ambiguous:
            ask_which_place(dispatcher, located, "find_win_point")
            return
        send(dispatcher, help_points_text(db, located.spot),
             [*filter(None, [intent_button("mobile_team_visit"), intent_button("report_abuse")]), menu_button()])


def describe_visit(visit: MobileTeamVisit) -> str:
    location: HousingLocation = visit.location
    lines = [gettext(h.VISIT_LINE, when=format_visit_time(visit), location=location.name)]
    if visit.status is VisitStatus.CHANGED:
        lines.append(gettext(h.VISIT_CHANGED))
    elif visit.status is VisitStatus.CANCELLED:
        lines.append(gettext(h.VISIT_CANCELLED))
    languages = visit_languages(visit)
    if languages:
        lines.append(gettext(h.VISIT_LANGUAGES, languages=", ".join(LANGUAGE_NAMES.get(c, c) for c in languages)))
    return "\n".join(lines)


def subscribed_reply(dispatcher: CollectingDispatcher, db: Session, user_id: str, code: str) -> None:
    location = get_location(db, code)
    if location is None:
        send(dispatcher, gettext(h.UNKNOWN_LOCATION_LINK), [menu_button()])
        return
    added = subscribe(db, user_id, code)
    text = gettext(h.SUBSCRIBED if added else h.ALREADY_SUBSCRIBED, location=location.name)
    visits = upcoming_visits(db, code)[:MAX_VISITS_SHOWN]
    if visits:
        text += "\n—\n" + gettext(h.VISITS_AT, location=location.name) + "\n" + "\n".join(
            describe_visit(v) for v in visits)
    send(dispatcher, text, [Button(gettext(h.BUTTON_STOP), payload("mobile_team_visit", unsubscribe="all")),
                            menu_button()])


def visits_reply(dispatcher: CollectingDispatcher, db: Session, located: Located) -> None:
    if located.ambiguous:
        ask_which_place(dispatcher, located, "mobile_team_visit")
        return
    spot = located.spot
    place = spot.postcode or spot.name
    buttons: list[Button] = []
    nearby = visits_near(db, spot.lat, spot.lon, radius_km=VISIT_RADIUS_KM, include_cancelled=True)
    if nearby:
        text = gettext(h.VISITS_NEAR, place=place) + "\n" + "\n—\n".join(
            describe_visit(n.visit) for n in nearby[:MAX_VISITS_SHOWN])
    else:
        text = gettext(h.NO_VISITS_NEAR, place=place)
        help_text = nearest_help_text(db, spot)
        if help_text:
            text += "\n—\n" + gettext(h.NEAREST_HELP_INSTEAD) + "\n" + help_text
    home = _nearest_location(db, spot)
    if home is not None:
        text += "\n—\n" + gettext(h.SUBSCRIBE_OFFER, location=home.name)
        buttons.append(Button(gettext(h.BUTTON_NOTIFY), payload("mobile_team_visit", subscribe=home.code)))
    send(dispatcher, text, [*buttons, menu_button()])


def _nearest_location(db: Session, spot: Spot) -> HousingLocation | None:
    """The housing location within SUBSCRIBE_RADIUS_KM of the user, to offer its visit messages."""
    best: tuple[float, HousingLocation] | None = None
    for location in db.scalars(select(HousingLocation).where(HousingLocation.lat.is_not(None))):
        if location.lat is None or location.lon is None:
            continue
        distance = haversine_km(spot.lat, spot.lon, location.lat, location.lon)
        if distance <= SUBSCRIBE_RADIUS_KM and (best is None or distance < best[0]):
            best = (distance, location)
    return best[1] if best else None


class ActionMobileTeamVisit(LocalisedAction):
    """Next visits at the user's own housing location or near a place; subscribe and unsubscribe."""

    def name(self) -> str:
        return "action_mobile_team_visit"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        user_id = tracker.sender_id
        code = entity(tracker, "subscribe")
        if code:
            subscribed_reply(dispatcher, db, user_id, code)
            return
        if entity(tracker, "unsubscribe"):
            removed = unsubscribe(db, user_id)
            send(dispatcher, gettext(h.UNSUBSCRIBED if removed else h.NOT_SUBSCRIBED), [menu_button()])
            return
        located = located_from(tracker)
        if located is not None:
            visits_reply(dispatcher, db, located)
            return
        homes = subscriptions_of(db, user_id)
        if homes:
            parts = []
            for home in homes:
                visits = upcoming_visits(db, home.code, include_cancelled=True)[:MAX_VISITS_SHOWN]
                if visits:
                    parts.append(gettext(h.VISITS_AT, location=home.name) + "\n" + "\n—\n".join(
                        describe_visit(v) for v in visits))
                else:
                    parts.append(gettext(h.NO_VISITS_AT, location=home.name))
            stop = Button(gettext(h.BUTTON_STOP), payload("mobile_team_visit", unsubscribe="all"))
            send(dispatcher, "\n—\n".join(parts), [stop, menu_button()])
            return
        where_are_you(dispatcher)

