"""How a message is shown to the NLU model: as written, followed by its folded form.

The folded form (lowercase, no diacritics, Cyrillic in Latin letters, see ``core.folding.fold``) lets the
model see "zdravei", "здравей" and "Здравей" as the same word, and "înregistrare" as "inregistrare". Keeping
the original too keeps what folding loses. On held-out data this raised intent accuracy in every language
(most for Bulgarian, whose users often write in Latin letters); see reports/nlu-eval.md.

The other way round, Ukrainian or Bulgarian typed in Latin letters is shown in Cyrillic letters in place of the
original (``core.transliteration``), when the language is known to be one of them: the sentence embedding reads
the first part, and reads Cyrillic far better than chat transliteration. The folded part is still that of what the
user typed, so the n-grams see the same Latin words as before.

The same function prepares the training data (bot/training.py, with the language of each example's folder), the
test stories and every message the gateway sends to Rasa (with the language the user is answered in), so training
and use always match. Button payloads ("/intent{...}") pass unchanged.
"""

from __future__ import annotations

from core.folding import fold
from core.transliteration import to_cyrillic

SEPARATOR = " | "


def for_nlu(text: str, language: str | None = None) -> str:
    if text.startswith("/"):
        return text
    folded = fold(text)
    written = to_cyrillic(text, language) if language else text
    return f"{written}{SEPARATOR}{folded}" if folded else text
