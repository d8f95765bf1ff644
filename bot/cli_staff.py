"""`winbot staff`: console accounts. There are no default passwords.

    printf '%s' "$PASSWORD" | winbot staff add USERNAME --role staff --region Noord-Limburg --password-stdin
    winbot staff add ADMIN --role admin --password-stdin       (no region: every region)
    winbot staff list
    winbot staff disable USERNAME                               (and ends their sessions)
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from core.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = subparsers.add_parser("staff", help="staff console accounts: add, list, disable")
    sub = staff.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add an account (the password is read from standard input)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["staff", "mobile_team", "admin"])
    add.add_argument("--region", help="labour-market region of their WIN-punt (required for staff)")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input (never from the command line)")
    sub.add_parser("list", help="list the accounts")
    disable = sub.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("username")


def run(args: argparse.Namespace, settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    from core import staff
    from core.db.models import StaffRole
    from core.db.session import make_engine, make_session_factory
    from core.regions import RegionTable

    out = stdout or sys.stdout
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            if args.action == "list":
                for user in staff.list_staff(db):
                    state = "active" if user.active else "disabled"
                    print(f"{user.username:24} {user.role.value:12} {user.region or '(all regions)':28} {state}",
                          file=out)
                return 0
            try:
                if args.action == "add":
                    region = None
                    if args.region:
                        region = RegionTable.load().canonical_region(args.region)
                        if region is None:
                            print(f"unknown region {args.region!r}: use a labour-market region name, e.g. "
                                  "Noord-Limburg (see core/geodata/nl_labour_market_regions.csv)", file=sys.stderr)
                            return 2
                    password = (stdin or sys.stdin).readline().rstrip("\r\n")
                    user = staff.add_staff(db, args.username, password, StaffRole(args.role), region)
                    db.commit()
                    print(f"added {user.username} ({user.role.value}, {user.region or 'all regions'})", file=out)
                    return 0
                staff.disable_staff(db, args.username)
                db.commit()
                print(f"disabled {args.username}", file=out)
                return 0
            except staff.StaffError as exc:
                print(f"winbot staff {args.action}: {exc}", file=sys.stderr)
                return 2
    finally:
        engine.dispose()
