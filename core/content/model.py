"""Shapes of the assistant's content.

An :class:`Answer` is one short, sourced reply. Its ``title`` and ``text`` are English msgids; named
placeholders in the text (``%(wage)s``) are filled from ``values`` after translation, each value
formatted for the user's locale (money, dates, percentages, numbers: see ``core.formatting``).

Every answer carries the date its facts were last checked against the fact sheet
(../shared/facts/netherlands-facts.md). A figure bound to a year or period (a wage, an allowance, a
deductible) makes the answer carry ``valid_until``: after that day the answer says the figure may have
changed and links ``official``, the official page. Each money or percentage figure names the source that
supports it in ``figures`` (value name -> one of ``sources``); every source is shown with the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The date the first sections (0-9) of the fact sheet were compiled and checked.
FACTS_CHECKED = dt.date(2026, 11, 29)
#: The date sections 10-19 were added and checked (and section 4.1's minimum wage searched again).
FACTS_CHECKED_UPDATE = dt.date(2026, 12, 6)


def _empty() -> Mapping[str, object]:
    return MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class Answer:
    key: str
    title: str
    text: str
    sources: tuple[str, ...]
    checked: dt.date
    values: Mapping[str, object] = field(default_factory=_empty)
    #: value name -> the source (one of ``sources``) that supports that figure
    figures: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: the last day the period-bound figures in this answer are known to apply
    valid_until: dt.date | None = None
    #: the official page to check once ``valid_until`` has passed
    official: str | None = None

    @property
    def intent(self) -> str:
        return self.key.split("/")[0]

    def expired(self, today: dt.date) -> bool:
        return self.valid_until is not None and today > self.valid_until


@dataclass(frozen=True)
class Topic:
    intent: str
    title: str
    question: str
    answers: tuple[Answer, ...]

    def answer(self, key: str) -> Answer | None:
        return next((a for a in self.answers if a.key == key), None)
