"""Danger signs in a message, recognised before the classifier's answer is used (issue 10, item 3).

A pure function of the text: :func:`danger` returns the kind of danger a message shows, or None. The gateway
sends a message with a danger sign to Rasa as ``/emergency{"danger": kind}`` instead of free text, so the
classifier cannot out-vote it (bot/router.py), and the emergency action answers with 112 (or 113) first.

The signs are word stems and phrases per language in core/content/danger/<lang>.yml. Every language's signs
are tried on every message: a language detector is least sure of exactly the messages that matter here
(Bulgarian in Latin letters, a few words, Dutch mixed in), and a missed danger costs more than a false alarm.

How a message is compared (see :func:`loose`): folded (core.folding: lowercase, Cyrillic to Latin, no
diacritics), then the ways people write Cyrillic in Latin letters are merged (zh/z, sht/st, ts/c, y/i,
q/ia, 4/ch, 6/sh, w/v), and doubled letters collapse ("pomocyyy"). The patterns are put through the same
function, so they are written as one would type them.

Pattern syntax, one pattern per line:
- words separated by spaces; a word matches any word that starts with it ("zabi" matches "zabije");
- ``a|b`` in a word: either stem; a stem ending in ``=`` must match a whole word ("ne=", "bie=|nabi");
- ``*`` between two words: up to three other words in between.

Filler words that only add weight ("really", "gewoon", "naprawdę", ``filler``) are taken out of every message
before it is compared, so that "ik wil er gewoon niet meer zijn" reads as "ik wil er niet meer zijn"; a pattern may
not use them.

Look-alikes ("dying to know", "my phone is dead", "killer price") are listed under ``safe`` and taken out of
the message first. Words saying that an injury is over ("it has healed", "last year") are listed under ``over``:
a message with one of them raises no ``injured`` sign (the word lists have no tense otherwise), though it
still raises every other kind. A sign right after a negation (``negations``: "not", "nie") or up to three words
after a ``nobody`` word ("nobody", "nikt", "niemand") does not count; signs that need their own negation
("I don't want to live") include it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from core.folding import fold

DANGER_DIR = Path(__file__).resolve().parent / "content" / "danger"
DANGER_LANGUAGES = ("pl", "ro", "bg", "uk", "en", "nl")

#: The kinds of danger, most urgent first: when a message shows two, the first one answers.
KINDS = ("suicide", "injured", "violence", "trapped", "homeless")

#: How many words (of two letters or more) "nobody" may stand before a sign and still cancel it; a plain
#: "not" cancels only the sign right after it ("not breathing" is a sign of its own).
NOBODY_REACH = 3

_GAP = r"(?: [a-z0-9]+){0,3}"
_LOOSE_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=[a-z])4|4(?=[a-z])", "ch"),  # "4ovek": Bulgarian chat spelling of ч
        (r"(?<=[a-z])6|6(?=[a-z])", "sh"),  # "6te": ш
        (r"zh|j", "z"),  # ж: "zhyty", "jiveq" (Polish and Dutch j fold the same way on both sides)
        (r"kh|x", "h"),
        (r"shch|sht", "st"),  # щ: Ukrainian "shcho", Bulgarian "shte"
        (r"ts(?=[aeiouy])", "c"),  # ц: "agentsiia"; not a plural's "ts" ("passports")
        (r"q", "ia"),  # я in Bulgarian chat spelling: "jivq"
        (r"w", "v"),
        (r"y", "i"),
        (r"([a-z])\1+", r"\1"),  # doubled letters and stretched words: "heeelp"
    )
)


def loose(text: str) -> str:
    """The form in which messages and danger patterns are compared (folded, then spellings merged)."""
    text = fold(text)
    for pattern, replacement in _LOOSE_STEPS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Signs:
    """One language's compiled danger patterns (kind -> patterns), look-alikes and negation words."""

    language: str
    danger: dict[str, tuple[re.Pattern[str], ...]]
    safe: tuple[re.Pattern[str], ...]
    over: tuple[re.Pattern[str], ...]  # the injury is over: no ``injured`` sign
    negations: frozenset[str]
    nobody: frozenset[str]
    between: frozenset[str]
    anything: re.Pattern[str]  # all danger patterns in one: most messages are ruled out with one search


def _section(language: str) -> dict:
    return yaml.safe_load((DANGER_DIR / f"{language}.yml").read_text(encoding="utf-8")) or {}


@cache
def fillers() -> frozenset[str]:
    """The filler words of every language (``filler``), in :func:`loose` form: taken out of every message."""
    return frozenset(loose(str(w)) for code in DANGER_LANGUAGES for w in _section(code).get("filler") or ())


def without_fillers(text: str) -> str:
    """A :func:`loose` text without its filler words."""
    drop = fillers()
    return " ".join(word for word in text.split() if word not in drop)


