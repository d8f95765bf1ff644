"""Finding help near a user: the nearest points, the points of a region, and both together (``find_help``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import HelpPoint, HelpPointKind
from core.geo import haversine_km
from core.regions import default_regions

if TYPE_CHECKING:
    from core.locate import Spot

#: Kinds that help labour migrants with any question (an RNI desk only registers; expat centres serve mostly
#: knowledge migrants). "Is there help in my region?" is answered with these.
MIGRANT_HELP_KINDS = frozenset({HelpPointKind.WIN_POINT, HelpPointKind.INFORMATION_POINT, HelpPointKind.MOBILE_BUS})


@dataclass(frozen=True)
class NearbyPoint:
    point: HelpPoint
    distance_km: float


def nearest(session: Session, lat: float, lon: float, limit: int = 3,
            kinds: Iterable[HelpPointKind] | None = None) -> list[NearbyPoint]:
    """The ``limit`` nearest points that have coordinates (straight-line distance), nearest first."""
    query = select(HelpPoint).where(HelpPoint.lat.is_not(None), HelpPoint.lon.is_not(None))
    if kinds is not None:
        query = query.where(HelpPoint.kind.in_(list(kinds)))
    ranked = sorted(
        (NearbyPoint(p, haversine_km(lat, lon, p.lat, p.lon)) for p in session.scalars(query)),  # type: ignore[arg-type]
        key=lambda n: (n.distance_km, n.point.code),
    )
    return ranked[:limit]


def points_in_region(session: Session, region: str, kinds: Iterable[HelpPointKind] | None = None) -> list[HelpPoint]:
    """Every point of a labour-market region, with or without coordinates, ordered by kind and name."""
    canonical = default_regions().canonical_region(region)
    if canonical is None:
        return []
    query = select(HelpPoint).where(HelpPoint.region == canonical)
    if kinds is not None:
        query = query.where(HelpPoint.kind.in_(list(kinds)))
    order = list(HelpPointKind)
    return sorted(session.scalars(query), key=lambda p: (order.index(p.kind), p.name))


@dataclass(frozen=True)
class HelpAnswer:
    """What "where can I get help near me?" needs. If ``regional_help`` is empty, say honestly that no WIN-punt
    is known in the region and offer ``nearest_help`` plus the national options (workinnl.nl)."""

    region: str | None
    #: The nearest points of any kind (RNI desks too), nearest first.
    nearest: list[NearbyPoint]
    #: WIN-punten, information points and mobile points of the user's region (some without coordinates).
    regional_help: list[HelpPoint]
    #: The nearest WIN-punt, information point or mobile point with coordinates, wherever it is.
    nearest_help: NearbyPoint | None


def find_help(session: Session, spot: Spot, limit: int = 3) -> HelpAnswer:
    help_nearby = nearest(session, spot.lat, spot.lon, limit=1, kinds=MIGRANT_HELP_KINDS)
    return HelpAnswer(
        region=spot.region,
        nearest=nearest(session, spot.lat, spot.lon, limit=limit),
        regional_help=points_in_region(session, spot.region, MIGRANT_HELP_KINDS) if spot.region else [],
        nearest_help=help_nearby[0] if help_nearby else None,
    )
