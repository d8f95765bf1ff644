"""The registry of help points (WIN-punten, RNI desks, information and expat centres, mobile points).

Operators keep it as CSV (``winbot points import/export``); ``core/geodata/help_points.csv`` seeds an empty
registry with what the project's fact sheet says, and nothing more: an address, phone number or opening hour
that no source gives stays empty.

CSV columns (``POINT_COLUMNS``, UTF-8, comma- or semicolon-separated, header required):

    code            stable key, [a-z0-9-], e.g. rni-venlo; a row with an existing code updates that point
    name, kind      kind is one of win_point, rni_desk, information_point, expat_centre, mobile_bus, other
    region          labour-market region (CBS); derived from the municipality when empty
    municipality    current municipality; derived from the postcode or city when empty
    city            the town as the source names it
    address, postcode
    lat, lon        WGS84; when both are empty they are derived from the postcode (PC4) or else the town
                    and marked approximate -- except for mobile_bus points, which have no fixed place
    approximate     true/false
    phone           one or more numbers separated by "; ", as the source writes them
    email, website, opening_hours (free text), languages (ISO 639-1 codes: "pl,ro"), notes (for operators)
    source          where the facts come from (URLs separated by " ; "); required
    last_checked    YYYY-MM-DD; required

An import is validated as a whole first: any bad row gives line-numbered errors and changes nothing.
Services take a Session and never commit (the caller does).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote_plus

from babel import localedata
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import HelpPoint, HelpPointKind
from core.places import GEODATA, MERGED_MUNICIPALITIES, Gazetteer, Place, fold
from core.regions import RegionTable, default_regions

SEED_CSV = GEODATA / "help_points.csv"

POINT_COLUMNS = (
    "code", "name", "kind", "region", "municipality", "city", "address", "postcode", "lat", "lon", "approximate",
    "phone", "email", "website", "opening_hours", "languages", "caveats", "notes", "source", "last_checked",
)
#: Caveats a point can carry; the assistant shows each in the user's language (core/content/help_messages.py).
CAVEATS = ("appointment", "announced", "outdated", "knowledge_migrants")
#: Kinds that help labour migrants with any question (an RNI desk only registers; expat centres serve mostly
#: knowledge migrants). "Is there help in my region?" is answered with these.
MIGRANT_HELP_KINDS = frozenset({HelpPointKind.WIN_POINT, HelpPointKind.INFORMATION_POINT, HelpPointKind.MOBILE_BUS})

_POINT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")
_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s?([A-Za-z]{2})\s*$")
_PC4_OR_POSTCODE = re.compile(r"^\s*([1-9]\d{3})(?:\s?([A-Za-z]{2}))?\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^(https?://)?[^\s/]+\.[^\s]+$")
#: The Netherlands with a margin (incl. the Wadden islands); catches swapped or mistyped coordinates.
_NL_LAT = (50.7, 53.7)
_NL_LON = (3.2, 7.3)
_TRUE = {"true", "yes", "1", "ja", "y"}
_FALSE = {"false", "no", "0", "nee", "n", ""}
EARTH_RADIUS_KM = 6371.0088


# --- errors and results ---------------------------------------------------------------------------


class CsvImportError(ValueError):
    """The file was rejected; nothing was changed. ``errors`` are "line N: ..." messages."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


# --- geography (light: plain CSV reading, no spaCy) -----------------------------------------------


@dataclass(frozen=True)
class _PlaceRow:
    name: str
    municipality: str
    lat: float
    lon: float
    population: int


