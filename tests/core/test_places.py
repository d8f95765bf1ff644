"""Places and postcodes as people write them (labelled data in tests/data/places/<lang>.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.i18n import LANGUAGES
from core.places import find_postcode

DATA = Path(__file__).resolve().parents[1] / "data" / "places"
#: Share of labelled messages whose city and postcode must both be right, per language.
MIN_ACCURACY = 0.85


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_messages(gazetteer, language: str) -> None:
    items = yaml.safe_load((DATA / f"{language}.yml").read_text(encoding="utf-8"))
    wrong = []
    for item in items:
        expected = {"city": item["city"], "postcode": None if item["postcode"] is None else str(item["postcode"])}
        got = gazetteer.extract(item["text"], language).as_dict()
        if got != expected:
            wrong.append(f"{item['text']!r}: got {got}, expected {expected}")
    accuracy = 1 - len(wrong) / len(items)
    assert accuracy >= MIN_ACCURACY, f"{language}: {accuracy:.0%} right; wrong:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("text", "language", "city"),
    [
        ("w Rotterdamie", "pl", "Rotterdam"),
        ("у Роттердамі", "uk", "Rotterdam"),
        ("във Венло", "bg", "Venlo"),
        ("rotterdam", "en", "Rotterdam"),
        ("help in Rotterdm please", "en", "Rotterdam"),
        ("mieszkam w Hadze", "pl", "Den Haag"),
        ("locuiesc la Haga", "ro", "Den Haag"),
        ("в Хага", "bg", "Den Haag"),
        ("ik woon in Den Bosch", "nl", "'s-Hertogenbosch"),
        ("pracuję w Westlandzie", "pl", "Westland"),
        ("живу в Тілбурзі", "uk", "Tilburg"),
        ("Weesp", "nl", "Weesp"),
    ],
)
def test_inflected_cyrillic_and_misspelt_forms(gazetteer, text: str, language: str, city: str) -> None:
    assert gazetteer.find_city(text, language) == city


@pytest.mark.parametrize(
    "text", ["best wishes", "Къде мога да се регистрирам?", "ik woon in een huis", "my son goes to school"]
)
def test_ordinary_words_are_not_places(gazetteer, text: str) -> None:
    assert gazetteer.find_city(text) is None


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("5912 AB", "5912AB"),
        ("mój kod to 5912ab", "5912AB"),
        ("postcode 2671", "2671"),
        ("3011", "3011"),
        ("I earn 1500 euro a month", None),
        ("sinds 2023 in Nederland", None),
        ("we are 10 people in one room since 2024", None),
    ],
)
def test_postcodes(gazetteer, text: str, postcode: str | None) -> None:
    assert find_postcode(text, gazetteer.postcodes) == postcode
