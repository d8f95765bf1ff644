"""Reports of abuse (misstanden): made in the chat (actions/reports.py), handled by WIN-punt staff (the console).

Every function takes the caller's ``Session`` and never commits. Free texts are encrypted with the same
:class:`~core.privacy.Vault` as messages. An anonymous report keeps only what the reporter wrote, its region and
its day (see :class:`core.db.models.Report`); :func:`forget_messages` removes the chat messages that carried the
report, so the report cannot be matched to the reporter through their stored messages either.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session

from core.db.models import InboundMessage, Report, ReportEvent, ReportStatus
from core.folding import fold
from core.formatting import AMSTERDAM
from core.privacy import Vault

#: The Labour Authority's signs of labour exploitation, as report categories (stable ids, labels in
#: core/content/report_messages.py).
CATEGORIES: tuple[str, ...] = ("wages", "hours", "unsafe", "housing", "papers", "debts", "violence", "other")
#: Categories that are danger signs: the report is urgent and the chat goes to a person first.
DANGER_CATEGORIES = frozenset({"papers", "violence"})

#: No 0/O, 1/I/L: a code read aloud or typed on a phone cannot be mistaken.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 7
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{3})[\s-]?([A-Za-z0-9]{4})(?![A-Za-z0-9])")
#: The reporter's own words are stored up to this length (a chat message is at most 2000 characters).
MAX_TEXT = 2000

#: Folded stems (a word starting with one counts) and phrases (with a space: found anywhere) that signal danger in
#: what someone writes: violence, threats, someone hurt, locked in, trafficking. Cyrillic is folded to Latin
#: (core.folding), so "б'ють" is "biut".
_DANGER_STEMS = frozenset({
    # en
    "beat", "hurt", "injur", "knife", "kill", "threat", "locked", "trafficking", "forced",
    # nl
    "geslagen", "bedreig", "gewond", "vermoord", "opgesloten", "mensenhandel", "gedwongen",
    # pl
    "bije", "pobil", "grozi", "groza", "grozb", "ranny", "noz", "zabij", "zamkn", "zmusza",
    # ro
    "batut", "ameninta", "ranit", "cutit", "omoar", "incuiat", "fortat",
    # bg
    "biiat", "zaplash", "ranen", "nozh", "ubiiat", "zakliuch", "prinud",
    # uk
    "biut", "pobiv", "pogroz", "poranen", "nizh", "vbiti", "vbiut", "zamknul", "zmushu",
})
_DANGER_PHRASES = ("hit me", "can't leave", "cant leave", "not allowed to leave", "handel ludzmi",
                   "nie moge wyjsc", "trafic de persoane", "bie me", "trafik na hora", "torgivlia liud")


def generate_code() -> str:
    """A fresh reference like "K7M-4QX2": 7 characters, at least one digit and one letter (so :func:`find_code`
    tells it from a word); about 24 billion possibilities, not guessable by trying."""
    while True:
        raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(_CODE_LENGTH))
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return f"{raw[:3]}-{raw[3:]}"


def normalise_code(text: str) -> str | None:
    """"k7m 4qx2", "K7M4QX2", "K7M-4QX2" -> "K7M-4QX2"; anything else -> None."""
    raw = re.sub(r"[\s-]", "", text or "").upper()
    if len(raw) != _CODE_LENGTH or any(c not in REFERENCE_ALPHABET for c in raw):
        return None
    return f"{raw[:3]}-{raw[3:]}"


def find_code(text: str) -> str | None:
    """The first report code in a message ("status K7M-4QX2", "mój kod: k7m4qx2")."""
    for match in _CODE_IN_TEXT.finditer(text or ""):
        code = normalise_code(match.group(1) + match.group(2))
        # A code has digits and letters both; "status" or "raport" alone is a word, not a code.
        if code and any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code
    return None


def bare_code(text: str) -> str | None:
    """The code when a message is nothing but a report code ("k7m-4qx2", "#K7M 4QX2."), else None.

    The gateway sends such a message to Rasa as a status request: to the classifier a code is random letters
    that it may read as any topic (and to language detection as any language)."""
    core = (text or "").strip().strip(".,!?:;#\"'()[]").strip()
    if len(core) > _CODE_LENGTH + 2:
        return None
    return find_code(core)


def without_codes(text: str) -> str:
    """The message without its report codes: random letters that language detection would read as any language
    ("статус 6uu-jza4" came out Ukrainian for a Bulgarian user)."""

    def drop(match: re.Match[str]) -> str:
        return " " if find_code(match.group(0)) else match.group(0)

    return _CODE_IN_TEXT.sub(drop, text or "")


def has_danger_words(text: str) -> bool:
    folded = fold(text or "")
    if any(phrase in folded for phrase in _DANGER_PHRASES):
        return True
    return any(word.startswith(stem) for word in re.findall(r"[a-z']+", folded) for stem in _DANGER_STEMS)


def is_urgent(categories: Iterable[str]) -> bool:
    return any(c in DANGER_CATEGORIES for c in categories)


def today_in_amsterdam() -> dt.date:
    return dt.datetime.now(AMSTERDAM).date()


@dataclass(frozen=True)
class ReportTexts:
    """A report's free texts, decrypted."""

    place: str | None
    employer: str | None
    since: str | None
    description: str | None


