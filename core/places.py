"""Dutch places and postcodes in whatever form a user writes them.

"w Rotterdamie", "у Роттердамі", "във Венло", "rotterdam", "Rotterdm" all resolve to the canonical Dutch
name. spaCy's per-language tokenizers split the message; each 1-3 token window is looked up in a
gazetteer built from GeoNames (the shared tables of core.geo) after folding (core.folding): lowercase, no
diacritics, Cyrillic transliterated, and common case endings of the six languages removed. A fuzzy match
catches typos in longer names.

Build one :class:`Gazetteer` per process (``Gazetteer.load()``) and share it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language

from core.folding import fold
from core.geo import GeoTables, Place, PostcodeArea, geo_tables

#: Where GeoNames' main name is not the Dutch one, or a common exonym is missing from alt_names.
EXONYMS = {
    "Den Haag": ["the hague", "den haag", "haga", "hadze", "hagi", "hage", "la haye", "гаага", "хага", "гааги",
                 "гаазі", "хаага", "haag", "s gravenhage"],
    "'s-Hertogenbosch": ["den bosch", "s hertogenbosch", "hertogenbosch", "ден бос", "хертогенбос", "гертогенбос"],
    "Eindhoven": ["ейндговен", "ейндховен", "айндховен", "ейндгофен", "айндхофен", "eindhofen"],
    "Groningen": ["гронінген", "грьонинген", "гронинген", "хронінген", "хронинген"],
    "Nijmegen": ["неймеген", "наймеген", "наймехен", "неймехен"],
    "Rotterdam": ["ротердам", "роттердам"],
    "Utrecht": ["утрехт", "утрехті"],
    "Zwolle": ["зволле", "зволе"],
    "Amsterdam": ["амстердам"],
}

#: Words of the six languages that are also (small) Dutch place names; never read as places.
NOT_PLACES = frozenset(
    """
    nu de den ee aa ham halle hall post bus mars been beek berg dam dorp meer nieuw
    oost west zuid noord well wijk tak nie da ne ok work help sure ter zorg goed ven winde echt een wie kade
    buurt de buurt nederland holland holandia olanda netherlands school living haven stad plaats centrum
    """.split()
)
#: Real towns whose names are also everyday words ("my son goes to school"): only when capitalised.
WORD_LIKE_PLACES = frozenset("best goes born son mill lent monster wierden sleen vaals echt ede".split())
#: Places smaller than this must be written with a capital letter to count (hamlets named like words).
SMALL_PLACE = 5000
#: Typos are only forgiven in the names of towns at least this big.
FUZZY_MIN_POPULATION = 10000

#: Case endings (after folding) tried when a word is not found as it is: Polish locative/genitive/
#: instrumental, Ukrainian and Bulgarian forms after transliteration, Romanian article. Longest first.
_ENDINGS = ("iem", "ach", "owi", "ie", "em", "om", "ul", "u", "a", "i", "y", "e")
_STEM_REPAIRS = (
    ("dzie", "da"), ("dzie", "d"), ("dze", "ga"), ("chcie", "cht"), ("cie", "t"), ("ce", "ka"),  # Polish
    ("zi", "g"), ("tsi", "k"),  # Ukrainian locative after transliteration: Тілбурзі -> Tilburg
)

_POSTCODE_FULL = re.compile(r"\b([1-9]\d{3})\s?(?!SA|SD|SS)([A-Z]{2})\b", re.IGNORECASE)
_POSTCODE_DIGITS = re.compile(r"(?<![\d€$.,])\b([1-9]\d{3})\b(?![.,]\d)(?!\s*(?:€|eur|euro|zl|zł|lei|лв))",
                              re.IGNORECASE)
_POSTCODE_CUES = ("postcode", "post code", "kod", "cod postal", "codul", "индекс", "індекс", "пощенски", "zip")


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
    def __init__(self, places: list[Place], postcodes: Mapping[str, tuple[PostcodeArea, ...]]) -> None:
        self.postcodes = postcodes
        self._by_key: dict[str, list[Place]] = defaultdict(list)
        self.places = places
        for place in places:
            self._by_key[fold(place.name)].append(place)
        for key in self._by_key:
            self._by_key[key].sort(key=lambda p: -p.population)
        self._fuzzy_keys = self._keys_for_fuzzy()

    def _keys_for_fuzzy(self) -> list[str]:
        """Main names of towns big enough to guess at; foreign alternate names are too close to ordinary words."""
        keys = {fold(p.name) for p in self.places if p.population >= FUZZY_MIN_POPULATION}
        return sorted(k for k in keys if len(k) >= 5 and k not in WORD_LIKE_PLACES)

    @classmethod
    def load(cls, tables: GeoTables | None = None) -> Gazetteer:
        """The name index over the shared tables (``geo_tables()`` unless given); the tables are not copied."""
        tables = tables or geo_tables()
        places: list[Place] = []
        aliases: list[tuple[str, Place]] = []
        for row in tables.rows:
            place = row.place
            if row.kind == "municipality":
                # "Bergen (NH.)" is a municipality's administrative spelling; users write "Bergen".
                name = re.sub(r"\s*\(.*\)$", "", place.name)
                if name != place.name:
                    place = replace(place, name=name)
            places.append(place)
            if place.population >= 20000 or row.kind == "municipality":
                for alias in row.alt_names:
                    if len(alias) >= 5:
                        aliases.append((alias, place))
        by_name = {p.name: p for p in sorted(places, key=lambda p: p.population)}
        if "The Hague" in by_name:
            hague = by_name["The Hague"]
            by_name["Den Haag"] = Place("Den Haag", hague.municipality, hague.province, hague.lat, hague.lon,
                                        hague.population)
            places = [p for p in places if p.name != "The Hague"] + [by_name["Den Haag"]]
        extra = [(alias, by_name[name]) for name, names in EXONYMS.items() if name in by_name for alias in names]
        gazetteer = cls(places, tables.postcodes)
        for alias, place in aliases + extra:
            key = fold(alias)
            if key and place not in gazetteer._by_key[key] and key not in NOT_PLACES:
                gazetteer._by_key[key].append(place)
        gazetteer._fuzzy_keys = gazetteer._keys_for_fuzzy()
        return gazetteer

    # -- lookup -----------------------------------------------------------------------------------

    def lookup(self, text: str, fuzzy: bool = True) -> Place | None:
        """The most likely place for a name as written (one to three words)."""
        key = fold(text)
        if not key or key in NOT_PLACES or key.isdigit():
            return None
        capitalised = text[:1].isupper() or text[:2] in ("'s", "’s")
        variants = self._variants(key)
        if _is_cyrillic(text):
            # Dutch h and w are written г/х and в in Cyrillic: Гронінген, Вестланд.
            variants += [v.replace("g", "h") for v in variants]
            variants += [("w" + v[1:]) for v in variants if v.startswith("v")]
        for candidate in variants:
            if candidate in self._by_key and candidate not in NOT_PLACES:
                place = self._by_key[candidate][0]
                if not capitalised and (place.population < SMALL_PLACE or candidate in WORD_LIKE_PLACES):
                    continue
                return place
        if fuzzy and len(key) >= 6:
            match = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=86)
            if match and match[0] not in variants:
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
        """The place the message is about; with several, the one where the writer lives."""
        doc = _tokenizer(language)(text[:500])
        tokens = [t for t in doc if not t.is_space]
        found: list[tuple[int, int, str]] = []  # (start, end, name)
        for size in (3, 2, 1):
            for start in range(len(tokens) - size + 1):
                if any(start < e and start + size > s for s, e, _ in found):
                    continue  # part of a longer name already found ("Bergen op Zoom")
                window = tokens[start : start + size]
                if not all(any(c.isalpha() for c in t.text) or t.text in ("-", "'") for t in window):
                    continue
                if size == 1 and len(window[0].text) < 3:
                    continue
                span = doc[window[0].i : window[-1].i + 1].text
                place = self.lookup(span, fuzzy=size == 1 and len(span) >= 6)
                if place:
                    found.append((start, start + size, place.name))
        if not found:
            return None
        found.sort()
        if len({name for *_, name in found}) > 1:
            for start, _, name in found:
                before = " ".join(fold(t.text) for t in tokens[max(0, start - 3) : start])
                if any(f" {stem}" in f" {before}" for stem in LIVE_STEMS):
                    return name
        return found[0][2]


#: "I live in ..." in the six languages (folded), to pick the home town when a message names two places.
LIVE_STEMS = ("mieszk", "locuiesc", "locuim", "stau", "stam", "zhiv", "jive", "zhyv", "live", "living", "woon",
              "wonen", "domicil", "jestem", "sunt", "jsem", "im ", "i am")


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


#: Two-letter words that follow a number in ordinary sentences ("since 2023 in", "1500 lei"): not postcode letters
#: unless written in capitals.
_NOT_POSTCODE_LETTERS = frozenset(
    "in en op de la na do to at is of on or an ik je we ze si ma mi po za od ot te ta by it me my he us am as "
    "no ja nu um pe ca ce da ne se su sa le li lo il al el".split()
)


def find_postcode(text: str, known: Mapping[str, object] | None = None) -> str | None:
    """A Dutch postcode, normalised to '1234AB', or '1234' when only the digits were given."""
    for match in _POSTCODE_FULL.finditer(text):
        letters = match.group(2)
        if letters.islower() and letters in _NOT_POSTCODE_LETTERS:
            continue
        if known is None or match.group(1) in known:
            return f"{match.group(1)}{letters.upper()}"
    folded = text.lower()
    short_message = len(text.split()) <= 3
    if short_message or any(cue in folded for cue in _POSTCODE_CUES):
        for digits in _POSTCODE_DIGITS.findall(text):
            if known is None or digits in known:
                return str(digits)
    return None
