"""The project's NLU training examples as (language, intent, text), read from their folders.

One reader for everything that needs the examples outside Rasa: `make eval` and the benchmarks (bot/), and the
language detector's model of Latin-letter Ukrainian and Bulgarian (core/language.py).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from core.i18n import LANGUAGES
from core.settings import PROJECT_ROOT

#: Training data folders, each with one folder per language: the intents, and the sub-questions of the topics
#: (Rasa retrieval intents `topic/key`, learned by nlu_components/subtopic_classifier.py).
NLU_DATA = ("nlu", "subquestions")


def training_examples(root: Path = PROJECT_ROOT, folders: tuple[str, ...] = NLU_DATA) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every training example, language from the <folder>/<lang>/ folder.

    Sub-question examples keep their full key as intent (`housing_rights/job_loss`).
    """
    examples = []
    for folder in folders:
        for language in LANGUAGES:
            for path in sorted((root / folder / language).glob("*.yml")):
                for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
                    for line in str(block.get("examples") or "").splitlines():
                        if line.strip().startswith("- "):
                            examples.append((language, block["intent"], line.strip()[2:]))
    return examples
