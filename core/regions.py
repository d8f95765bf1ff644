"""Municipality -> labour-market region (arbeidsmarktregio), from CBS's 2026 classification.

The table (core/geodata/nl_labour_market_regions.csv, see its SOURCES.md) names each of the 342 municipalities
of 2026. Older names from the gazetteer are mapped to their current municipality first
(``core.geo.MERGED_MUNICIPALITIES``: Weesp -> Amsterdam, Brielle -> Voorne aan Zee, ...), so a merged
municipality never lands in the region it used to belong to (Weesp was in Gooi en Vechtstreek).

Names are matched after folding (case, diacritics, punctuation), plus the everyday names of a few
municipalities ("Den Haag" for 's-Gravenhage). "Bergen" alone names two municipalities and stays unresolved.

Build one :class:`RegionTable` per process (``default_regions()`` caches it); nothing is read at import.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.folding import fold
from core.geo import GEODATA, MERGED_MUNICIPALITIES

REGIONS_CSV = GEODATA / "nl_labour_market_regions.csv"

#: Everyday names of municipalities whose official spelling differs (folded keys are built from these).
MUNICIPALITY_ALIASES = {
    "Den Haag": "'s-Gravenhage",
    "The Hague": "'s-Gravenhage",
    "Den Bosch": "'s-Hertogenbosch",
    "Nuenen": "Nuenen, Gerwen en Nederwetten",
}


@dataclass(frozen=True)
class Municipality:
    name: str
    code: str
    region: str
    region_code: str


class RegionTable:
    def __init__(self, municipalities: list[Municipality]) -> None:
        self._by_name = {m.name: m for m in municipalities}
        self._by_key: dict[str, str | None] = {}
        short: defaultdict[str, set[str]] = defaultdict(set)
        for m in municipalities:
            self._by_key[fold(m.name)] = m.name
            # "Bergen (NH.)" may be written "Bergen" -- unless another municipality has the same short name.
            short[fold(re.sub(r"\s*\(.*\)$", "", m.name))].add(m.name)
        for key, names in short.items():
            if key not in self._by_key:
                self._by_key[key] = next(iter(names)) if len(names) == 1 else None
        for old, new in [*MERGED_MUNICIPALITIES.items(), *MUNICIPALITY_ALIASES.items()]:
            if new in self._by_name:
                self._by_key[fold(old)] = new
        self._regions = {fold(m.region): m.region for m in municipalities}

    @classmethod
    def load(cls, path: Path = REGIONS_CSV) -> RegionTable:
        with open(path, encoding="utf-8") as fh:
            rows = [
                Municipality(r["municipality"], r["municipality_code"], r["labour_market_region"],
                             r["labour_market_region_code"])
                for r in csv.DictReader(fh)
            ]
        return cls(rows)

    @property
    def regions(self) -> list[str]:
        """The 35 region names, sorted."""
        return sorted(self._regions.values())

    def municipality(self, name: str | None) -> str | None:
        """The current municipality for a name as written ("Weesp" -> "Amsterdam"), or None if unknown/ambiguous."""
        if not name:
            return None
        return self._by_key.get(fold(name))

    def is_ambiguous(self, name: str) -> bool:
        """True for a name that means several municipalities ("Bergen")."""
        key = fold(name)
        return key in self._by_key and self._by_key[key] is None

    def region_of(self, municipality: str | None) -> str | None:
        """The labour-market region of a municipality (merged and everyday names accepted)."""
        name = self.municipality(municipality)
        return self._by_name[name].region if name else None

    def canonical_region(self, name: str | None) -> str | None:
        """A region name as CBS spells it ("noord-limburg" -> "Noord-Limburg"), or None if there is no such region."""
        if not name:
            return None
        return self._regions.get(fold(name))

    def municipalities_in(self, region: str) -> list[str]:
        canonical = self.canonical_region(region)
        return sorted(m.name for m in self._by_name.values() if m.region == canonical)


@cache
def default_regions() -> RegionTable:
    return RegionTable.load()


def region_for(municipality: str | None) -> str | None:
    """Shortcut: the labour-market region of a municipality, from the default table."""
    return default_regions().region_of(municipality)