class Geo:
    """PC4 centroids and town points from core/geodata, to place a registry row that has no coordinates."""

    def __init__(self, pc4: dict[str, list[tuple[float, float, str]]],
                 municipality_points: dict[str, tuple[float, float]], places: dict[str, list[_PlaceRow]]) -> None:
        self.pc4 = pc4
        self.municipality_points = municipality_points
        self.places = places

    @classmethod
    def load(cls, directory: Path = GEODATA) -> Geo:
        pc4: defaultdict[str, list[tuple[float, float, str]]] = defaultdict(list)
        with open(directory / "nl_pc4.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                pc4[row["pc4"]].append((float(row["lat"]), float(row["lon"]), municipality))
        municipality_points: dict[str, tuple[float, float]] = {}
        places: defaultdict[str, list[_PlaceRow]] = defaultdict(list)
        with open(directory / "nl_places.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                lat, lon = float(row["lat"]), float(row["lon"])
                if row["type"] == "municipality":
                    municipality_points[row["municipality"]] = (lat, lon)
                elif row["type"] == "place":
                    municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                    places[fold(row["name"])].append(
                        _PlaceRow(row["name"], municipality, lat, lon, int(row["population"] or 0)))
        return cls(dict(pc4), municipality_points, dict(places))

    def postcode_point(self, pc4: str) -> tuple[float, float, str] | None:
        """Mean of a PC4's rows and its most common municipality."""
        rows = self.pc4.get(pc4)
        if not rows:
            return None
        return _mean_point(rows)

    def town_point(self, municipality: str, name: str | None = None) -> tuple[float, float] | None:
        """The point of the municipality's main town (its namesake, or the town as written), else GeoNames'
        point for the municipality as a whole -- which can lie far from the centre (Rotterdam's is in the port)."""
        for town in filter(None, (name, re.sub(r"\s*\(.*\)$", "", municipality))):
            rows = self.place(town, municipality)
            if rows:
                return rows[0].lat, rows[0].lon
        return self.municipality_points.get(municipality)

    def place(self, name: str, municipality: str | None = None) -> list[_PlaceRow]:
        """Places of that name (in that municipality if given), most populous first."""
        rows = [p for p in self.places.get(fold(name), []) if municipality is None or p.municipality == municipality]
        return sorted(rows, key=lambda p: -p.population)


@cache
def default_geo() -> Geo:
    return Geo.load()


def _mean_point(rows: Sequence[tuple[float, float, str]]) -> tuple[float, float, str]:
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


# --- CSV reading and validation, shared with core.locations ---------------------------------------


def read_csv_rows(stream: TextIO, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each record; the header must name exactly ``columns`` (in any order).

    Excel's semicolon-separated CSV and a UTF-8 BOM are accepted.
    """
    text = stream.read().lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvImportError(["line 1: the file is empty; expected a header: " + ",".join(columns)]) from None
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    duplicate = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if duplicate:
        problems.append(f"repeated column(s) {', '.join(duplicate)}")
    if problems:
        raise CsvImportError([f"line 1: {'; '.join(problems)}. Expected: {','.join(columns)}"])
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[str] = []
    previous_end = reader.line_num
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(f"line {start}: {len(record)} fields, the header has {len(header)}")
            continue
        rows.append((start, {name: value.strip() for name, value in zip(header, record, strict=True)}))
    if errors:
        raise CsvImportError(errors)
    return rows


@dataclass
class RowCheck:
    """Collects the problems of one row; each parse_* returns a value (or None) and notes what is wrong."""

    line: int
    row: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str | None:
        value = self.row.get(column, "")
        if not value:
            if required:
                self.fail(f"{column} is required")
            return None
        if len(value) > max_length:
            self.fail(f"{column} is longer than {max_length} characters")
        return value

    def choice(self, column: str, choices: Iterable[str]) -> str | None:
        value = self.row.get(column, "")
        options = list(choices)
        if value not in options:
            self.fail(f"{column} {value!r} is not one of {', '.join(options)}")
            return None
        return value

    def boolean(self, column: str) -> bool:
        value = self.row.get(column, "").lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(f"{column} must be true or false, not {value!r}")
        return False

    def date(self, column: str) -> dt.date | None:
        value = self.row.get(column, "")
        if not value:
            self.fail(f"{column} is required (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{column} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def postcode(self, column: str = "postcode") -> str | None:
        value = self.row.get(column, "")
        if not value:
            return None
        normalised = normalise_postcode(value)
        if normalised is None:
            self.fail(f"{column} {value!r} is not a Dutch postcode (1234 AB)")
        return normalised

    def coordinates(self) -> tuple[float, float] | None:
        raw_lat, raw_lon = self.row.get("lat", ""), self.row.get("lon", "")
        if not raw_lat and not raw_lon:
            return None
        if not raw_lat or not raw_lon:
            self.fail("give both lat and lon, or neither")
            return None
        try:
            lat, lon = float(raw_lat.replace(",", ".")), float(raw_lon.replace(",", "."))
        except ValueError:
            self.fail(f"lat/lon {raw_lat!r}, {raw_lon!r} are not numbers")
            return None
        if not (_NL_LAT[0] <= lat <= _NL_LAT[1] and _NL_LON[0] <= lon <= _NL_LON[1]):
            self.fail(f"lat/lon {lat}, {lon} are not in the Netherlands (swapped?)")
            return None
        return lat, lon

    def languages(self, column: str = "languages") -> str | None:
        return self.codes(column, parse_languages)

    def codes(self, column: str, parse: Callable[[str], list[str]]) -> str | None:
        value = self.row.get(column, "")
        try:
            codes = parse(value)
        except ValueError as exc:
            self.fail(f"{column}: {exc}")
            return None
        return ",".join(codes) or None


def parse_languages(value: str | Iterable[str]) -> list[str]:
    """'PL, ro' -> ['pl', 'ro']; raises ValueError for anything that is not a language code Babel knows."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes: list[str] = []
    for item in items:
        code = item.strip().lower()
        if not code:
            continue
        if not re.fullmatch(r"[a-z]{2,3}", code) or not localedata.exists(code):
            raise ValueError(f"{item.strip()!r} is not a language code (ISO 639-1, e.g. pl, ro, bg)")
        if code not in codes:
            codes.append(code)
    return codes


@dataclass(frozen=True)
class Placement:
    municipality: str | None
    region: str | None
    lat: float | None
    lon: float | None
    approximate: bool


def place_row(check: RowCheck, postcode: str | None, *, derive_coordinates: bool = True,
              geo: Geo | None = None, regions: RegionTable | None = None) -> Placement:
    """Municipality, region and coordinates of a row: as given (validated), else derived and marked approximate.

    Municipality: the column, else the postcode's, else the city's (a municipality, or a place in one).
    Region: the column (must agree with the municipality), else the municipality's.
    Coordinates: the columns, else the PC4 centroid, else the town's point from nl_places.csv (the
    municipality's namesake town, or the municipality row when there is none, as for Westland).
    """
    geo = geo or default_geo()
    regions = regions or default_regions()
    city = check.row.get("city", "")
    pc4_point = geo.postcode_point(postcode[:4]) if postcode else None

    municipality: str | None = None
    given_municipality = check.row.get("municipality", "")
    if given_municipality:
        municipality = regions.municipality(given_municipality)
        if municipality is None:
            check.fail(f"municipality {given_municipality!r} is unknown"
                       + (" (several have that name: write e.g. 'Bergen (NH.)')"
                          if regions.is_ambiguous(given_municipality) else ""))
    elif pc4_point:
        municipality = pc4_point[2]
    elif city:
        municipality = regions.municipality(city)
        if municipality is None:
            found = {p.municipality for p in geo.place(city)}
            if len(found) == 1:
                municipality = regions.municipality(found.pop())
            elif len(found) > 1 or regions.is_ambiguous(city):
                check.fail(f"city {city!r} is in several municipalities: fill in municipality")

    region: str | None = None
    given_region = check.row.get("region", "")
    if given_region:
        region = regions.canonical_region(given_region)
        if region is None:
            check.fail(f"region {given_region!r} is not a labour-market region (e.g. {', '.join(regions.regions[:3])})")
        elif municipality and regions.region_of(municipality) != region:
            check.fail(f"{municipality} is in the region {regions.region_of(municipality)}, not {region}")
    elif municipality:
        region = regions.region_of(municipality)

    coordinates = check.coordinates()
    approximate = check.boolean("approximate")
    if coordinates or not derive_coordinates:
        lat, lon = coordinates or (None, None)
        return Placement(municipality, region, lat, lon, approximate if coordinates else False)
    point: tuple[float, float] | None = None
    if pc4_point:
        point = pc4_point[:2]
    elif municipality and (not city or regions.municipality(city) == municipality):
        point = geo.town_point(municipality, city)
        if point is None:  # a municipality formed after the gazetteer (Voorne aan Zee)
            merged = [old for old, new in MERGED_MUNICIPALITIES.items() if new == municipality]
            points = [geo.municipality_points[m] for m in merged if m in geo.municipality_points]
            point = _mean_point([(la, lo, municipality) for la, lo in points])[:2] if points else None
    elif city:
        candidates = geo.place(city, municipality)
        point = (candidates[0].lat, candidates[0].lon) if candidates else None
    if point is None:
        return Placement(municipality, region, None, None, False)
    return Placement(municipality, region, point[0], point[1], True)


def apply_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> ImportResult:
    """Upsert by ``code``; the caller has validated every row."""
    codes = [r["code"] for r in rows]
    existing = {obj.code: obj for obj in session.scalars(select(model).where(model.code.in_(codes)))}
    created = updated = unchanged = 0
    for values in rows:
        obj = existing.get(values["code"])
        if obj is None:
            session.add(model(**values))
            created += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(obj, key, value)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportResult(created, updated, unchanged)


def csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(stream: TextIO, columns: Sequence[str], objects: Iterable[object]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for obj in objects:
        writer.writerow([csv_value(getattr(obj, c)) for c in columns])
        count += 1
    return count


def check_unique_codes(checks: Sequence[RowCheck]) -> None:
    first_line: dict[str, int] = {}
    for check in checks:
        code = check.row.get("code", "")
        if code in first_line:
            check.fail(f"code {code!r} is already used on line {first_line[code]}")
        elif code:
            first_line[code] = check.line


def raise_if_problems(checks: Sequence[RowCheck]) -> None:
    errors = [f"line {c.line}: {problem}" for c in checks for problem in c.problems]
    if errors:
        raise CsvImportError(errors)


# --- import / export / seed -----------------------------------------------------------------------


def _caveats(check: RowCheck) -> str | None:
    value = check.text("caveats", max_length=120)
    if not value:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in CAVEATS]
    if unknown:
        check.fail(f"caveats {', '.join(unknown)} unknown; use {', '.join(CAVEATS)}")
    return ",".join(dict.fromkeys(codes))


def point_caveats(point: HelpPoint) -> list[str]:
    return point.caveats.split(",") if point.caveats else []


def _point_values(check: RowCheck) -> dict[str, Any]:
    code = check.text("code", required=True, max_length=48)
    if code and not _POINT_CODE.match(code):
        check.fail(f"code {code!r} must be 2-48 of a-z, 0-9 and '-' (e.g. rni-venlo)")
    kind = check.choice("kind", [k.value for k in HelpPointKind])
    postcode = check.postcode()
    placement = place_row(check, postcode, derive_coordinates=kind != HelpPointKind.MOBILE_BUS)
    email = check.text("email", max_length=120)
    if email and not _EMAIL.match(email):
        check.fail(f"email {email!r} is not an e-mail address")
    website = check.text("website", max_length=300)
    if website and not _WEBSITE.match(website):
        check.fail(f"website {website!r} is not a web address")
    return {
        "code": code,
        "name": check.text("name", required=True),
        "kind": HelpPointKind(kind) if kind else None,
        "region": placement.region,
        "municipality": placement.municipality,
        "city": check.text("city", max_length=80),
        "address": check.text("address"),
        "postcode": postcode,
        "lat": placement.lat,
        "lon": placement.lon,
        "approximate": placement.approximate,
        "phone": check.text("phone", max_length=120),
        "email": email,
        "website": website,
        "opening_hours": check.text("opening_hours", max_length=2000),
        "languages": check.languages(),
        "caveats": _caveats(check),
        "notes": check.text("notes", max_length=2000),
        "source": check.text("source", required=True, max_length=4000),
        "last_checked": check.date("last_checked"),
    }


def import_points(session: Session, stream: TextIO) -> ImportResult:
    """Validate the whole CSV, then upsert every row by code. Raises CsvImportError and changes nothing if a
    row is bad. Points that are not in the file are left as they are."""
    checks = [RowCheck(line, row) for line, row in read_csv_rows(stream, POINT_COLUMNS)]
    check_unique_codes(checks)
    values = [_point_values(check) for check in checks]
    raise_if_problems(checks)
    return apply_rows(session, HelpPoint, values)


def export_points(session: Session, stream: TextIO) -> int:
    """Write every point as CSV (the import's columns, ordered by code); returns the number of rows."""
    return write_csv(stream, POINT_COLUMNS, session.scalars(select(HelpPoint).order_by(HelpPoint.code)))


def seed_if_empty(session: Session, path: Path = SEED_CSV) -> int:
    """Load the seed CSV into an empty registry; returns how many points were added (0 if it had any)."""
    if session.scalar(select(func.count()).select_from(HelpPoint)):
        return 0
    with open(path, encoding="utf-8", newline="") as fh:
        return import_points(session, fh).created


# --- finding help ---------------------------------------------------------------------------------


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


def map_url(lat: float | None, lon: float | None, address: str | None = None, city: str | None = None,
            approximate: bool = False) -> str | None:
    """An OpenStreetMap link: the exact spot, or a search for the address when the coordinates are approximate."""
    if approximate and address and city:
        return f"https://www.openstreetmap.org/search?query={quote_plus(f'{address}, {city}')}"
    if lat is None or lon is None:
        return None
    zoom = 13 if approximate else 17
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map={zoom}/{lat:.5f}/{lon:.5f}"


def point_map_url(point: HelpPoint) -> str | None:
    return map_url(point.lat, point.lon, point.address, point.city, point.approximate)


def point_languages(point: HelpPoint) -> list[str]:
    return point.languages.split(",") if point.languages else []


def point_phones(point: HelpPoint) -> list[str]:
    return [p.strip() for p in point.phone.split(";")] if point.phone else []


# --- where the user is ----------------------------------------------------------------------------


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
        lat, lon, municipality = _mean_point(rows)
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
    geo = default_geo()
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


def _neighbouring_pc4(gazetteer: Gazetteer, pc4: str) -> list[tuple[float, float, str]]:
    """A few PC4 codes are missing from the 2017 data (SOURCES.md): take the numerically nearest in the same
    district (same first three digits), which lies next to it."""
    number = int(pc4)
    for distance in range(1, 10):
        for candidate in (number - distance, number + distance):
            if str(candidate)[:3] == pc4[:3] and str(candidate) in gazetteer.postcodes:
                return gazetteer.postcodes[str(candidate)]
    return []


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
