"""Operator CSV files: reading, checking each row, and writing; shared by the help points and housing locations.

A file is read whole (``read_csv_rows``), every row checked with a :class:`RowCheck` and only then applied
(``apply_rows``): any bad row gives line-numbered errors (``CsvImportError``) and changes nothing. Excel's
semicolon-separated CSV and a UTF-8 BOM are accepted. ``place_row`` fills in a row's municipality, region and
coordinates when the operator left them empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from babel import localedata
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.geo import MERGED_MUNICIPALITIES, GeoTables, geo_tables, mean_point, normalise_postcode
from core.regions import RegionTable, default_regions

#: The Netherlands with a margin (incl. the Wadden islands); catches swapped or mistyped coordinates.
_NL_LAT = (50.7, 53.7)
_NL_LON = (3.2, 7.3)
_TRUE = {"true", "yes", "1", "ja", "y"}
_FALSE = {"false", "no", "0", "nee", "n", ""}


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


# --- reading and checking -------------------------------------------------------------------------


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


# --- placing a row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    municipality: str | None
    region: str | None
    lat: float | None
    lon: float | None
    approximate: bool


def place_row(check: RowCheck, postcode: str | None, *, derive_coordinates: bool = True,
              geo: GeoTables | None = None, regions: RegionTable | None = None) -> Placement:
    """Municipality, region and coordinates of a row: as given (validated), else derived and marked approximate.

    Municipality: the column, else the postcode's, else the city's (a municipality, or a place in one).
    Region: the column (must agree with the municipality), else the municipality's.
    Coordinates: the columns, else the PC4 centroid, else the town's point from nl_places.csv (the
    municipality's namesake town, or the municipality row when there is none, as for Westland).
    """
    geo = geo or geo_tables()
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
            point = mean_point([(la, lo, municipality) for la, lo in points])[:2] if points else None
    elif city:
        candidates = geo.place(city, municipality)
        point = (candidates[0].lat, candidates[0].lon) if candidates else None
    if point is None:
        return Placement(municipality, region, None, None, False)
    return Placement(municipality, region, point[0], point[1], True)


# --- applying and writing ------------------------------------------------------------------------


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
