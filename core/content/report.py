"""`make content-report`: answers whose period-bound figures are past or near their end, and old checks.

With ``--strict`` the exit status is 1 when an answer is past its ``valid_until`` (so a scheduled run can alert
an operator). The answer itself already tells users that its figures may have changed and links the official
page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from core.content.catalog import ALL_ANSWERS
from core.content.model import Answer
from core.formatting import AMSTERDAM

#: An answer whose figures end within this many days is listed as "near expiry".
NEAR_DAYS = 60
#: An answer not checked for this many days is listed as "check again".
STALE_DAYS = 180


@dataclass(frozen=True)
class Row:
    key: str
    status: str
    valid_until: dt.date | None
    checked: dt.date
    official: str


def rows(answers: Iterable[Answer], today: dt.date, near_days: int = NEAR_DAYS,
         stale_days: int = STALE_DAYS) -> list[Row]:
    out = []
    for answer in answers:
        status = ""
        if answer.valid_until is not None and today > answer.valid_until:
            status = "EXPIRED"
        elif answer.valid_until is not None and (answer.valid_until - today).days <= near_days:
            status = "near expiry"
        elif (today - answer.checked).days > stale_days:
            status = "check again"
        if status:
            out.append(Row(answer.key, status, answer.valid_until, answer.checked,
                           answer.official or answer.sources[0]))
    order = {"EXPIRED": 0, "near expiry": 1, "check again": 2}
    return sorted(out, key=lambda r: (order[r.status], r.valid_until or dt.date.max, r.key))


def table(report: list[Row], today: dt.date) -> str:
    lines = [f"Content report for {today.isoformat()}: {len(report)} answer(s) to look at", ""]
    if not report:
        return lines[0].replace("to look at", "to look at: none")
    lines.append("| answer | status | valid until | last checked | official page |")
    lines.append("|---|---|---|---|---|")
    for row in report:
        until = row.valid_until.isoformat() if row.valid_until else "-"
        lines.append(f"| {row.key} | {row.status} | {until} | {row.checked.isoformat()} | {row.official} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.datetime.now(AMSTERDAM).date(),
                        help="the day to report for (YYYY-MM-DD); default: today")
    parser.add_argument("--near-days", type=int, default=NEAR_DAYS)
    parser.add_argument("--stale-days", type=int, default=STALE_DAYS)
    parser.add_argument("--strict", action="store_true", help="exit 1 when an answer is past its valid_until")
    args = parser.parse_args(argv)
    report = rows(ALL_ANSWERS.values(), args.today, args.near_days, args.stale_days)
    print(table(report, args.today))
    return 1 if args.strict and any(r.status == "EXPIRED" for r in report) else 0


if __name__ == "__main__":
    sys.exit(main())
