"""How a message is shown to the NLU model: as written, followed by its folded form.

The folded form (lowercase, no diacritics, Cyrillic in Latin letters, see ``core.folding.fold``) lets the
model see "zdravei", "здравей" and "Здравей" as the same word, and "înregistrare" as "inregistrare". Keeping
the original too keeps what folding loses. On held-out data this raised intent accuracy in every language
(most for Bulgarian, whose users often write in Latin letters); see reports/nlu-eval.md.

The same function prepares the training data (bot/training.py), the test stories and every message the
gateway sends to Rasa, so training and use always match. Button payloads ("/intent{...}") pass unchanged.
"""

from __future__ import annotations

from core.folding import fold

SEPARATOR = " | "


def for_nlu(text: str) -> str:
    if text.startswith("/"):
        return text
    folded = fold(text)
    return f"{text}{SEPARATOR}{folded}" if folded else text
