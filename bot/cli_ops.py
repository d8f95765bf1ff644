"""Operator commands: `winbot points`, `winbot locations`, `winbot visits`, `winbot announcements` (the staff
console's Visits page, bot/staff_visits.py, calls the same services).

    winbot points import FILE.csv        validate, then add/update by code (a bad row: nothing changes)
    winbot points export [--output F]    the same columns, to stdout or a file
    winbot points seed                   load core/geodata/help_points.csv into an empty registry
    winbot locations import FILE.csv / export [--output F]
    winbot visits add --location CODE --start 2026-12-08T17:00 --end 2026-12-08T19:00 --team NAME
                      [--languages pl,ro] [--topics housing,work] [--note TEXT --note-languages pl]
                      [--announce-at 2026-12-07T10:00 | --hold]
    winbot visits list [--location CODE] [--weeks N] [--all]
    winbot visits change ID [--start ...] [--end ...] [--team ...] [--languages ...] [--topics ...] [--note ...]
    winbot visits cancel ID [--note TEXT]
    winbot announcements preview ID [--kind announcement|reminder|change|cancellation]
    winbot announcements send ID [--at TIME]      send a held announcement now, or schedule it
    winbot announcements status [ID]              the outbox per visit by message, channel, language and status

Adding, changing and cancelling a visit tells its subscribers (as the staff console does): the announcement (now,
at --announce-at, or with --hold not yet), a change notice, a cancellation; reminders follow by themselves. A
worker (`winbot worker`, or the gateway's own) sends them.

Times with an offset are taken as they are; without one they are Europe/Amsterdam local time. They are
stored in UTC.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, TextIO

from core.settings import Settings

if TYPE_CHECKING:  # the services load the gazetteer's modules (spaCy): imported only when a command runs
    import datetime as dt

    from sqlalchemy.orm import Session

    from core.db.models import MobileTeamVisit
    from core.jobs import Jobs

COMMANDS = ("points", "locations", "visits", "announcements")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    points = subparsers.add_parser("points", help="help point registry: import, export, seed")
    points_sub = points.add_subparsers(dest="action", required=True)
    points_import = points_sub.add_parser("import", help="add or update points from a CSV file (all or nothing)")
    points_import.add_argument("file")
    points_export = points_sub.add_parser("export", help="write every point as CSV")
    points_export.add_argument("--output", "-o", help="file to write (default: stdout)")
    points_sub.add_parser("seed", help="load core/geodata/help_points.csv if the registry is empty")

    locations = subparsers.add_parser("locations", help="housing locations: import, export")
    locations_sub = locations.add_subparsers(dest="action", required=True)
    locations_import = locations_sub.add_parser("import", help="add or update locations from a CSV file")
    locations_import.add_argument("file")
    locations_export = locations_sub.add_parser("export", help="write every location as CSV")
    locations_export.add_argument("--output", "-o", help="file to write (default: stdout)")
    locations_qr = locations_sub.add_parser("qr", help="write the location's QR code (PNG and SVG) for printing")
    locations_qr.add_argument("code")
    locations_qr.add_argument("--out-dir", default=".", help="folder for <code>.png and <code>.svg")
    locations_qr.add_argument("--channel", choices=["telegram", "whatsapp", "web"], default=None,
                              help="where the code leads (default: Telegram if TELEGRAM_BOT_USERNAME is set, else web)")

    visits = subparsers.add_parser("visits", help="mobile-team visits: add, list, change, cancel")
    visits_sub = visits.add_subparsers(dest="action", required=True)
    add = visits_sub.add_parser("add", help="plan a visit (times: ISO, Amsterdam time unless an offset is given)")
    add.add_argument("--location", required=True, help="housing location code")
    add.add_argument("--start", required=True, help="e.g. 2026-12-08T17:00")
    add.add_argument("--end", required=True, help="e.g. 2026-12-08T19:00")
    add.add_argument("--team", required=True)
    add.add_argument("--languages", default="", help="ISO 639-1 codes, e.g. pl,ro")
    add.add_argument("--topics", default="", help="e.g. housing,work (or the bot's topic ids)")
    add.add_argument("--note", help="a free note for residents (sent only in --note-languages)")
    add.add_argument("--note-languages", help="the language(s) the note is written in, e.g. pl (no translation)")
    when = add.add_mutually_exclusive_group()
    when.add_argument("--announce-at", help="send the announcement at this time instead of now")
    when.add_argument("--hold", action="store_true", help="do not announce yet (`winbot announcements send`)")
    listing = visits_sub.add_parser("list", help="upcoming visits, in Amsterdam time")
    listing.add_argument("--location", help="housing location code")
    listing.add_argument("--weeks", type=float, default=8, help="how far ahead (default 8)")
    listing.add_argument("--all", action="store_true", help="include cancelled visits")
    change = visits_sub.add_parser("change", help="change a visit (its status becomes 'changed')")
    change.add_argument("id", type=int)
    change.add_argument("--start")
    change.add_argument("--end")
    change.add_argument("--team")
    change.add_argument("--languages")
    change.add_argument("--topics")
    change.add_argument("--note", help="'' removes it")
    change.add_argument("--note-languages")
    cancel = visits_sub.add_parser("cancel", help="cancel a visit (whoever was told gets a cancellation)")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--note", help="why (for operators; sent to residents only with --note-languages)")
    cancel.add_argument("--note-languages")

    announcements = subparsers.add_parser("announcements", help="visit announcements: preview, send, status")
    announcements_sub = announcements.add_subparsers(dest="action", required=True)
    preview = announcements_sub.add_parser("preview", help="the message in all six languages, and who gets it")
    preview.add_argument("id", type=int)
    preview.add_argument("--kind", choices=["announcement", "reminder", "change", "cancellation"],
                         default="announcement")
    send = announcements_sub.add_parser("send", help="send a held announcement now (or --at a time)")
    send.add_argument("id", type=int)
    send.add_argument("--at", help="e.g. 2026-12-07T10:00 (Amsterdam time unless an offset is given)")
    status = announcements_sub.add_parser("status", help="delivery per visit: message, channel, language, status")
    status.add_argument("id", type=int, nargs="?")


def run(args: argparse.Namespace, settings: Settings, stdout: TextIO | None = None) -> int:
    """Run one operator command against the configured database; 0 on success, 1 on bad input."""
    from core.csvio import CsvImportError
    from core.db.migrate import upgrade
    from core.db.session import make_engine, make_session_factory
    from core.locations import LocationError

    out = stdout or sys.stdout
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            try:
                code = _dispatch(args, session, out, settings)
            except (CsvImportError, LocationError) as exc:
                session.rollback()
                print(f"error: {exc}" if isinstance(exc, LocationError) else f"rejected, nothing changed:\n{exc}",
                      file=sys.stderr)
                return 1
            except OSError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            session.commit()
            return code
    finally:
        engine.dispose()


def _dispatch(args: argparse.Namespace, session: Session, out: TextIO, settings: Settings) -> int:
    from core import locations
    from core.helppoints import registry

    if args.command in ("points", "locations"):
        importer = registry.import_points if args.command == "points" else locations.import_locations
        exporter = registry.export_points if args.command == "points" else locations.export_locations
        if args.action == "import":
            with open(args.file, encoding="utf-8-sig", newline="") as fh:
                result = importer(session, fh)
            print(f"{args.command}: {result}", file=out)
        elif args.action == "export":
            with open(args.output, "w", encoding="utf-8", newline="") if args.output else nullcontext(out) as fh:
                count = exporter(session, fh)
            if args.output:
                print(f"{count} {args.command} written to {args.output}", file=out)
        elif args.action == "qr":
            return _qr(args, session, out, settings)
        elif args.action == "seed":
            added = registry.seed_if_empty(session)
            print(f"points: {added} added from the seed" if added else "points: the registry is not empty; "
                  "nothing added (use `winbot points import` to update it)", file=out)
        return 0
    if args.command == "announcements":
        return _announcements(args, session, out, settings)
    return _visits(args, session, out, settings)


def _jobs(settings: Settings) -> Jobs:
    """The job registry of a process that plans announcements (a worker sends them)."""
    from core.announcements import register_fanout
    from core.jobs import Jobs
    from core.privacy import Vault
    from core.reminders import parse_reminders

    jobs = Jobs(Vault(settings.encryption_key))
    register_fanout(jobs, parse_reminders(settings.visit_reminders))
    return jobs


def _qr(args: argparse.Namespace, session: Session, out: TextIO, settings: Settings) -> int:
    from pathlib import Path

    from core import locations as loc
    from core.qr import QrError, link_for, write_qr

    location = loc.get_location(session, args.code)
    if location is None:
        raise loc.LocationError(f"no housing location with code {args.code!r} (see `winbot locations export`)")
    try:
        link = link_for(location.code, args.channel, telegram_bot=settings.telegram_bot_username,
                        whatsapp_number=settings.whatsapp_display_number, public_url=settings.public_url)
    except QrError as exc:
        raise loc.LocationError(str(exc)) from None
    png, svg = write_qr(location.code, link, location.name, Path(args.out_dir))
    print(f"QR code for {location.name} ({link}) written to {png} and {svg}", file=out)
    return 0


def _visits(args: argparse.Namespace, session: Session, out: TextIO, settings: Settings) -> int:
    from core import announcements as ann
    from core import locations as loc
    from core.formatting import format_datetime

    def when(value: str | None) -> dt.datetime | None:
        return loc.parse_local_datetime(value) if value else None

    if args.action == "add":
        visit = ann.plan_visit(session, _jobs(settings), args.location, loc.parse_local_datetime(args.start),
                               loc.parse_local_datetime(args.end), args.team, languages=args.languages,
                               topics=args.topics, note=args.note, note_languages=args.note_languages,
                               announce=not args.hold, announce_at=when(args.announce_at))
        print(f"visit {visit.id} planned: {_describe(visit)}", file=out)
        if visit.announce_at is None:
            print(f"not announced yet: `winbot announcements send {visit.id}`", file=out)
        else:
            print(f"announcement to {_count(session, visit.id)} at {format_datetime(visit.announce_at, 'en', 'short')}",
                  file=out)
    elif args.action == "change":
        visit = ann.edit_visit(session, _jobs(settings), args.id, starts_at=when(args.start), ends_at=when(args.end),
                               team=args.team, languages=args.languages, topics=args.topics, note=args.note,
                               note_languages=args.note_languages)
        print(f"visit {visit.id} {visit.status.value}: {_describe(visit)}", file=out)
    elif args.action == "cancel":
        visit = ann.cancel_visit(session, _jobs(settings), args.id, note=args.note, note_languages=args.note_languages)
        print(f"visit {visit.id} cancelled: {_describe(visit)}", file=out)
    elif args.action == "list":
        visits = loc.upcoming_visits(session, args.location, weeks=args.weeks, include_cancelled=args.all)
        for visit in visits:
            print(f"{visit.id:>5}  {visit.status.value:<9}  {_describe(visit)}", file=out)
        if not visits:
            print("no upcoming visits", file=out)
    return 0


def _describe(visit: MobileTeamVisit) -> str:
    """One line for operators, times in Amsterdam (English dates: operators read the terminal in English)."""
    from core.formatting import format_time_range

    details = [f"{visit.location.code} ({visit.location.name})",
               format_time_range(visit.starts_at, visit.ends_at, "en"), visit.team]
    if visit.languages:
        details.append(f"languages {visit.languages}")
    if visit.topics:
        details.append(f"topics {visit.topics}")
    if visit.note:
        details.append(f"note: {visit.note}")
    return " | ".join(details)


def _count(session: Session, visit_id: int, kind: str = "announcement") -> str:
    from core.announcements import recipient_counts
    from core.db.models import OutboxKind

    total = sum(recipient_counts(session, visit_id, OutboxKind(kind)).values())
    return f"{total} subscriber(s)"


def _announcements(args: argparse.Namespace, session: Session, out: TextIO, settings: Settings) -> int:
    from core import announcements as ann
    from core import locations as loc
    from core.db.models import OutboxKind
    from core.formatting import format_datetime

    if args.action == "preview":
        kind = OutboxKind(args.kind)
        visit = loc.get_visit(session, args.id)
        print(f"visit {visit.id}: {_describe(visit)}", file=out)
        counts = ann.recipient_counts(session, args.id, kind)
        print(f"{kind.value} would go to {sum(counts.values())} resident(s) now:", file=out)
        for (channel, language), n in sorted(counts.items()):
            print(f"  {channel:<9} {language}  {n}", file=out)
        for language, reply in ann.preview(session, args.id, kind).items():
            print(f"\n--- {language} ---\n{reply.text}", file=out)
            print("  [" + "] [".join(b.title for b in reply.buttons) + "]", file=out)
    elif args.action == "send":
        at = loc.parse_local_datetime(args.at) if args.at else None
        visit = ann.schedule_announcement(session, _jobs(settings), args.id, at)
        assert visit.announce_at is not None
        print(f"visit {visit.id}: announcement to {_count(session, visit.id)} at "
              f"{format_datetime(visit.announce_at, 'en', 'short')}", file=out)
    elif args.action == "status":
        lines = ann.delivery_status(session, args.id)
        if not lines:
            print("nothing in the outbox" + (f" for visit {args.id}" if args.id else ""), file=out)
        shown = None
        for line in lines:
            if line.visit_id != shown:
                shown = line.visit_id
                print(f"visit {line.visit_id}: {_describe(loc.get_visit(session, line.visit_id))}", file=out)
                print(f"  {'message':<13} {'channel':<9} {'lang':<5} {'status':<10} {'count':>6}", file=out)
            print(f"  {line.kind:<13} {line.channel:<9} {line.language:<5} {line.status:<10} {line.count:>6}",
                  file=out)
    return 0
