"""Which language a user writes in, and when to switch.

Detection uses lingua, restricted to the six supported languages. The user's language is sticky: a
short or unclear message ("ok", "BSN", "5912 AB") never switches it; a clear message in another
language does. An explicit choice (button, /language, "can you speak Polish?") always wins.

Ukrainian and Bulgarian typed in Latin letters are recognised first, by a model of letter trigrams learned from
the training data (``TrigramModel``): lingua knows them only in Cyrillic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from core.folding import fold
from core.i18n import LANGUAGES
from core.training_data import training_examples
from core.transliteration import CYRILLIC_LANGUAGES, in_latin_letters

_LINGUA = {
    "pl": Language.POLISH,
    "ro": Language.ROMANIAN,
    "bg": Language.BULGARIAN,
    "uk": Language.UKRAINIAN,
    "en": Language.ENGLISH,
    "nl": Language.DUTCH,
}
_CODES = {v: k for k, v in _LINGUA.items()}

#: Words that say nothing about the writer's language: Dutch official terms migrants use in every
#: language, and chat fillers.
NEUTRAL_WORDS = frozenset(
    """
    bsn brp rni digid gemeente huisarts zorgverzekering zorgtoeslag eigen risico loonstrook vakantiegeld
    uitzendbureau arbeidsinspectie huurcontract inschrijven inschrijving meldpunt cak uwv sncu abu snf akf
    cao wml win winpunt win-punt workinnl ok okay oke okej okey hi hello hallo tak nu da ne ja nee no yes
    sms whatsapp telegram email e-mail www http https id pin iban
    """.split()
)

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_UK_ONLY = set("іїєґ")
_BG_ONLY = set("ъѝ")

#: Thresholds, chosen on the project's own data (see `make eval`, language-detection accuracy).
MIN_WORDS_TO_SWITCH = 3
MIN_CONFIDENCE = 0.55
MIN_MARGIN = 0.15
SURE_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Detection:
    language: str | None
    confidence: float
    meaningful_words: int

    @property
    def is_clear(self) -> bool:
        """Clear enough to switch a user's language: several words, or two very certain ones."""
        if self.language is None:
            return False
        if self.meaningful_words >= MIN_WORDS_TO_SWITCH:
            return self.confidence >= MIN_CONFIDENCE
        return self.meaningful_words == 2 and self.confidence >= SURE_CONFIDENCE


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA.values()).with_preloaded_language_models().build()


def meaningful_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in NEUTRAL_WORDS]


#: Ukrainian or Bulgarian in Latin letters when the model below gives the language at least this probability.
#: Chosen on a second split of the training examples (make eval's held-out ones left out): 0.5 to 0.99 all found
#: 84-88 % of the Latin-letter ones and changed the other languages by at most 0.3 points; 0.8 in between.
TRANSLITERATED_CONFIDENCE = 0.8


class TrigramModel:
    """Which language a text is, from the letter trigrams of its folded form (core.folding: Cyrillic in Latin
    letters), learned from the project's own training examples.

    lingua knows Ukrainian and Bulgarian only in Cyrillic and reads them typed in Latin letters as Polish or
    Romanian, often with certainty: a first message like "kolko struva zdravnata zastrahovka" was answered in
    the wrong language. Folded, the Cyrillic training examples look like such messages, so a plain naive Bayes
    over trigrams tells them apart. Measured on a second split of the training examples: of those typed in Latin
    letters, lingua got 0 % of the Ukrainian and Bulgarian ones (and was sure of another language for 53 % and
    37 %); with this model 88 % and 86 %, with the other languages within 0.3 points.
    """

    def __init__(self, examples: Iterable[tuple[str, str]]) -> None:
        counts: dict[str, Counter[str]] = {}
        for language, text in examples:
            counts.setdefault(language, Counter()).update(self.trigrams(text))
        vocabulary = len(set().union(*counts.values())) if counts else 0
        self._tables: dict[str, tuple[dict[str, float], float]] = {}
        for language, found in counts.items():
            total = sum(found.values()) + vocabulary
            # Laplace smoothing: a trigram never seen in a language still has a small probability.
            table = {gram: math.log((n + 1) / total) for gram, n in found.items()}
            self._tables[language] = (table, math.log(1 / total))

    @staticmethod
    def trigrams(text: str) -> list[str]:
        padded = f" {fold(text)} "
        return [padded[i:i + 3] for i in range(len(padded) - 2)]

    def probabilities(self, text: str) -> dict[str, float]:
        grams = self.trigrams(text)
        scores = {language: sum(table.get(g, unseen) for g in grams)
                  for language, (table, unseen) in self._tables.items()}
        if not scores:
            return {}
        best = max(scores.values())
        total = sum(math.exp(v - best) for v in scores.values())
        return {language: math.exp(v - best) / total for language, v in scores.items()}


