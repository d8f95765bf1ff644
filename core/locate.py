"""Where a user is: a postcode, a place name as they write it, or a shared location -> a :class:`Spot`.

Postcodes are looked up in the shared PC4 table (core.geo), names through the gazetteer (core.places), so
"5912ab", "w Venlo" and "у Венло" all give Venlo. A spot carries its labour-market region (core.regions),
which is what finding help (core.helppoints.search) needs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from core.folding import fold
from core.geo import Place, PostcodeArea, geo_tables, haversine_km, mean_point
from core.places import Gazetteer
from core.regions import RegionTable, default_regions

_PC4_OR_POSTCODE = re.compile(r"^\s*([1-9]\d{3})(?:\s?([A-Za-z]{2}))?\s*$")


@dataclass(frozen=True)
class Spot:
    """Where a user is: a postcode's centroid or a town's point."""

    name: str
    municipality: str
    region: str | None
    lat: float
    lon: float
    postcode: str | None = None


@dataclass(frozen=True)
class Located:
    #: One spot, or several when a name means several municipalities ("Bergen"): ask which one.
    spots: tuple[Spot, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.spots) > 1

    @property
    def spot(self) -> Spot:
        return self.spots[0]


#: Below this population a same-named place only counts when it is its municipality's namesake.
_SIGNIFICANT_POPULATION = 5000


def locate(gazetteer: Gazetteer, text: str, regions: RegionTable | None = None) -> Located | None:
    """A postcode ("5912 AB", "5912ab", "5912") or a place name as a user writes it -> where that is."""
    regions = regions or default_regions()
    text = text.strip()
    match = _PC4_OR_POSTCODE.match(text)
    if match:
        pc4 = match.group(1)
        rows = gazetteer.postcodes.get(pc4) or _neighbouring_pc4(gazetteer, pc4)
        if not rows:
            return None
        lat, lon, municipality = mean_point(rows)
        postcode = f"{pc4} {match.group(2).upper()}" if match.group(2) else pc4
        return Located((Spot(postcode, municipality, regions.region_of(municipality), lat, lon, postcode),))
    candidates = gazetteer.candidates(text)
    if not candidates:
        place = gazetteer.lookup(text)
        if place is None:  # a whole message ("mieszkam w Rotterdamie"): the place it names
            city = gazetteer.find_city(text)
            place = gazetteer.lookup(city) if city else None
        candidates = (gazetteer.candidates(place.name) or [place]) if place else []
    if not candidates:
        return None
    geo = geo_tables()
    groups: defaultdict[str, list[Place]] = defaultdict(list)
    for place in candidates:
        groups[place.municipality].append(place)

    def is_municipality_row(place: Place) -> bool:
        # GeoNames' point for a whole municipality can lie far from its town (Rotterdam's is in the port).
        return geo.municipality_points.get(place.municipality) == (place.lat, place.lon)

    found = []
    for municipality, places in groups.items():
        best = min(places, key=lambda p: (is_municipality_row(p), -p.population))
        population = max(p.population for p in places)
        namesake = fold(re.sub(r"\s*\(.*\)$", "", municipality)) in {fold(p.name) for p in places}
        found.append((population, namesake, best))
    found.sort(key=lambda f: -f[0])
    if len(found) > 1:
        # "Zwolle" is the city, not the hamlet of 65 people in Berkelland; "Bergen" is two municipalities.
        found = [f for f in found if f[0] >= _SIGNIFICANT_POPULATION or f[1]] or found
    return Located(tuple(Spot(p.name, p.municipality, regions.region_of(p.municipality), p.lat, p.lon)
                         for _, _, p in found))


def _neighbouring_pc4(gazetteer: Gazetteer, pc4: str) -> tuple[PostcodeArea, ...]:
    """A few PC4 codes are missing from the 2017 data (SOURCES.md): take the numerically nearest in the same
    district (same first three digits), which lies next to it."""
    number = int(pc4)
    for distance in range(1, 10):
        for candidate in (number - distance, number + distance):
            if str(candidate)[:3] == pc4[:3] and str(candidate) in gazetteer.postcodes:
                return gazetteer.postcodes[str(candidate)]
    return ()


def spot_from_coordinates(gazetteer: Gazetteer, lat: float, lon: float, regions: RegionTable | None = None) -> Spot:
    """Where a shared location is: its municipality and region from the nearest postcode area's point."""
    regions = regions or default_regions()
    best = min(
        ((haversine_km(lat, lon, p_lat, p_lon), municipality)
         for rows in gazetteer.postcodes.values() for p_lat, p_lon, municipality in rows),
        default=None,
    )
    municipality = best[1] if best else ""
    return Spot(municipality, municipality, regions.region_of(municipality) if municipality else None, lat, lon)
