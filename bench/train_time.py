"""How long a full model takes to train on this machine (target: at most 5 minutes on 2 cores).

Trains into a temporary folder so it never replaces the model `make run` uses, and prints a table.
Also times the per-message work the gateway does before Rasa: language detection and place lookup.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_examples  # noqa: E402
from bot.training import prepare_nlu, train_command  # noqa: E402
from core.language import detect  # noqa: E402
from core.places import Gazetteer  # noqa: E402

TARGET_SECONDS = 300


def train_seconds() -> float:
    """A cold training of the whole model as `winbot train` runs it: the same prepared data (nlu/ and
    subquestions/), and an empty Rasa training cache, as on a fresh clone."""
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        prepared = prepare_nlu(target=Path(out) / "nlu")
        subprocess.run(train_command(prepared, Path(out), "bench"), cwd=ROOT, check=True,
                       env={**os.environ, "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - started


def per_message_ms(texts: list[str], func) -> tuple[float, float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        func(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def main() -> None:
    examples = load_examples()
    texts = [text for *_, text in examples]
    gazetteer = Gazetteer.load()
    detect("warm up")
    gazetteer.extract("warm up")
    rows = []
    if os.environ.get("BENCH_SKIP_TRAIN") != "1":
        seconds = train_seconds()
        rows.append(("full model training", f"{len(examples)} examples", f"{seconds:.0f} s",
                     "ok" if seconds <= TARGET_SECONDS else f"over {TARGET_SECONDS} s"))
    p50, p95 = per_message_ms(texts, detect)
    rows.append(("language detection", f"{len(texts)} messages", f"p50 {p50:.2f} ms, p95 {p95:.2f} ms", ""))
    p50, p95 = per_message_ms(texts, gazetteer.extract)
    rows.append(("place/postcode lookup", f"{len(texts)} messages", f"p50 {p50:.2f} ms, p95 {p95:.2f} ms", ""))
    widths = [max(len(str(r[i])) for r in [("what", "input", "result", "target"), *rows]) for i in range(4)]
    for row in [("what", "input", "result", "target"), tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
