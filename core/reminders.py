"""When reminders of a mobile-team visit go out (``WINBOT_VISIT_REMINDERS``), in Europe/Amsterdam wall-clock time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.formatting import AMSTERDAM

#: The evening before at 18:00 (Amsterdam) and 2 hours before the start.
DEFAULT_REMINDERS = "-1d@18:00,2h"
_RULE = re.compile(r"^-(\d+)d@(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^(\d+)([hms])$")
_UNITS = {"h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class ReminderRule:
    """Either ``days`` before the visit's (Amsterdam) date at ``at`` local time, or ``before`` the start."""

    days: int | None = None
    at: dt.time | None = None
    before: dt.timedelta | None = None

    def time_for(self, starts_at: dt.datetime) -> dt.datetime:
        if self.before is not None:
            return starts_at - self.before
        assert self.days is not None and self.at is not None
        local_day = starts_at.astimezone(AMSTERDAM).date() - dt.timedelta(days=self.days)
        # Wall-clock time on that day: zoneinfo picks the right offset across a clock change.
        return dt.datetime.combine(local_day, self.at, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def parse_reminders(text: str) -> tuple[ReminderRule, ...]:
    """'-1d@18:00,2h' -> the evening before at 18:00 and 2 hours before; '' -> no reminders.

    An item is ``-<days>d@<HH:MM>`` (Amsterdam wall-clock time, days before the visit's date) or a duration
    before the start: ``2h``, ``90m``, ``30s``.
    """
    rules: list[ReminderRule] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if match := _RULE.match(item):
            hour, minute = int(match.group(2)), int(match.group(3))
            if hour > 23 or minute > 59:
                raise ValueError(f"{item!r}: no such time of day")
            rules.append(ReminderRule(days=int(match.group(1)), at=dt.time(hour, minute)))
        elif match := _DURATION.match(item):
            rules.append(ReminderRule(before=dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])))
        else:
            raise ValueError(f"{item!r} is not a reminder time: use e.g. '-1d@18:00' (the evening before at 18:00) "
                             "or '2h' (2 hours before)")
    return tuple(rules)


def reminder_times(starts_at: dt.datetime, rules: Sequence[ReminderRule],
                   after: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(slot, time) of each reminder that falls after ``after`` (the announcement) and before the start."""
    times = []
    for slot, rule in enumerate(rules, start=1):
        at = rule.time_for(starts_at)
        if after < at < starts_at:
            times.append((slot, at))
    return times
