"""Ukrainian and Bulgarian typed in Latin letters, shown to the model in Cyrillic (core/transliteration.py)."""

from __future__ import annotations

import pytest

from core.folding import fold
from core.nlu_text import SEPARATOR, for_nlu
from core.transliteration import in_latin_letters, to_cyrillic


@pytest.mark.parametrize(("typed", "language", "expected"), [
    # The national schemes ...
    ("vahitna i na likarnianomu, shef khoche rozirvaty dohovir", "uk",
     "вагітна і на лікарняному, шеф хоче розірвати договір"),
    ("de naiblyzhchyi punkt", "uk", "де найближчий пункт"),
    ("za skilky misiatsiv", "uk", "за скілки місяців"),  # no soft sign: the Latin has none
    ("yikhaty dodomu", "uk", "їхати додому"),
    ("kolko vreme trqbva da si v holandiq", "bg", "колко време трябва да си в холандия"),
    # ... and chat habits: Bulgarian 6 for ш, 6t for щ, 4 for ч, j for ж, y for ъ, w for в.
    ("v fi6a nqma periodyt, vaji li", "bg", "в фиша няма периодът, важи ли"),
    ("6te imam li 4asove", "bg", "ще имам ли часове"),
    ("pyrvi pyt idvam w gemeente", "bg", "първи път идвам в gemeente"),
    ("kompania", "bg", "компания"),
])
def test_latin_letters_are_written_back_in_cyrillic(typed: str, language: str, expected: str) -> None:
    assert to_cyrillic(typed, language) == expected


def test_words_in_capitals_and_numbers_stay_as_typed() -> None:
    assert to_cyrillic("de RNI punkt, 5 dniv, BSN", "uk") == "де RNI пункт, 5 днів, BSN"


@pytest.mark.parametrize(("text", "language"), [
    ("Де найближчий пункт?", "uk"),  # already Cyrillic
    ("трябва ми BSN", "bg"),  # Cyrillic with a Latin word
    ("gdzie jest punkt WIN", "pl"),  # not a Cyrillic language
    ("where is the WIN point", "en"),
    ("123 456", "uk"),  # no letters
])
def test_other_text_is_left_alone(text: str, language: str) -> None:
    assert to_cyrillic(text, language) == text


def test_latin_letters_only() -> None:
    assert in_latin_letters("shef khoche")
    assert not in_latin_letters("шеф khoche")
    assert not in_latin_letters("12 !")


def test_the_model_sees_cyrillic_first_and_the_folded_latin_after() -> None:
    typed = "kolko struva huisarts"
    assert for_nlu(typed, "bg") == f"колко струва huisarts{SEPARATOR}{fold(typed)}"
    # Without the language, or in another language, the text stays as typed.
    assert for_nlu(typed) == f"{typed}{SEPARATOR}{fold(typed)}"
    assert for_nlu(typed, "pl") == f"{typed}{SEPARATOR}{fold(typed)}"
    # Button payloads pass unchanged.
    assert for_nlu('/change_language{"language":"bg"}', "bg") == '/change_language{"language":"bg"}'


def test_dutch_words_stay_in_latin_letters() -> None:
    # As Ukrainians and Bulgarians write them in Cyrillic text too (core/latin_words.txt), with longer words that
    # start with a listed one.
    assert to_cyrillic("shcho take huurtoeslag i de gemeentehuis", "uk") == "що таке huurtoeslag і де gemeentehuis"
    assert to_cyrillic("Zorgverzekering kolko struva", "bg") == "Zorgverzekering колко струва"


def test_the_list_of_latin_words_is_lowercase_letters() -> None:
    from core.transliteration import latin_words

    words, prefixes = latin_words()
    assert len(words) > 100
    assert all(word.isascii() and word.isalpha() and word == word.lower() for word in words)
    assert set(prefixes) <= words
