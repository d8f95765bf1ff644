"""Place resolution and nearest-help-point lookup: latency over every postcode and place name, and how many
place names from nl_places.csv resolve to themselves. Prints a table."""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.db.migrate import upgrade  # noqa: E402
from core.db.session import make_engine, make_session_factory  # noqa: E402
from core.folding import fold  # noqa: E402
from core.geo import GEODATA  # noqa: E402
from core.helppoints.registry import seed_if_empty  # noqa: E402
from core.helppoints.search import find_help  # noqa: E402
from core.locate import locate  # noqa: E402
from core.places import Gazetteer  # noqa: E402


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    return f"p50 {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms"


def main() -> None:
    gazetteer = Gazetteer.load()
    with open(GEODATA / "nl_places.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["type"] in ("place", "municipality")]
    names = sorted({r["name"] for r in rows})
    postcodes = sorted(gazetteer.postcodes)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with sessions() as db:
            seed_if_empty(db)
            db.commit()
        resolve_ms, nearest_ms, resolved_to_self = [], [], 0
        with sessions() as db:
            for query in [*postcodes, *names]:
                started = time.perf_counter()
                located = locate(gazetteer, query)
                resolve_ms.append((time.perf_counter() - started) * 1000)
                if located is None:
                    continue
                if not query.isdigit() and any(fold(s.name) == fold(query) for s in located.spots):
                    resolved_to_self += 1
                started = time.perf_counter()
                find_help(db, located.spot)
                nearest_ms.append((time.perf_counter() - started) * 1000)
        engine.dispose()

    table = [
        ("what", "input", "result"),
        ("place/postcode resolution", f"{len(postcodes)} postcodes + {len(names)} names", percentiles(resolve_ms)),
        ("nearest help points", f"{len(nearest_ms)} resolved places", percentiles(nearest_ms)),
        ("names resolving to themselves", f"{len(names)} names", f"{resolved_to_self / len(names):.1%}"),
    ]
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
