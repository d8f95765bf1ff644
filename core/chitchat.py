"""Whether a message is only chit-chat: hello, thanks, bye and nothing else (issue 10, item 3).

The classifier's greet, goodbye and thanks intents absorb messages that are about something else ("nowhere to
sleep tonight" went to goodbye with 0.92). The actions of those intents accept a message only when every word
of it is a chit-chat word; anything more is treated as not understood (the two-stage fallback), which offers
the likely topics. Button payloads ("/greet") are always accepted.

The chit-chat words (core/content/chitchat_words.txt, folded) are the words of the greet, goodbye and thanks
training examples that are not typical of the topics, and the small words common to both ("to", "na", "de"):
`python -m core.chitchat` writes the file again from nlu/ (run it after changing the training data and review
the difference). A typo of a chit-chat word ("thanx", "czeeesc", "multumescc") counts as one.

Measured (reports/safety.md): built from 80 % of the training data, 65 % of the other 20 %'s chit-chat
messages are accepted and 1.2 % of its topic questions would be; the rest gets the fallback's topic buttons,
which is the cheaper mistake.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from core.folding import fold
from core.safety import danger

WORDS_FILE = Path(__file__).resolve().parent / "content" / "chitchat_words.txt"
CHITCHAT_INTENTS = frozenset({"greet", "goodbye", "thanks"})
#: A word of the chit-chat examples counts as chit-chat unless it is this many times more frequent (per example)
#: in the topics' examples.
TOPIC_RATIO = 2.0
#: Small words common to chit-chat and topics count too: at least this share of examples of both.
COMMON_IN_TOPICS = 0.005
COMMON_IN_CHITCHAT = 0.002
#: Words this long or longer may have one letter too many (a typo) and still count.
MIN_TYPO_LENGTH = 5


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


@cache
def chitchat_words() -> frozenset[str]:
    return frozenset(
        line.strip() for line in WORDS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


@cache
def _squeezed(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_squeeze(w) for w in words)


def _is_chitchat_word(word: str, words: frozenset[str]) -> bool:
    if word in words or _squeeze(word) in _squeezed(words):
        return True
    return len(word) >= MIN_TYPO_LENGTH and any(word[:i] + word[i + 1:] in words for i in range(len(word)))


def content_words(text: str, words: frozenset[str] | None = None) -> list[str]:
    """The words of a message that are not chit-chat (folded; numbers and single letters don't count)."""
    known = chitchat_words() if words is None else words
    return [w for w in fold(text).split() if len(w) > 1 and not w.isdigit() and not _is_chitchat_word(w, known)]


def is_chitchat(text: str, words: frozenset[str] | None = None) -> bool:
    """Whether the message says only hello, thanks or bye (or is a button payload). A message with a danger sign
    never is ("going to sleep, bye" is chit-chat, "nowhere to sleep tonight" is not)."""
    text = text.strip()
    if text.startswith("/"):
        return True
    return not content_words(text, words) and danger(text) is None


# -- building the word list from the training data -----------------------------------------------------------


def training_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(intent, text) of every training example under ``nlu_dir``."""
    found = []
    for path in sorted(nlu_dir.glob("*/*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in item:
                for line in str(item["examples"]).splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        found.append((item["intent"], text))
    return found


def build_words(examples: Iterable[tuple[str, str]]) -> list[str]:
    """The chit-chat words of (intent, text) training examples (see the module docstring)."""
    chat: Counter[str] = Counter()
    topic: Counter[str] = Counter()
    n_chat = n_topic = 0
    for intent, text in examples:
        words = set(fold(text).split())
        if intent in CHITCHAT_INTENTS:
            chat.update(words)
            n_chat += 1
        elif intent not in {"out_of_scope", "change_language"}:
            topic.update(words)
            n_topic += 1
    n_chat, n_topic = max(n_chat, 1), max(n_topic, 1)
    chitchat = {w for w, n in chat.items() if topic[w] / n_topic < TOPIC_RATIO * n / n_chat}
    common = {w for w, n in chat.items() if topic[w] / n_topic >= COMMON_IN_TOPICS and n / n_chat >= COMMON_IN_CHITCHAT}
    return sorted(w for w in chitchat | common if len(w) > 1 and not w.isdigit())


def main(nlu_dir: str = "nlu") -> None:
    words = build_words(training_examples(Path(nlu_dir)))
    header = "# Chit-chat words (folded), built by `python -m core.chitchat` from nlu/; see core/chitchat.py\n"
    WORDS_FILE.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words written to {WORDS_FILE}")


if __name__ == "__main__":
    main(*sys.argv[1:])
