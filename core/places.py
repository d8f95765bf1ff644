"""Dutch places and postcodes in whatever form a user writes them.

"w Rotterdamie", "у Роттердамі", "във Венло", "rotterdam", "Rotterdm" all resolve to the canonical Dutch
name. spaCy's per-language tokenizers split the message; each 1-3 token window is looked up in a
gazetteer built from GeoNames (core/geodata, CC BY 4.0) after folding: lowercase, no diacritics,
Cyrillic transliterated, and common case endings of the six languages removed. A fuzzy match catches
typos in longer names.

Build one :class:`Gazetteer` per process (``Gazetteer.load()``) and share it: loading takes ~1 s.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language

GEODATA = Path(__file__).resolve().parent / "geodata"

#: Municipalities merged away after the data was made: old name -> current municipality.
MERGED_MUNICIPALITIES = {
    "Weesp": "Amsterdam",
    "Brielle": "Voorne aan Zee",
    "Hellevoetsluis": "Voorne aan Zee",
    "Westvoorne": "Voorne aan Zee",
}

#: Where GeoNames' main name is not the Dutch one, or a common exonym is missing from alt_names.
EXONYMS = {
    "Den Haag": ["the hague", "den haag", "haga", "hadze", "hagi", "hage", "la haye", "гаага", "хага", "гааги",
                 "гаазі", "хаага", "haag", "s gravenhage"],
    "'s-Hertogenbosch": ["den bosch", "s hertogenbosch", "hertogenbosch", "ден бос", "хертогенбос", "гертогенбос"],
    "Eindhoven": ["ейндговен", "ейндховен", "айндховен", "ейндховені", "айндховені", "ейндговені"],
    "Groningen": ["гронінген", "грьонинген", "гронинген", "хронінген", "хронинген"],
    "Nijmegen": ["неймеген", "наймеген", "наймехен", "неймехен"],
    "Rotterdam": ["ротердам", "роттердам"],
    "Utrecht": ["утрехт", "утрехті"],
    "Zwolle": ["зволле", "зволе"],
    "Amsterdam": ["амстердам"],
}

#: Words of the six languages that are also Dutch place names; never read as places.
NOT_PLACES = frozenset(
    """
    best born son mill lent nu de den ee aa ede epe elst hoorn ham halle hall post bus mars bergen
    doorn rhenen well wijk gemert been beek berg dam dorp meer nieuw oost west zuid noord
    tak nie nu da ne ok work help sure ter zorg goed grave ven winde echt boxtel velp
    """.split()
) - {"bergen", "boxtel", "velp", "ede", "epe", "elst", "hoorn", "rhenen", "doorn", "gemert", "grave"}

_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sht", "ъ": "a", "ь": "", "ю": "iu", "я": "ia", "ё": "io", "ы": "y", "э": "e", "ѝ": "i", "'": "", "’": "",
})

#: Case endings (after folding) tried when a word is not found as it is: Polish locative/genitive/
#: instrumental, Ukrainian and Bulgarian forms after transliteration, Romanian article. Longest first.
_ENDINGS = ("iem", "ach", "owi", "ie", "em", "om", "ul", "u", "a", "i", "y", "e")
_STEM_REPAIRS = (("dzie", "da"), ("dze", "ga"), ("ce", "ka"))

_POSTCODE_FULL = re.compile(r"\b([1-9]\d{3})\s?(?!SA|SD|SS)([A-Z]{2})\b", re.IGNORECASE)
_POSTCODE_DIGITS = re.compile(r"(?<![\d€$.,])\b([1-9]\d{3})\b(?![.,]\d)(?!\s*(?:€|eur|euro|zl|zł|lei|лв))",
                              re.IGNORECASE)
_POSTCODE_CUES = ("postcode", "post code", "kod", "cod postal", "codul", "индекс", "індекс", "пощенски", "zip")


def fold(text: str) -> str:
    """Lowercase, Cyrillic to Latin, no diacritics, punctuation to spaces."""
    text = text.lower().translate(_CYRILLIC)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("ł", "l").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass(frozen=True)
class Place:
    name: str
    municipality: str
    province: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class Entities:
    city: str | None = None
    postcode: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"city": self.city, "postcode": self.postcode}


@cache
def _tokenizer(language: str) -> Language:
    try:
        return spacy.blank(language)
    except (ImportError, KeyError):
        return spacy.blank("xx")


class Gazetteer:
    def __init__(self, places: list[Place], postcodes: dict[str, list[tuple[float, float, str]]]) -> None:
        self.postcodes = postcodes
        self._by_key: dict[str, list[Place]] = defaultdict(list)
        self.places = places
        for place in places:
            self._by_key[fold(place.name)].append(place)
        for key in self._by_key:
            self._by_key[key].sort(key=lambda p: -p.population)
        self._fuzzy_keys = [k for k in self._by_key if len(k) >= 5]

    @classmethod
    def load(cls, directory: Path = GEODATA) -> Gazetteer:
        places: list[Place] = []
        aliases: list[tuple[str, Place]] = []
        with open(directory / "nl_places.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["type"] not in ("place", "municipality"):
                    continue
                population = int(row["population"] or 0)
                municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                name = row["name"]
                if row["type"] == "municipality":
                    # "Bergen (NH.)" is a municipality's administrative spelling; users write "Bergen".
                    name = re.sub(r"\s*\(.*\)$", "", name)
                place = Place(name, municipality, row["province"], float(row["lat"]), float(row["lon"]), population)
                places.append(place)
                if population >= 20000 or row["type"] == "municipality":
                    for alias in filter(None, row["alt_names"].split("|")):
                        if len(alias) >= 5:
                            aliases.append((alias, place))
        by_name = {p.name: p for p in sorted(places, key=lambda p: p.population)}
        if "The Hague" in by_name:
            hague = by_name["The Hague"]
            by_name["Den Haag"] = Place("Den Haag", hague.municipality, hague.province, hague.lat, hague.lon,
                                        hague.population)
            places = [p for p in places if p.name != "The Hague"] + [by_name["Den Haag"]]
        extra = [(alias, by_name[name]) for name, names in EXONYMS.items() if name in by_name for alias in names]
        postcodes: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        with open(directory / "nl_pc4.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                municipality = MERGED_MUNICIPALITIES.get(row["municipality"], row["municipality"])
                postcodes[row["pc4"]].append((float(row["lat"]), float(row["lon"]), municipality))
        gazetteer = cls(places, dict(postcodes))
        for alias, place in aliases + extra:
            key = fold(alias)
            if key and place not in gazetteer._by_key[key] and key not in NOT_PLACES:
                gazetteer._by_key[key].append(place)
        gazetteer._fuzzy_keys = [k for k in gazetteer._by_key if len(k) >= 5]
        return gazetteer

    # -- lookup -----------------------------------------------------------------------------------

    def lookup(self, text: str, fuzzy: bool = True) -> Place | None:
        """The most likely place for a name as written (one to three words)."""
        key = fold(text)
        if not key or key in NOT_PLACES or key.isdigit():
            return None
        for candidate in self._variants(key):
            if candidate in self._by_key and candidate not in NOT_PLACES:
                return self._by_key[candidate][0]
        if fuzzy and len(key) >= 6:
            match = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=86)
            if match:
                return self._by_key[match[0]][0]
        return None

    def candidates(self, text: str) -> list[Place]:
        """Every place a name may mean (for a clarifying question when there are several)."""
        key = fold(text)
        for candidate in self._variants(key):
            if candidate in self._by_key:
                return list(self._by_key[candidate])
        return []

    @staticmethod
    def _variants(key: str) -> list[str]:
        variants = [key]
        words = key.split(" ")
        last = words[-1]
        for old, new in _STEM_REPAIRS:
            if last.endswith(old) and len(last) > len(old) + 2:
                variants.append(" ".join([*words[:-1], last[: -len(old)] + new]))
        for ending in _ENDINGS:
            if last.endswith(ending) and len(last) - len(ending) >= 4:
                stem = last[: -len(ending)]
                # "Zwolli" -> "zwoll" -> "zwolle"; "Bredy" -> "bred" -> "breda"
                variants += [" ".join([*words[:-1], stem + tail]) for tail in ("", "e", "a", "o")]
        return variants

    def extract(self, text: str, language: str = "xx") -> Entities:
        return Entities(city=self.find_city(text, language), postcode=find_postcode(text, self.postcodes))

    def find_city(self, text: str, language: str = "xx") -> str | None:
        doc = _tokenizer(language)(text[:500])
        tokens = [t for t in doc if not t.is_space]
        best: tuple[int, str] | None = None
        for size in (3, 2, 1):
            for start in range(len(tokens) - size + 1):
                window = tokens[start : start + size]
                if not all(any(c.isalpha() for c in t.text) or t.text in ("-", "'") for t in window):
                    continue
                if size == 1 and len(window[0].text) < 3:
                    continue
                span = doc[window[0].i : window[-1].i + 1].text
                place = self.lookup(span, fuzzy=size == 1 and len(span) >= 6)
                if place and (best is None or size > best[0]):
                    best = (size, place.name)
            if best:
                return best[1]
        return None


def find_postcode(text: str, known: dict[str, object] | None = None) -> str | None:
    """A Dutch postcode, normalised to '1234AB', or '1234' when only the digits were given."""
    match = _POSTCODE_FULL.search(text)
    if match and (known is None or match.group(1) in known):
        return f"{match.group(1)}{match.group(2).upper()}"
    folded = text.lower()
    short_message = len(text.split()) <= 3
    if short_message or any(cue in folded for cue in _POSTCODE_CUES):
        for digits in _POSTCODE_DIGITS.findall(text):
            if known is None or digits in known:
                return digits
    return None
