"""Folding: the form in which names and messages are compared.

"Rotterdamie", "Роттердамі" and "ROTTERDAM" fold to plain lowercase Latin letters, so one key matches
however a user writes a name. Place names (core.places, core.geo, core.regions), topic keywords
(core.subtopics) and the text the NLU model sees (core.nlu_text) all use it; a change here changes what the
model is trained on, so bot/training.py hashes this file.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sht", "ъ": "a", "ь": "", "ю": "iu", "я": "ia", "ё": "io", "ы": "y", "э": "e", "ѝ": "i", "'": "", "’": "",
})


def fold(text: str) -> str:
    """Lowercase, Cyrillic to Latin, no diacritics, punctuation to spaces."""
    text = text.lower().translate(_CYRILLIC)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("ł", "l").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()