_trigram_model: TrigramModel | None = None


def trigram_model() -> TrigramModel:
    """The model, learned from the training data the first time it is needed (about 2 s)."""
    global _trigram_model
    if _trigram_model is None:
        _trigram_model = TrigramModel((language, text) for language, _, text in training_examples())
    return _trigram_model


def use_trigram_model(model: TrigramModel | None) -> None:
    """Use this model instead (make eval: one learned without its held-out examples); None: the default again."""
    global _trigram_model
    _trigram_model = model


def _transliterated(text: str, words: list[str]) -> Detection | None:
    """Ukrainian or Bulgarian typed in Latin letters, when the trigram model is sure enough; else None."""
    if len(words) < 2 or not in_latin_letters(text):
        return None
    probabilities = trigram_model().probabilities(text)
    language = max(CYRILLIC_LANGUAGES, key=lambda code: probabilities.get(code, 0.0))
    confidence = probabilities.get(language, 0.0)
    return Detection(language, confidence, len(words)) if confidence >= TRANSLITERATED_CONFIDENCE else None


def detect(text: str) -> Detection:
    words = meaningful_words(text)
    if not words:
        return Detection(None, 0.0, 0)
    if (transliterated := _transliterated(text, words)) is not None:
        return transliterated
    letters = set("".join(words))
    if letters & _UK_ONLY and not letters & _BG_ONLY:
        return Detection("uk", 1.0, len(words))
    if letters & _BG_ONLY and not letters & _UK_ONLY:
        return Detection("bg", 1.0, len(words))
    values = _detector().compute_language_confidence_values(" ".join(words))
    if not values:
        return Detection(None, 0.0, len(words))
    best = values[0]
    second = values[1].value if len(values) > 1 else 0.0
    confidence = best.value if best.value - second >= MIN_MARGIN else min(best.value, 0.5)
    return Detection(_CODES[best.language], float(confidence), len(words))


def choose_language(current: str | None, text: str, hint: str | None = None) -> str:
    """The language to answer in after this message.

    ``current`` is the user's sticky language (None on first contact); ``hint`` is what the channel
    says about the device (Telegram's language_code, the browser's language), used only on first contact.
    """
    detection = detect(text)
    if detection.is_clear and (current is None or _sure_enough_to_leave(current, detection, text)):
        return detection.language  # type: ignore[return-value]
    if current:
        return current
    if detection.language and detection.confidence >= MIN_CONFIDENCE and detection.meaningful_words >= 1:
        return detection.language
    if hint:
        base = hint.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return detection.language or "en"


#: Leaving a user's current language needs more certainty than a first guess.
SWITCH_CONFIDENCE = 0.8


def _sure_enough_to_leave(current: str, detection: Detection, text: str) -> bool:
    if detection.language == current:
        return True
    if current in CYRILLIC_LANGUAGES and not any("\u0400" <= c <= "\u04ff" for c in text):
        return False  # transliterated: keep the user's language; a switch needs Cyrillic or an explicit choice
    return detection.confidence >= SWITCH_CONFIDENCE


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: Stems of each language's name, as written in the six languages (folded: lowercase, no diacritics).
_LANGUAGE_NAME_STEMS = {
    "pl": ("polsk", "polish", "pools", "poolse", "polone", "полськ", "польськ", "полск", "полша", "polski"),
    "ro": ("rumun", "romanian", "roeme", "roemeens", "romana", "romaneste", "румун", "румънск", "romani"),
    "bg": ("bulgar", "bulgaars", "bulgaria", "болгар", "българ", "bulgarsk"),
    "uk": ("ukrain", "oekraien", "oekraiens", "ucrain", "украин", "украін", "українськ", "украинск", "ukrajin"),
    "en": ("english", "angiel", "engels", "englez", "англий", "англійськ", "английск", "angliisk"),
    "nl": ("dutch", "nederlands", "niderland", "holend", "holand", "olandez", "olandeza", "нідерланд", "голланд",
           "холандск", "нидерландск", "nizozem"),
}


def requested_language(text: str) -> str | None:
    """Which language the user asks for in free text ("can you speak Polish?"), if exactly one."""
    folded = _fold(text)
    found = {code for code, stems in _LANGUAGE_NAME_STEMS.items() if any(s in folded for s in stems)}
    return found.pop() if len(found) == 1 else None