def _word(token: str) -> str:
    alternatives = []
    for stem in token.split("|"):
        whole = stem.endswith("=")
        folded = loose(stem.rstrip("="))
        if folded in fillers():
            raise ValueError(f"danger pattern word {token!r} uses the filler word {stem!r}, which messages lose")
        if folded:
            alternatives.append(re.escape(folded) + ("" if whole else "[a-z0-9]*"))
    if not alternatives:
        raise ValueError(f"empty word in danger pattern: {token!r}")
    return "(?:" + "|".join(alternatives) + ")"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A pattern (see the module docstring) as a regular expression over :func:`loose` text."""
    parts: list[str] = []
    gap = False
    for word in pattern.split():
        if word == "*":
            gap = True
            continue
        if word == "$":
            parts.append(r"(?= *$)")
            continue
        if parts:
            parts.append(_GAP if gap else "")
            parts.append(" ")
        parts.append(_word(word))
        gap = False
    if not parts:
        raise ValueError(f"empty danger pattern: {pattern!r}")
    return re.compile(r"(?<![a-z0-9])" + "".join(parts) + r"(?![a-z0-9])")


@cache
def signs(language: str) -> Signs:
    data = _section(language)
    unknown = set(data) - {*KINDS, "safe", "over", "negations", "nobody", "between", "filler"}
    if unknown:
        raise ValueError(f"{language}.yml: unknown sections {sorted(unknown)}")

    def words(section: str) -> frozenset[str]:
        return frozenset(loose(str(w)) for w in data.get(section) or ())

    patterns = {kind: tuple(compile_pattern(str(p)) for p in data.get(kind) or ()) for kind in KINDS}
    return Signs(
        language,
        patterns,
        tuple(compile_pattern(str(p)) for p in data.get("safe") or ()),
        tuple(compile_pattern(str(p)) for p in data.get("over") or ()),
        words("negations"),
        words("nobody"),
        words("between"),
        re.compile("|".join(p.pattern for kind in KINDS for p in patterns[kind]) or "(?!)"),
    )


def _negated(text: str, start: int, own: Signs, users: Signs | None) -> bool:
    """Whether a negation of the pattern's language (or of the user's) cancels the sign starting at ``start``.

    One-letter words (Romanian "m-a", "s-a") and the short words a language puts between a negation and its
    verb (``between``: Bulgarian "не ме бие", Polish "nie mnie") are skipped.
    """
    kinds = [own] if users is None or users is own else [own, users]
    negations = frozenset().union(*(k.negations for k in kinds))
    nobody = frozenset().union(*(k.nobody for k in kinds))
    between = frozenset().union(*(k.between for k in kinds))
    before = [w for w in text[:start].split() if len(w) > 1]
    close = [w for w in before if w not in between]
    if close and close[-1] in negations:
        return True
    return any(word in nobody for word in before[-NOBODY_REACH:])


def _prepared(text: str) -> tuple[str, list[Signs], tuple[str, ...]]:
    """The message in :func:`loose` form with its look-alikes blanked, every language's signs, and the kinds
    to look for (all of them, less ``injured`` when a word says the injury is over)."""
    every = [signs(code) for code in DANGER_LANGUAGES]
    message = f" {without_fillers(loose(text))} "
    for found in every:
        for pattern in found.safe:
            message = pattern.sub(lambda m: " " + "_" * (len(m.group(0)) - 1), message)
    over = any(pattern.search(message) for found in every for pattern in found.over)
    return message, every, tuple(kind for kind in KINDS if not (over and kind == "injured"))


def danger(text: str, language: str | None = None) -> str | None:
    """The kind of danger the message shows (one of :data:`KINDS`), or None.

    The signs of every language are tried (see the module docstring); ``language``, the user's language,
    adds its negation words to those of the sign's own language.
    """
    if not text or text.startswith("/"):
        return None
    message, every, kinds = _prepared(text)
    users = signs(language) if language in DANGER_LANGUAGES else None
    candidates = [found for found in every if found.anything.search(message)]
    for kind in kinds:
        for found in candidates:
            for pattern in found.danger[kind]:
                for match in pattern.finditer(message):
                    if not _negated(message, match.start(), found, users):
                        return kind
    return None


def explain(text: str, language: str | None = None) -> list[tuple[str, str, str]]:
    """Every sign found in a message, as (language of the pattern, kind, matched text): for tuning the lists."""
    if not text or text.startswith("/"):
        return []
    message, every, kinds = _prepared(text)
    users = signs(language) if language in DANGER_LANGUAGES else None
    return [
        (found.language, kind, match.group(0))
        for kind in kinds
        for found in every
        for pattern in found.danger[kind]
        for match in pattern.finditer(message)
        if not _negated(message, match.start(), found, users)
    ]


#: Where a message splits into parts for :func:`message_parts`: after a sentence's end, at a line break or ";".
_PART_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*[;\n]\s*")
#: A part needs this many words to be classified on its own ("ok.", "thanks!" are not parts).
PART_MIN_WORDS = 4
#: At most this many parts are classified (the longest ones), so a very long message costs a bounded time.
MAX_PARTS = 6


def message_parts(text: str) -> list[str]:
    """The sentences of a message that asks or tells several things, to be classified one by one: a danger
    said in the middle of an ordinary question ("about my payslip... I think everyone is better off without me...
    when is holiday pay paid?") is out-voted by the question's words when the message is classified whole.
    Empty for a message of one part, which the whole message's reading covers."""
    if not text or text.startswith("/"):
        return []
    parts = [p.strip() for p in _PART_BREAK.split(text) if len(p.split()) >= PART_MIN_WORDS]
    if len(parts) < 2:
        return []
    return sorted(parts, key=lambda p: -len(p))[:MAX_PARTS]

