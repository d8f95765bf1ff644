"""Municipality -> labour-market region, with merged municipalities mapped first."""

from __future__ import annotations

import csv

import pytest

from core.geo import GEODATA, MERGED_MUNICIPALITIES
from core.regions import default_regions, region_for


@pytest.mark.parametrize(
    ("name", "municipality", "region"),
    [
        ("Weesp", "Amsterdam", "Groot Amsterdam"),  # merged 2022; it used to be in Gooi en Vechtstreek
        ("Brielle", "Voorne aan Zee", "Rijnmond"),
        ("Hellevoetsluis", "Voorne aan Zee", "Rijnmond"),
        ("Westvoorne", "Voorne aan Zee", "Rijnmond"),
        ("Amsterdam", "Amsterdam", "Groot Amsterdam"),
        ("Den Haag", "'s-Gravenhage", "Haaglanden"),
        ("den bosch", "'s-Hertogenbosch", "Noordoost-Brabant"),
        ("Venlo", "Venlo", "Noord-Limburg"),
        ("Breda", "Breda", "West-Brabant"),
        ("sudwest fryslan", "Súdwest-Fryslân", "Friesland"),
        ("Bergen (L.)", "Bergen (L.)", "Noord-Limburg"),
        ("Bergen (NH.)", "Bergen (NH.)", "Noord-Holland Noord"),
    ],
)
def test_municipality_and_region(name: str, municipality: str, region: str) -> None:
    table = default_regions()
    assert table.municipality(name) == municipality
    assert table.region_of(name) == region
    assert region_for(name) == region


def test_a_name_of_two_municipalities_is_not_guessed() -> None:
    table = default_regions()
    assert table.is_ambiguous("Bergen")
    assert table.municipality("Bergen") is None
    assert table.region_of("Bergen") is None
    assert table.region_of("Atlantis") is None
    assert table.region_of(None) is None


def test_regions() -> None:
    table = default_regions()
    assert len(table.regions) == 35
    assert table.canonical_region("noord-limburg") == "Noord-Limburg"
    assert table.canonical_region("Zaanstreek/Waterland") == "Zaanstreek/Waterland"
    assert table.canonical_region("Brabant") is None
    assert {"Venlo", "Bergen (L.)"} <= set(table.municipalities_in("Noord-Limburg"))


def test_every_municipality_of_the_geodata_has_a_region() -> None:
    """The places and postcodes name 2017-2024 municipalities; after the merges each must be in the 2026 table."""
    table = default_regions()
    names = set()
    for file in ("nl_places.csv", "nl_pc4.csv"):
        with open(GEODATA / file, encoding="utf-8") as fh:
            names |= {row["municipality"] for row in csv.DictReader(fh) if row["municipality"]}
    assert set(MERGED_MUNICIPALITIES) <= names
    assert [n for n in sorted(names) if table.region_of(n) is None] == []
