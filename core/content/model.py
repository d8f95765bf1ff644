"""Shapes of the assistant's content.

An :class:`Answer` is one short, sourced reply. Its ``title`` and ``text`` are English msgids; named
placeholders in the text (``%(wage)s``) are filled from ``values`` after translation, each value
formatted for the user's locale (money, dates, percentages, numbers: see ``core.formatting``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The date the fact sheet (../shared/facts/netherlands-facts.md) was compiled and checked.
FACTS_CHECKED = dt.date(2026, 11, 29)


@dataclass(frozen=True)
class Answer:
    key: str
    title: str
    text: str
    sources: tuple[str, ...]
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    checked: dt.date = FACTS_CHECKED

    @property
    def intent(self) -> str:
        return self.key.split("/")[0]


@dataclass(frozen=True)
class Topic:
    intent: str
    title: str
    question: str
    answers: tuple[Answer, ...]

    def answer(self, key: str) -> Answer | None:
        return next((a for a in self.answers if a.key == key), None)
