"""The help point registry: seed from the facts, CSV import/export, nearest points, locating a user."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.csvio import CsvImportError
from core.db.migrate import alembic_config, upgrade
from core.db.models import HelpPoint, HelpPointKind
from core.db.session import make_engine, make_session_factory
from core.formatting import format_distance_km
from core.geo import haversine_km
from core.helppoints.display import point_map_url, point_phones
from core.helppoints.registry import POINT_COLUMNS, SEED_CSV, export_points, import_points, seed_if_empty
from core.helppoints.search import find_help, nearest, points_in_region
from core.locate import locate

ROOT = Path(__file__).resolve().parents[2]
#: The project's copy of the fact sheet files these tests check; the originals are in ../shared/facts.
FACTS = ROOT / "tests" / "data" / "facts"
FACT_FILES = ("netherlands-facts.md", "win_points.csv")
SHARED_FACTS = ROOT.parent / "shared" / "facts"
RNI_MUNICIPALITIES = ("Alkmaar Almelo Amsterdam Breda Den-Haag Doetinchem Eindhoven Goes Groningen Heerlen Leeuwarden "
                      "Leiden Nijmegen Rotterdam Terneuzen Utrecht Venlo Westland Zwolle").split()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'winbot.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as db:
        yield db
    engine.dispose()


@pytest.fixture
def seeded(session: Session) -> Session:
    seed_if_empty(session)
    session.commit()
    return session


def csv_text(*rows: dict[str, str]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, POINT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" for c in POINT_COLUMNS} | row)
    return io.StringIO(out.getvalue())


def point(code: str, **values: str) -> dict[str, str]:
    return {"code": code, "name": f"Point {code}", "kind": "information_point", "source": "test",
            "last_checked": "2026-11-29"} | values


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(HelpPoint)) or 0


def export_text(session: Session) -> str:
    out = io.StringIO()
    export_points(session, out)
    return out.getvalue()


# --- schema ---------------------------------------------------------------------------------------


def test_migration_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'check.db'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises if autogenerate would find a difference
    command.downgrade(alembic_config(url), "0001")
    upgrade(url)


# --- seed -----------------------------------------------------------------------------------------


def test_seed_fills_an_empty_registry_once(session: Session) -> None:
    added = seed_if_empty(session)
    assert added == count(session) > 30
    assert seed_if_empty(session) == 0


def test_seed_has_every_rni_desk_and_every_point_of_the_fact_sheet(seeded: Session) -> None:
    points = list(seeded.scalars(select(HelpPoint)))
    rni = {p.code for p in points if p.kind == HelpPointKind.RNI_DESK}
    assert rni == {f"rni-{m.lower()}" for m in RNI_MUNICIPALITIES}
    with open(FACTS / "win_points.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"].split(" (announced")[0].split(" (street")[0]
            assert any(p.name.startswith(name) for p in points), name


def test_seed_invents_nothing(seeded: Session) -> None:
    """Every address, postcode, phone number, e-mail and website of the seed is in the fact sheet; no opening hours
    are (none are published), and no source gave coordinates, so all are approximate."""
    facts = (FACTS / "netherlands-facts.md").read_text(encoding="utf-8") + (FACTS / "win_points.csv").read_text(
        encoding="utf-8")
    for p in seeded.scalars(select(HelpPoint)):
        for value in [p.address, p.postcode, p.email, p.website, *point_phones(p)]:
            if value:
                assert value in facts, f"{p.code}: {value!r} is not in the fact sheet"
        assert p.opening_hours is None
        assert p.last_checked.isoformat() in ("2026-11-29", "2026-12-06")  # the fact sheet's checks
        assert p.source
        if p.lat is not None:
            assert p.approximate, p.code
        assert p.region, p.code
    amsterdam = seeded.scalars(select(HelpPoint).where(HelpPoint.code == "rni-amsterdam")).one()
    assert point_phones(amsterdam) == ["14 020", "+31 20 624 1111"]


@pytest.mark.skipif(not SHARED_FACTS.is_dir(), reason="no ../shared/facts beside the repository to compare with")
@pytest.mark.parametrize("name", FACT_FILES)
def test_fact_sheet_copy_is_identical_to_the_shared_original(name: str) -> None:
    """The copy in tests/data/facts is byte for byte the shared fact sheet, so a stale copy is noticed.

    The tests above check the seed against the copy, so a clone works on its own. Where ../shared/facts (the
    fact sheet's home, beside the repository) exists, as on the developers' machines and in CI, the copy must
    equal it: after the fact sheet changes, copy it again (`cp ../shared/facts/{netherlands-facts.md,win_points.csv}
    tests/data/facts/`) and fix what the tests above then find. Without ../shared there is nothing to compare with,
    and this test is skipped: the seed is still checked against the copy.
    """
    assert (FACTS / name).read_bytes() == (SHARED_FACTS / name).read_bytes(), (
        f"tests/data/facts/{name} differs from {SHARED_FACTS / name}: copy the new version into tests/data/facts/")


def test_points_without_a_place_keep_their_region_and_no_coordinates(seeded: Session) -> None:
    noord_limburg = points_in_region(seeded, "noord-limburg")
    assert {p.code for p in noord_limburg} == {"info-noord-limburg", "rni-venlo"}
    info = next(p for p in noord_limburg if p.code == "info-noord-limburg")
    assert info.lat is None and info.city is None and info.address is None
    assert {p.code for p in points_in_region(seeded, "Helmond-De Peel")} == {"bmip-helmond-de-peel"}
    mobile = seeded.scalars(select(HelpPoint).where(HelpPoint.kind == HelpPointKind.MOBILE_BUS)).all()
    assert mobile and all(p.lat is None and p.region for p in mobile)


def test_the_seed_file_is_what_the_registry_exports(seeded: Session) -> None:
    assert export_text(seeded) == SEED_CSV.read_text(encoding="utf-8")


# --- import / export ------------------------------------------------------------------------------


def test_export_round_trips(seeded: Session, tmp_path: Path) -> None:
    exported = export_text(seeded)
    url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as other:
        result = import_points(other, io.StringIO(exported))
        assert result.created == count(seeded)
        assert export_text(other) == exported
        again = import_points(other, io.StringIO(exported))
        assert (again.created, again.updated, again.unchanged) == (0, 0, count(seeded))
    engine.dispose()


def test_a_bad_row_rejects_the_whole_file_with_line_numbers(seeded: Session) -> None:
    before = export_text(seeded)
    bad = csv_text(
        point("rni-venlo", name="RNI desk Venlo (renamed)", city="Venlo", kind="rni_desk"),  # line 2: valid
        point("new-one", kind="helpdesk"),                                                    # line 3
        point("new-two", postcode="59123", lat="51.4"),                                       # line 4
        point("Bad Code", last_checked="29-11-2026", languages="polish"),                     # line 5
        point("new-one", region="Noord-Limburg", city="Breda"),                               # line 6
    )
    with pytest.raises(CsvImportError) as caught:
        import_points(seeded, bad)
    message = str(caught.value)
    assert "line 3: kind 'helpdesk' is not one of win_point, rni_desk" in message
    assert "line 4: postcode '59123' is not a Dutch postcode" in message
    assert "line 4: give both lat and lon, or neither" in message
    assert "line 5: code 'Bad Code' must be" in message
    assert "line 5: last_checked '29-11-2026' is not a date" in message
    assert "line 5: languages: 'polish' is not a language code" in message
    assert "line 6: code 'new-one' is already used on line 3" in message
    assert "line 6: Breda is in the region West-Brabant, not Noord-Limburg" in message
    assert not any(e.startswith("line 2") for e in caught.value.errors)
    seeded.rollback()
    assert export_text(seeded) == before  # the valid row 2 was not applied either


def test_header_problems_are_reported_on_line_1(session: Session) -> None:
    with pytest.raises(CsvImportError, match="line 1: missing column.*last_checked.*unknown column.*colour"):
        import_points(session, io.StringIO("code,name,kind,colour\nx1,X,other,red\n"))
    with pytest.raises(CsvImportError, match="line 1: the file is empty"):
        import_points(session, io.StringIO(""))


def test_line_numbers_count_multiline_cells_and_blank_lines(session: Session) -> None:
    text = csv_text(point("ok-one", opening_hours="Mon 9-12\nTue 13-17")).getvalue()  # header, then lines 2-3
    text += "\n" + csv_text(point("bad-two", kind="nope")).getvalue().split("\n", 1)[1]  # blank line 4, then line 5
    with pytest.raises(CsvImportError, match=r"^line 5: kind 'nope'"):
        import_points(session, io.StringIO(text))


def test_import_upserts_by_code_and_derives_what_is_missing(session: Session) -> None:
    rows = csv_text(
        point("by-postcode", address="Somestraat 1", postcode="5912ab"),
        point("by-town", city="Weesp"),
        point("by-place", city="Bad Nieuweschans", kind="other"),
        point("region-only", region="west-brabant"),
        point("a-bus", city="Venlo", kind="mobile_bus"),
        point("exact", city="Venlo", lat="51.37", lon="6.168", phone="077 123; +31 77 123", languages="PL, ro"),
    )
    assert import_points(session, rows).created == 6
    got = {p.code: p for p in session.scalars(select(HelpPoint))}
    assert (got["by-postcode"].postcode, got["by-postcode"].municipality, got["by-postcode"].region) == (
        "5912 AB", "Venlo", "Noord-Limburg")
    assert (got["by-postcode"].lat, got["by-postcode"].lon, got["by-postcode"].approximate) == (51.3606, 6.1659, True)
    assert (got["by-town"].municipality, got["by-town"].region) == ("Amsterdam", "Groot Amsterdam")
    assert got["by-town"].approximate and round(got["by-town"].lat, 2) == 52.31  # Weesp's own point, not Amsterdam's
    assert (got["by-place"].municipality, got["by-place"].region) == ("Oldambt", "Groningen")
    assert got["region-only"].region == "West-Brabant" and got["region-only"].lat is None
    assert got["a-bus"].region == "Noord-Limburg" and got["a-bus"].lat is None  # a bus has no fixed place
    assert not got["exact"].approximate and got["exact"].languages == "pl,ro"

    changed = csv_text(point("by-town", city="Weesp", phone="020 000"), point("new-one", city="Breda"))
    result = import_points(session, changed)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert count(session) == 7  # points not in the file are kept


def test_ambiguous_town_and_semicolon_csv(session: Session) -> None:
    with pytest.raises(CsvImportError, match="line 2: city 'Bergen' is in several municipalities"):
        import_points(session, csv_text(point("bergen", city="Bergen")))
    semicolons = csv_text(point("bergen", city="Bergen", municipality="Bergen (L.)")).getvalue().replace(",", ";")
    import_points(session, io.StringIO(semicolons))
    assert session.scalars(select(HelpPoint)).one().region == "Noord-Limburg"


# --- nearest --------------------------------------------------------------------------------------


def test_haversine_known_distance() -> None:
    amsterdam, rotterdam = (52.37403, 4.88969), (51.9225, 4.47917)
    assert haversine_km(*amsterdam, *rotterdam) == pytest.approx(57.5, abs=0.5)


def test_venlo_postcode_finds_the_venlo_desk_first(seeded: Session, gazetteer) -> None:
    spot = locate(gazetteer, "5912").spot
    assert (spot.municipality, spot.region) == ("Venlo", "Noord-Limburg")
    found = nearest(seeded, spot.lat, spot.lon)
    assert len(found) == 3
    assert found[0].point.code in ("rni-venlo", "info-noord-limburg")
    assert found[0].distance_km < 5
    assert [n.distance_km for n in found] == sorted(n.distance_km for n in found)


def test_breda_postcode_finds_bredas_points_first(seeded: Session, gazetteer) -> None:
    spot = locate(gazetteer, "4811").spot
    found = nearest(seeded, spot.lat, spot.lon, limit=3)
    assert {n.point.code for n in found[:2]} == {"rni-breda", "bmip-west-brabant"}
    assert all(n.point.municipality == "Breda" for n in found[:2])
    only_desks = nearest(seeded, spot.lat, spot.lon, limit=5, kinds=[HelpPointKind.RNI_DESK])
    assert only_desks[0].point.code == "rni-breda"
    assert all(n.point.kind == HelpPointKind.RNI_DESK for n in only_desks)


def test_find_help_is_honest_when_the_region_has_no_point(seeded: Session, gazetteer) -> None:
    weesp = find_help(seeded, locate(gazetteer, "Weesp").spot)
    assert weesp.region == "Groot Amsterdam"
    assert weesp.regional_help == []  # say so, then give the nearest help and the national options
    assert weesp.nearest_help is not None
    assert weesp.nearest_help.point.kind in (HelpPointKind.WIN_POINT, HelpPointKind.INFORMATION_POINT)
    assert weesp.nearest[0].point.code == "rni-amsterdam"

    breda = find_help(seeded, locate(gazetteer, "4811 AB").spot)
    assert [p.code for p in breda.regional_help] == ["bmip-west-brabant"]
    assert breda.nearest_help.point.code == "bmip-west-brabant"


def test_map_links(seeded: Session) -> None:
    desk = seeded.scalars(select(HelpPoint).where(HelpPoint.code == "rni-breda")).one()
    assert point_map_url(desk) == "https://www.openstreetmap.org/search?query=Claudius+Prinsenlaan+10%2C+Breda"
    goes = seeded.scalars(select(HelpPoint).where(HelpPoint.code == "rni-goes")).one()
    assert point_map_url(goes).startswith("https://www.openstreetmap.org/?mlat=51.50417&mlon=3.88889#map=13/")
    info = seeded.scalars(select(HelpPoint).where(HelpPoint.code == "info-noord-limburg")).one()
    assert point_map_url(info) is None


@pytest.mark.parametrize(("km", "language", "text"), [
    (2.345, "pl", "2,3 km"), (2.345, "en", "2.3 km"), (12.6, "nl", "13 km"), (0.4, "uk", "0,4 км"),
])
def test_distance_in_the_users_language(km: float, language: str, text: str) -> None:
    assert format_distance_km(km, language) == text


# --- locating the user ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["5912 AB", "5912ab", "5912", " 5912 ab "])
def test_postcode_forms(gazetteer, text: str) -> None:
    located = locate(gazetteer, text)
    assert located is not None and not located.ambiguous
    assert located.spot.municipality == "Venlo"
    assert located.spot.postcode == ("5912" if text.strip() == "5912" else "5912 AB")


def test_a_pc4_with_several_rows_takes_their_mean(gazetteer) -> None:
    rows = gazetteer.postcodes["1541"]
    assert len(rows) > 1
    spot = locate(gazetteer, "1541").spot
    assert spot.lat == pytest.approx(sum(r[0] for r in rows) / len(rows), abs=1e-5)
    assert spot.lon == pytest.approx(sum(r[1] for r in rows) / len(rows), abs=1e-5)
    assert (spot.municipality, spot.region) == ("Zaanstad", "Zaanstreek/Waterland")


def test_a_pc4_missing_from_the_data_takes_its_neighbour(gazetteer) -> None:
    assert "5028" not in gazetteer.postcodes
    assert locate(gazetteer, "5028").spot.municipality == "Tilburg"


def test_bergen_is_ambiguous(gazetteer) -> None:
    located = locate(gazetteer, "Bergen")
    assert located is not None and located.ambiguous
    assert {(s.municipality, s.region) for s in located.spots} == {
        ("Bergen (NH.)", "Noord-Holland Noord"), ("Bergen (L.)", "Noord-Limburg")}


@pytest.mark.parametrize(("text", "municipality", "region"), [
    ("Weesp", "Amsterdam", "Groot Amsterdam"),
    ("Brielle", "Voorne aan Zee", "Rijnmond"),
    ("Zwolle", "Zwolle", "Regio Zwolle"),  # not the hamlet of the same name in Berkelland
    ("rotterdam", "Rotterdam", "Rijnmond"),
    ("mieszkam w Rotterdamie", "Rotterdam", "Rijnmond"),
    ("Den Haag", "'s-Gravenhage", "Haaglanden"),
])
def test_places(gazetteer, text: str, municipality: str, region: str) -> None:
    located = locate(gazetteer, text)
    assert located is not None and not located.ambiguous
    assert (located.spot.municipality, located.spot.region) == (municipality, region)


def test_a_town_is_located_at_the_town_not_at_the_municipalitys_point(gazetteer) -> None:
    spot = locate(gazetteer, "Rotterdam").spot
    assert haversine_km(spot.lat, spot.lon, 51.9225, 4.47917) < 1  # GeoNames' municipality point is in the port


@pytest.mark.parametrize("text", ["Xyzzyville", "0123", "", "help"])
def test_unknown(gazetteer, text: str) -> None:
    assert locate(gazetteer, text) is None


def test_seed_codes_are_stable_slugs() -> None:
    with open(SEED_CSV, encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]+", c) for c in codes)
