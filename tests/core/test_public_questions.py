"""The held-out test set of issue 10, item 2 (tests/data/public_questions/questions.yml): questions as people and
organisations wrote them on public pages. Each is labelled with a known intent (and sub-answer), cites its page,
and none of them may turn up in the training data (nlu/, subquestions/), or the set no longer tests generalisation."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

from core.folding import fold

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "public_questions" / "questions.yml"
LANGUAGES = ("pl", "ro", "bg", "uk", "en", "nl")
# Romanian pages are few in the page store (README.md); every other language has at least 25.
MINIMUM = {"ro": 20}
FIELDS = {"language", "text", "intent", "subtopic", "source", "title"}


def _questions() -> list[dict]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    # As the model sees it (core/nlu_text.py): without diacritics, Cyrillic also in Latin letters.
    text = fold(unicodedata.normalize("NFKC", text).casefold().replace("’", "'"))
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # entity annotations of the training data
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _training_files() -> list[Path]:
    return sorted([*ROOT.glob("nlu/*/*.yml"), *ROOT.glob("subquestions/*/*.yml")])


def _blocks(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []


def _intents() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        found |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or [])
    return found - {"nlu_fallback"}


def _subtopics() -> set[str]:
    return {str(block["intent"]) for path in ROOT.glob("subquestions/*/*.yml") for block in _blocks(path)
            if "/" in str(block.get("intent", ""))}


def test_every_entry_is_complete_and_cites_its_page() -> None:
    for entry in _questions():
        assert set(entry) <= FIELDS and {"language", "text", "intent", "source"} <= set(entry), entry
        assert entry["language"] in LANGUAGES, entry
        assert entry["text"].strip() == entry["text"] and entry["text"], entry
        assert re.match(r"https?://\S+$", entry["source"]), entry


def test_every_language_has_enough_questions() -> None:
    counts = Counter(entry["language"] for entry in _questions())
    for language in LANGUAGES:
        assert counts[language] >= MINIMUM.get(language, 25), (language, counts[language])


def test_labels_are_known_intents_and_sub_answers() -> None:
    intents, subtopics = _intents(), _subtopics()
    for entry in _questions():
        assert entry["intent"] in intents, entry
        if "subtopic" in entry:
            assert entry["subtopic"] in subtopics, entry
            assert entry["subtopic"].startswith(entry["intent"] + "/"), entry


def test_the_set_covers_the_topics_not_just_one() -> None:
    counts = Counter(entry["intent"] for entry in _questions())
    for intent in ("brp_registration", "health_insurance", "housing_rights", "work_rights", "benefits_tax",
                   "report_abuse", "find_win_point", "emergency", "out_of_scope"):
        assert counts[intent] > 0, intent
    assert max(counts.values()) < len(_questions()) / 3


def test_no_question_is_there_twice() -> None:
    texts = Counter((entry["language"], _norm(entry["text"])) for entry in _questions())
    assert [text for text, n in texts.items() if n > 1] == []


def test_no_question_is_in_the_training_data() -> None:
    # Word-for-word the same, or one inside the other (from four words on), after case, punctuation and
    # annotations are set aside: a test question found there would only test memory.
    examples = {}
    for path in _training_files():
        for block in _blocks(path):
            for line in str(block.get("examples") or "").splitlines():
                text = _norm(line.strip().removeprefix("- "))
                if text:
                    examples[text] = path.relative_to(ROOT).as_posix()
    assert len(examples) > 10_000
    joined = "\n".join(f" {example} " for example in examples)
    leaked = []
    for entry in _questions():
        question = _norm(entry["text"])
        words = question.split()
        # the question itself, or any run of four words or more of it, as a whole training example
        runs = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 4, len(words) + 1)} | {question}
        found = [(run, examples[run]) for run in runs if run in examples]
        # the question inside a longer training example
        if len(words) >= 4 and f" {question} " in joined:
            found += [(example, path) for example, path in examples.items() if f" {question} " in f" {example} "]
        leaked += [(entry["text"], path, example) for example, path in found]
    assert leaked == []