def _seal(vault: Vault, text: str | None) -> str | None:
    text = (text or "").strip()[:MAX_TEXT]
    return vault.encrypt(text) if text else None


def _open(vault: Vault, token: str | None) -> str | None:
    return vault.decrypt(token) if token else None


def create_report(
    db: Session,
    vault: Vault,
    *,
    categories: Sequence[str],
    place: str | None = None,
    employer: str | None = None,
    since: str | None = None,
    description: str | None = None,
    region: str | None = None,
    anonymous: bool = True,
    user_id: str | None = None,
    language: str | None = None,
    urgent: bool = False,
    today: dt.date | None = None,
) -> Report:
    """Store a new report (flushed, not committed). An anonymous report drops ``user_id`` and ``language``."""
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown report categories: {unknown}")
    if not anonymous and not user_id:
        raise ValueError("a report with contact needs the reporter's pseudonym")
    report = Report(
        code=_unused_code(db),
        categories=",".join(dict.fromkeys(categories)),
        region=region or None,
        place_encrypted=_seal(vault, place),
        employer_encrypted=_seal(vault, employer),
        since_encrypted=_seal(vault, since),
        description_encrypted=_seal(vault, description),
        anonymous=anonymous,
        user_id=None if anonymous else user_id,
        language=None if anonymous else language,
        status=ReportStatus.NEW,
        urgent=urgent or is_urgent(categories),
        created_on=today or today_in_amsterdam(),
    )
    db.add(report)
    db.flush()
    if not anonymous:
        # A timed "created" row would date an anonymous report finer than its day: only reports with contact.
        db.add(ReportEvent(report_id=report.id, actor="user", action="created", to_status=ReportStatus.NEW.value))
        db.flush()
    return report


def _unused_code(db: Session) -> str:
    for _ in range(20):
        code = generate_code()
        if db.scalar(select(Report.id).where(Report.code == code)) is None:
            return code
    raise RuntimeError("no free report code found in 20 tries")  # 27 billion codes: practically impossible


def get_by_code(db: Session, code: str) -> Report | None:
    normal = normalise_code(code)
    return db.scalar(select(Report).where(Report.code == normal)) if normal else None


def texts(report: Report, vault: Vault) -> ReportTexts:
    return ReportTexts(
        place=_open(vault, report.place_encrypted),
        employer=_open(vault, report.employer_encrypted),
        since=_open(vault, report.since_encrypted),
        description=_open(vault, report.description_encrypted),
    )


def categories_of(report: Report) -> list[str]:
    return [c for c in report.categories.split(",") if c]


#: ``region`` value of :func:`list_reports` and :func:`export_csv` for reports without a region.
NATIONAL = "national"


