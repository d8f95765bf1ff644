"""A help point's fields as the assistant shows them: a map link, phone numbers, languages and caveats."""

from __future__ import annotations

from core.db.models import HelpPoint
from core.geo import map_url


def point_map_url(point: HelpPoint) -> str | None:
    return map_url(point.lat, point.lon, point.address, point.city, point.approximate)


def point_languages(point: HelpPoint) -> list[str]:
    return point.languages.split(",") if point.languages else []


def point_phones(point: HelpPoint) -> list[str]:
    return [p.strip() for p in point.phone.split(";")] if point.phone else []


def point_caveats(point: HelpPoint) -> list[str]:
    return point.caveats.split(",") if point.caveats else []
