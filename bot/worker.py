"""`winbot worker`: run the background jobs (answer queued Telegram and WhatsApp messages, send visit
announcements, housekeeping).

Start as many as needed, on as many machines as needed: each job is done by one of them. ``winbot run`` starts
and supervises one. SIGTERM or Ctrl-C: running jobs get a few seconds to finish, the rest go back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.runtime import build_runtime
from core.settings import Settings

log = logging.getLogger("winbot.worker")


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    runtime = build_runtime(settings, receive=False, answer=True)
    worker = runtime.worker()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    runtime.channels.start()
    worker.start()
    log.info("worker %s running queues %s", worker.name, ", ".join(worker.queues))
    try:
        await stop.wait()
    finally:
        log.info("worker %s stopping", worker.name)
        await worker.stop()
        await runtime.aclose()


def main(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.require_production_keys()
    asyncio.run(serve(settings))
    return 0