def list_reports(
    db: Session,
    region: str | None = None,
    status: ReportStatus | str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Report]:
    """Reports, urgent first, then newest. ``region=None``: every region; ``NATIONAL``: those without one."""
    query = select(Report)
    if region == NATIONAL:
        query = query.where(Report.region.is_(None))
    elif region is not None:
        query = query.where(Report.region == region)
    if status is not None:
        query = query.where(Report.status == ReportStatus(status))
    if category is not None:
        query = query.where((literal(",") + Report.categories + literal(",")).contains(f",{category},"))
    query = query.order_by(Report.urgent.desc(), Report.created_on.desc(), Report.id.desc())
    return list(db.scalars(query.limit(limit).offset(offset)))


def change_status(
    db: Session, report: Report, status: ReportStatus | str, actor: str, note: str | None = None,
    vault: Vault | None = None,
) -> ReportEvent:
    """Move a report to ``status`` and write who did it in the audit log (a note needs the vault)."""
    new = ReportStatus(status)
    if note and vault is None:
        raise ValueError("a note is stored encrypted: pass the vault")
    event = ReportEvent(
        report_id=report.id, actor=actor, action="status", from_status=report.status.value, to_status=new.value,
        note_encrypted=_seal(vault, note) if vault is not None else None,
    )
    report.status = new
    db.add(event)
    db.flush()
    return event


def status_for_user(db: Session, code: str) -> ReportStatus | None:
    """The status a reporter may see for their code (nothing else about the report)."""
    report = get_by_code(db, code)
    return report.status if report is not None else None


EXPORT_COLUMNS = ("code", "created_on", "region", "categories", "status", "urgent", "anonymous",
                  "place", "employer", "since", "description")


def export_csv(db: Session, vault: Vault, region: str | None, stream: TextIO) -> int:
    """The reports of ``region`` (None: all, ``NATIONAL``: without region) as CSV; returns the rows written.

    Only what the reporters wrote in their reports: no pseudonyms, languages or staff notes.
    """
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    count, offset = 0, 0
    while True:
        batch = list_reports(db, region=region, limit=500, offset=offset)
        for report in batch:
            t = texts(report, vault)
            writer.writerow([
                report.code, report.created_on.isoformat(), report.region or NATIONAL, report.categories,
                report.status.value, "yes" if report.urgent else "no", "yes" if report.anonymous else "no",
                _csv_safe(t.place), _csv_safe(t.employer), _csv_safe(t.since), _csv_safe(t.description),
            ])
        count += len(batch)
        if len(batch) < 500:
            return count
        offset += 500


def _csv_safe(text: str | None) -> str:
    """User text opened in a spreadsheet must not run as a formula (CSV injection)."""
    text = text or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def count_by_category(db: Session) -> dict[str, int]:
    """Reports per category (aggregates for monitoring; never content)."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for value, n in db.execute(select(Report.categories, func.count()).group_by(Report.categories)):
        for category in (value or "").split(","):
            if category in counts:
                counts[category] += n
    return counts


def forget_messages(db: Session, vault: Vault, user_id: str, since: dt.datetime,
                    only_containing: str | None = None) -> int:
    """Delete the user's stored chat messages since ``since`` (those that carried a report's answers, or a
    status question with its code: ``only_containing``). Returns how many were deleted.

    The messages are stored to answer them when Rasa is down; once the report is stored (or cancelled) they have
    done their job, and keeping them would tie an anonymous report to its reporter.
    """
    rows = db.execute(
        select(InboundMessage.id, InboundMessage.text_encrypted)
        .where(InboundMessage.user_id == user_id, InboundMessage.received_at >= since)
    ).all()
    ids = []
    for message_id, token in rows:
        if only_containing is not None:
            try:
                text = vault.decrypt(token)
            except ValueError:
                continue
            if normalise_code(only_containing) != find_code(text):
                continue
        ids.append(message_id)
    if ids:
        db.execute(delete(InboundMessage).where(InboundMessage.id.in_(ids)))
    return len(ids)
