"""Where things are in the Netherlands: the postcode and place tables, distances, postcodes and map links.

The tables come from GeoNames (core/geodata, CC BY 4.0, see its SOURCES.md): nl_pc4.csv gives each four-digit
postcode's point(s) and municipality, nl_places.csv the towns and municipalities with their point, population
and other names. ``geo_tables()`` reads them once per process into one immutable
:class:`GeoTables`, shared by the place recogniser (core.places), the locator (core.locate) and the CSV
importers (core.csvio). Municipalities merged away since the data was made are mapped to their current one
as the files are read.

Light: plain CSV reading, no spaCy.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import quote_plus

from core.folding import fold

GEODATA = Path(__file__).resolve().parent / "geodata"

#: Municipalities merged away after the data was made: old name -> current municipality.
MERGED_MUNICIPALITIES = {
    "Weesp": "Amsterdam",
    "Brielle": "Voorne aan Zee",
    "Hellevoetsluis": "Voorne aan Zee",
    "Westvoorne": "Voorne aan Zee",
}

EARTH_RADIUS_KM = 6371.0088

_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s?([A-Za-z]{2})\s*$")


class PostcodeArea(NamedTuple):
    """One row of nl_pc4.csv: a PC4's point for one place name in it, and its (current) municipality."""

    lat: float
    lon: float
    municipality: str


@dataclass(frozen=True)
class Place:
    """A town, or a municipality as a whole, with its (current) municipality."""

    name: str
    municipality: str
    province: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class PlaceRow:
    """One row of nl_places.csv. ``kind`` is "place" (a town) or "municipality"; other rows are not kept."""

    place: Place
    kind: str
    alt_names: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class GeoTables:
    """The postcode and place tables, read once (``geo_tables()``) and never changed."""

    #: PC4 ("5912") -> its rows; several when it covers several places (mean_point combines them).
    postcodes: Mapping[str, tuple[PostcodeArea, ...]]
    #: The towns and municipalities of nl_places.csv, in file order.
    rows: tuple[PlaceRow, ...]
    #: GeoNames' point for each municipality as a whole, by its name in the data (merged ones too).
    municipality_points: Mapping[str, tuple[float, float]]

    @classmethod
    def load(cls, directory: Path = GEODATA) -> GeoTables:
        postcodes: defaultdict[str, list[PostcodeArea]] = defaultdict(list)
        with open(directory / "nl_pc4.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                postcodes[row["pc4"]].append(PostcodeArea(float(row["lat"]), float(row["lon"]), municipality))
        rows: list[PlaceRow] = []
        municipality_points: dict[str, tuple[float, float]] = {}
        with open(directory / "nl_places.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["type"] not in ("place", "municipality"):
                    continue
                lat, lon = float(row["lat"]), float(row["lon"])
                municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                place = Place(row["name"], municipality, row["province"], lat, lon, int(row["population"] or 0))
                rows.append(PlaceRow(place, row["type"], tuple(filter(None, row["alt_names"].split("|")))))
                if row["type"] == "municipality":
                    municipality_points[row["municipality"]] = (lat, lon)
        return cls(
            postcodes=MappingProxyType({pc4: tuple(areas) for pc4, areas in postcodes.items()}),
            rows=tuple(rows),
            municipality_points=MappingProxyType(municipality_points),
        )

    @cached_property
    def towns(self) -> Mapping[str, tuple[Place, ...]]:
        """Folded town name -> the towns of that name, most populous first. Built on first use: only the CSV
        importers need it, and folding every name is most of the cost of loading."""
        towns: defaultdict[str, list[Place]] = defaultdict(list)
        for row in self.rows:
            if row.kind == "place":
                towns[fold(row.place.name)].append(row.place)
        return MappingProxyType({key: tuple(sorted(found, key=lambda p: -p.population))
                                 for key, found in towns.items()})

    def postcode_point(self, pc4: str) -> tuple[float, float, str] | None:
        """Mean of a PC4's rows and its most common municipality."""
        areas = self.postcodes.get(pc4)
        if not areas:
            return None
        return mean_point(areas)

    def town_point(self, municipality: str, name: str | None = None) -> tuple[float, float] | None:
        """The point of the municipality's main town (its namesake, or the town as written), else GeoNames'
        point for the municipality as a whole -- which can lie far from the centre (Rotterdam's is in the port)."""
        for town in filter(None, (name, re.sub(r"\s*\(.*\)$", "", municipality))):
            found = self.place(town, municipality)
            if found:
                return found[0].lat, found[0].lon
        return self.municipality_points.get(municipality)

    def place(self, name: str, municipality: str | None = None) -> list[Place]:
        """Towns of that name (in that municipality if given), most populous first."""
        return [p for p in self.towns.get(fold(name), ()) if municipality is None or p.municipality == municipality]


@cache
def geo_tables() -> GeoTables:
    """The tables of core/geodata, read on first use and shared by everything in the process."""
    return GeoTables.load()


def mean_point(rows: Sequence[tuple[float, float, str]]) -> tuple[float, float, str]:
    """The mean of (lat, lon, municipality) points, rounded to 5 decimals, and their most common municipality."""
    lat = sum(r[0] for r in rows) / len(rows)
    lon = sum(r[1] for r in rows) / len(rows)
    municipality = Counter(r[2] for r in rows).most_common(1)[0][0]
    return round(lat, 5), round(lon, 5), municipality


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def normalise_postcode(text: str) -> str | None:
    """'5912ab' -> '5912 AB'; None if it is not a full Dutch postcode."""
    match = _POSTCODE.match(text)
    return f"{match.group(1)} {match.group(2).upper()}" if match else None


def map_url(lat: float | None, lon: float | None, address: str | None = None, city: str | None = None,
            approximate: bool = False) -> str | None:
    """An OpenStreetMap link: the exact spot, or a search for the address when the coordinates are approximate."""
    if approximate and address and city:
        return f"https://www.openstreetmap.org/search?query={quote_plus(f'{address}, {city}')}"
    if lat is None or lon is None:
        return None
    zoom = 13 if approximate else 17
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map={zoom}/{lat:.5f}/{lon:.5f}"
