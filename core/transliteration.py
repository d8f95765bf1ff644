"""Ukrainian and Bulgarian typed in Latin letters, written back in Cyrillic for the sentence embedding.

Many Ukrainian and Bulgarian users type in Latin letters ("kolko vreme trqbva da si v holandiq", "shef khoche
rozirvaty dohovir"). The n-grams see those words through their folded form (core.folding), but the multilingual
sentence embedding reads them as noise. Measured on a split of the training examples (make eval's held-out ones
left out), a classifier on the embedding alone picked the right sub-answer for 70 % (uk) and 72 % (bg) of those in
Latin letters, against 89 % and 91 % of those in Cyrillic; written back in Cyrillic, even roughly ("колко време
трябва да си в холандия"), 82 % and 90 %.

The rendering is a guess, not a transliteration standard: users mix the national schemes ("zh", "kh", "shch"),
chat habits (Bulgarian "q" for я, "6" for ш, "4" for ч, "j" for ж, "y" for ъ) and Dutch words. Letters it cannot
place stay as they are. Words in capitals (BSN, RNI, CAO) stay in Latin, and so do the Dutch and other words that
Ukrainian and Bulgarian users keep in Latin letters even in Cyrillic text (core/latin_words.txt: huisarts,
gemeente, DigiD); with them kept, the classifier above got 89 % of the Ukrainian messages instead of 82 %.

Only the NLU model sees the rendering, in place of the text as typed and followed by the folded form of what was
typed (core.nlu_text); nobody is shown it, and the actions get the original text. Results of the whole model:
docs/subtopics.md (sixth session).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

#: The languages rendered: those written in Cyrillic.
CYRILLIC_LANGUAGES = ("uk", "bg")

# Longest first: each position takes the first spelling that matches there.
_UKRAINIAN = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("tz", "ц"),
    ("ya", "я"), ("ia", "я"), ("yu", "ю"), ("iu", "ю"), ("ye", "є"), ("ie", "є"), ("ji", "ї"), ("yo", "йо"),
    ("io", "йо"), ("j", "й"), ("y", "и"), ("i", "і"), ("h", "г"), ("g", "г"), ("w", "в"), ("x", "кс"), ("q", "к"),
    ("c", "ц"), ("4", "ч"), ("6", "ш"), ("'", "ь"), ("’", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("d", "д"), ("e", "е"), ("z", "з"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
)
_BULGARIAN = (
    ("sht", "щ"), ("6t", "щ"), ("sh", "ш"), ("6", "ш"), ("zh", "ж"), ("j", "ж"), ("ch", "ч"), ("4", "ч"),
    ("ts", "ц"), ("c", "ц"), ("kh", "х"), ("ya", "я"), ("ia", "ия"), ("q", "я"), ("yu", "ю"), ("iu", "ю"),
    ("y", "ъ"), ("w", "в"), ("h", "х"), ("x", "х"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"),
)
_TABLES = {"uk": _UKRAINIAN, "bg": _BULGARIAN}
_VOWELS = frozenset("aeiouy")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[a-zA-Z]")
# A word as typed: letters, and the digits and apostrophes that chat spelling uses for letters ("6te", "pam'iat").
_WORD = re.compile(r"[a-zA-Z0-9'’]+")


#: core/latin_words.txt: words left in Latin letters.
LATIN_WORDS_FILE = Path(__file__).with_name("latin_words.txt")
#: A listed word at least this long also keeps the words that start with it (gemeente: gemeentehuis).
_PREFIX_LENGTH = 6


@cache
def latin_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The words kept in Latin letters, and those of them that also keep longer words starting with them."""
    words = frozenset(
        line.split("#", 1)[0].strip().lower()
        for line in LATIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    ) - {""}
    return words, tuple(sorted(w for w in words if len(w) >= _PREFIX_LENGTH))


def _keeps_latin(word: str) -> bool:
    if word.isdigit() or (len(word) > 1 and word.isupper()):
        return True
    words, prefixes = latin_words()
    low = word.lower()
    return low in words or low.startswith(prefixes)


def in_latin_letters(text: str) -> bool:
    """Latin letters and no Cyrillic ones: how a user types Ukrainian or Bulgarian without a Cyrillic keyboard."""
    return bool(_LATIN_LETTER.search(text)) and not _CYRILLIC_LETTER.search(text)


def _word(word: str, language: str) -> str:
    table = _TABLES[language]
    low = word.lower()
    out = []
    i = 0
    while i < len(low):
        previous = low[i - 1] if i else ""
        if language == "uk":
            # "yi" is ї at the start of a word or after a vowel ("yikhaty", "kraiyi"); elsewhere и + й ("novyi").
            if low.startswith("yi", i) and (not previous or previous in _VOWELS):
                out.append("ї")
                i += 2
                continue
            # An i after a vowel, not starting я/ю/є, is й ("naiblyzhchyi", "chai").
            if low[i] == "i" and previous in _VOWELS and low[i + 1:i + 2] not in ("a", "u", "e"):
                out.append("й")
                i += 1
                continue
        for latin, cyrillic in table:
            if low.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(low[i])
            i += 1
    return "".join(out)


def _render_word(match: re.Match[str], language: str) -> str:
    word = match.group(0)
    return word if _keeps_latin(word) else _word(word, language)


def to_cyrillic(text: str, language: str) -> str:
    """Ukrainian or Bulgarian typed in Latin letters, in Cyrillic letters (best effort); other text unchanged."""
    if language not in _TABLES or not in_latin_letters(text):
        return text
    return _WORD.sub(lambda match: _render_word(match, language), text)
