"""`winbot jobs`: what the background jobs are doing, and the dead letters.

    winbot jobs status                 jobs per queue and state
    winbot jobs failed [--json]        the jobs that kept failing (dead letters): id, task, attempts, last error
    winbot jobs retry ID [ID ...]      put dead letters back in their queue with fresh attempts
    winbot jobs retry --all            all of them
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from core.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = subparsers.add_parser("jobs", help="background jobs: status, dead letters, retry")
    sub = jobs.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="jobs per queue and state")
    failed = sub.add_parser("failed", help="list the jobs that kept failing (dead letters)")
    failed.add_argument("--json", action="store_true", help="one JSON object per line")
    failed.add_argument("--limit", type=int, default=100)
    retry = sub.add_parser("retry", help="put dead letters back in their queue")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.add_argument("--all", action="store_true", help="every dead letter")


def run(args: argparse.Namespace, settings: Settings, stdout: TextIO | None = None) -> int:
    from core import jobs
    from core.db.models import JobStatus
    from core.db.session import make_engine, make_session_factory

    out = stdout or sys.stdout
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            if args.action == "status":
                counts = jobs.counts(db)
                if not counts:
                    print("no jobs", file=out)
                for (queue, status), n in sorted(counts.items()):
                    print(f"{queue:12} {status:8} {n:7d}", file=out)
                return 0
            if args.action == "failed":
                failed = jobs.list_jobs(db, JobStatus.FAILED, limit=args.limit)
                if args.json:
                    for info in failed:
                        print(json.dumps(jobs.describe(info)), file=out)
                    return 0
                if not failed:
                    print("no failed jobs", file=out)
                for info in failed:
                    print(f"{info.id:8d}  {info.task:20} {info.queue:10} attempts {info.attempts}/{info.max_attempts}"
                          f"  since {info.created_at:%Y-%m-%d %H:%M} UTC  {info.last_error or ''}", file=out)
                return 0
            if not args.ids and not args.all:
                print("name the jobs to retry (winbot jobs retry ID ...) or use --all", file=sys.stderr)
                return 2
            changed = jobs.retry_failed(db, None if args.all else args.ids)
            db.commit()
            print(f"{changed} job(s) queued again", file=out)
            if args.ids and changed < len(set(args.ids)):
                print("some ids are not failed jobs (see `winbot jobs failed`)", file=sys.stderr)
                return 1
            return 0
    finally:
        engine.dispose()
