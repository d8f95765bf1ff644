"""The `winbot` command: run the stack or a worker, train, understand messages, migrate, evaluate, jobs."""

from __future__ import annotations

import argparse
import json
import os
import sys

import httpx

from bot import cli_jobs, cli_ops, cli_staff
from core.settings import Settings


def _understand(url: str) -> int:
    # From another machine the gateway wants the API token (from this one it is not needed, but harmless).
    token = os.environ.get("WINBOT_API_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(timeout=30, headers=headers) as client:
        for line in sys.stdin:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            try:
                response = client.post(f"{url}/api/understand", json={"text": text})
            except httpx.ConnectError:
                print(f"winbot is not running at {url}: start it with `make run` (or set WINBOT_URL)", file=sys.stderr)
                return 2
            if response.status_code != 200:
                print(f"winbot could not understand {text!r}: {response.text}", file=sys.stderr)
                return 1
            print(json.dumps(response.json(), ensure_ascii=False), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="winbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate, train if needed, start Rasa, actions and the gateway")
    train = sub.add_parser("train", help="train the model if the training data changed")
    train.add_argument("--force", action="store_true", help="train even if a model for this data exists")
    understand = sub.add_parser("understand", help="one message per line on stdin -> one JSON object per line")
    understand.add_argument("--url", default=None, help="gateway URL (default: WINBOT_URL or http://127.0.0.1:PORT)")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("worker", help="run the background jobs (answer Telegram and WhatsApp messages, send "
                                  "announcements); "
                                  "`winbot run` starts one")
    cli_ops.register(sub)
    cli_jobs.register(sub)
    cli_staff.register(sub)
    sub.add_parser("eval", help="evaluate the NLU on held-out data, per language (writes reports/); "
                                "`winbot eval --help` for its options")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        from bot.evaluation import main as evaluate

        return evaluate(argv[1:])
    args = parser.parse_args(argv)

    if args.command == "understand":
        url = args.url or os.environ.get("WINBOT_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8080')}"
        return _understand(url.rstrip("/"))
    if args.command == "train":
        from bot.training import ensure_model

        ensure_model(force=args.force)
        return 0
    settings = Settings.from_env()
    if args.command in cli_ops.COMMANDS:
        return cli_ops.run(args, settings)
    if args.command == "jobs":
        return cli_jobs.run(args, settings)
    if args.command == "staff":
        return cli_staff.run(args, settings)
    if args.command == "worker":
        from bot.worker import main as worker

        return worker(settings)
    if args.command == "db":
        from core.db.migrate import upgrade

        upgrade(settings.database_url)
        print("database is up to date")
        return 0
    from bot.supervisor import run

    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
