"""Which sub-question of a topic a message asks (docs/subtopics.md).

Keyword stems per language live in core/content/keywords/<lang>.yml. A stem matches the start of a
word; a stem with a space matches a phrase. The user's language is combined with English and Dutch,
because migrants mix in English words and Dutch official terms. No clear winner: None, and the
assistant shows the sub-questions as buttons instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from core.folding import fold

KEYWORDS_DIR = Path(__file__).resolve().parent / "content" / "keywords"


@cache
def keywords(language: str) -> dict[str, tuple[str, ...]]:
    path = KEYWORDS_DIR / f"{language}.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: tuple(fold(str(s)) for s in stems if fold(str(s))) for key, stems in data.items()}


def _stems_for(key: str, languages: Iterable[str]) -> set[str]:
    return {s for lang in languages for s in keywords(lang).get(key, ())}


def score(text: str, key: str, language: str) -> int:
    folded = " " + fold(text) + " "
    total = 0
    for stem in _stems_for(key, dict.fromkeys((language, "en", "nl"))):
        if " " in stem:
            total += 2 if f" {stem}" in folded else 0
        elif re.search(rf"(?<![a-z0-9\u0400-\u04ff]){re.escape(stem)}", folded):
            total += 1
    return total


def best_subtopic(text: str, keys: Iterable[str], language: str) -> str | None:
    scored = sorted(((score(text, key, language), key) for key in keys), reverse=True)
    if not scored or scored[0][0] == 0:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
