"""The registry of help points: its CSV columns, import, export and the seed.

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

import re
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.csvio import (
    ImportResult,
    RowCheck,
    apply_rows,
    check_unique_codes,
    place_row,
    raise_if_problems,
    read_csv_rows,
    write_csv,
)
from core.db.models import HelpPoint, HelpPointKind
from core.geo import GEODATA

SEED_CSV = GEODATA / "help_points.csv"

POINT_COLUMNS = (
    "code", "name", "kind", "region", "municipality", "city", "address", "postcode", "lat", "lon", "approximate",
    "phone", "email", "website", "opening_hours", "languages", "caveats", "notes", "source", "last_checked",
)
#: Caveats a point can carry; the assistant shows each in the user's language (core/content/help_messages.py).
CAVEATS = ("appointment", "announced", "outdated", "knowledge_migrants")

_POINT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^(https?://)?[^\s/]+\.[^\s]+$")


def _caveats(check: RowCheck) -> str | None:
    value = check.text("caveats", max_length=120)
    if not value:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in CAVEATS]
    if unknown:
        check.fail(f"caveats {', '.join(unknown)} unknown; use {', '.join(CAVEATS)}")
    return ",".join(dict.fromkeys(codes))


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
