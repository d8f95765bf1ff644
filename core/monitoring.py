"""Covenant monitoring: counts per month, never content.

- answers per language and topic (counted by the action server as it answers; no user, no text, month only),
- talking to a person: chats per region and language, how long people waited until a person took the chat,
  how chats ended,
- reports of abuse per region and category.

Functions take the caller's Session and never commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import defaultdict
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db.models import HandoffChat, Report, TopicCount, utcnow


def month_of(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m")


def count_answer(db: Session, language: str, topic: str, when: dt.datetime | None = None) -> None:
    """One more answer of ``topic`` in ``language`` this month (an upsert: safe with many action servers)."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(TopicCount).values(month=month_of(when or utcnow()), language=language[:8], topic=topic[:48],
                                          count=1)
    db.execute(statement.on_conflict_do_update(index_elements=["month", "language", "topic"],
                                               set_={"count": TopicCount.count + 1}))


def answers(db: Session, region: str | None = None) -> list[dict[str, Any]]:
    """Answers per month, language and topic (not per region: the assistant does not know where people are)."""
    rows = db.scalars(select(TopicCount).order_by(TopicCount.month, TopicCount.language, TopicCount.topic))
    return [{"month": r.month, "language": r.language, "topic": r.topic, "count": r.count} for r in rows]


def handoffs(db: Session, region: str | None = None) -> list[dict[str, Any]]:
    """Chats with a person per month, region and language: how many, how many urgent, how many were reopened (the
    user wrote again after staff closed them as solved), median and 90th-percentile wait until a person took the
    chat (minutes; for a reopened chat from its last reopening), and how they ended."""
    statement = select(HandoffChat.created_at, HandoffChat.reopened_at, HandoffChat.claimed_at, HandoffChat.region,
                       HandoffChat.language, HandoffChat.urgent, HandoffChat.outcome, HandoffChat.reopened_count)
    if region is not None:
        statement = statement.where(HandoffChat.region == region)
    groups: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for created, reopened_at, claimed, chat_region, language, urgent, outcome, reopened in db.execute(statement):
        groups[(month_of(created), chat_region or "national", language)].append(
            (reopened_at or created, claimed, urgent, outcome, reopened or 0))
    result = []
    for (month, chat_region, language), chats in sorted(groups.items()):
        waits = sorted((claimed - since).total_seconds() / 60 for since, claimed, *_rest in chats if claimed)
        outcomes: dict[str, int] = defaultdict(int)
        for _since, _claimed, _urgent, outcome, _reopened in chats:
            outcomes[outcome or "open"] += 1
        result.append({
            "month": month, "region": chat_region, "language": language, "chats": len(chats),
            "urgent": sum(1 for _s, _c, urgent, _o, _r in chats if urgent),
            "reopened": sum(1 for *_rest, reopened in chats if reopened), "taken": len(waits),
            "median_wait_minutes": round(statistics.median(waits), 1) if waits else None,
            "p90_wait_minutes": round(waits[min(len(waits) - 1, int(len(waits) * 0.9))], 1) if waits else None,
            "outcomes": dict(sorted(outcomes.items())),
        })
    return result


def reports_per_month(db: Session, region: str | None = None) -> list[dict[str, Any]]:
    """Reports of abuse per month, region and category (a report with two categories counts in both)."""
    statement = select(Report.created_on, Report.region, Report.categories)
    if region is not None:
        statement = statement.where(Report.region == region)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for created, report_region, categories in db.execute(statement):
        for category in (categories or "other").split(","):
            counts[(created.strftime("%Y-%m"), report_region or "national", category or "other")] += 1
    return [{"month": m, "region": r, "category": c, "count": n} for (m, r, c), n in sorted(counts.items())]


def write_csv(stream: TextIO, tables: dict[str, list[dict[str, Any]]]) -> None:
    """One CSV with a ``table`` column, so a spreadsheet can filter the parts."""
    writer = csv.writer(stream)
    writer.writerow(["table", "month", "region", "language", "topic_or_outcome", "count", "median_wait_minutes",
                     "p90_wait_minutes"])
    for row in tables.get("answers", []):
        writer.writerow(["answers", row["month"], "", row["language"], row["topic"], row["count"], "", ""])
    for row in tables.get("handoffs", []):
        writer.writerow(["handoffs", row["month"], row["region"], row["language"], "chats", row["chats"],
                         row["median_wait_minutes"] if row["median_wait_minutes"] is not None else "",
                         row["p90_wait_minutes"] if row["p90_wait_minutes"] is not None else ""])
        for outcome, n in row["outcomes"].items():
            writer.writerow(["handoffs", row["month"], row["region"], row["language"], outcome, n, "", ""])
        writer.writerow(["handoffs", row["month"], row["region"], row["language"], "reopened", row["reopened"], "", ""])
    for row in tables.get("reports", []):
        writer.writerow(["reports", row["month"], row["region"], "", row["category"], row["count"], "", ""])
