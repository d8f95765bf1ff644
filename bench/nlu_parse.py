"""What the trained model costs the Rasa process: loading time, memory and time per parsed message.

Loads the model `make run` uses (models/, see bot/training.py) in the Rasa environment, as `rasa run` does, and
parses held-out examples of every language (as the gateway sends them: with their folded form, core/nlu_text.py)
one at a time. Prints a table. Train first (`make train`), or name a model: `bench/nlu_parse.py models/x.tar.gz`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import is_held_out, load_examples  # noqa: E402
from bot.training import model_path, rasa_bin  # noqa: E402
from core.nlu_text import for_nlu  # noqa: E402

MESSAGES = 400

#: Run by the Rasa environment's Python: argv[1] the model, argv[2] a JSON list of texts; prints a JSON result.
IN_RASA = """
import asyncio, json, statistics, sys, time

def rss_mb():
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) / 1024

async def main():
    from rasa.core.agent import load_agent
    texts = json.loads(open(sys.argv[2], encoding="utf-8").read())
    before = rss_mb()
    started = time.monotonic()
    agent = await load_agent(model_path=sys.argv[1])
    load = time.monotonic() - started
    loaded = rss_mb()
    for text in texts[:20]:
        await agent.parse_message(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(json.dumps({"load_s": load, "model_mb": loaded - before, "rss_mb": rss_mb(),
                      "p50": statistics.median(timings), "p95": timings[int(len(timings) * 0.95)]}))

asyncio.run(main())
"""


def main() -> None:
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else model_path()
    if not model.exists():
        sys.exit(f"no trained model at {model}: run `make train` first")
    texts = [for_nlu(text, language) for language, _, text in load_examples() if is_held_out(text)]
    step = max(1, len(texts) // MESSAGES)
    texts = texts[::step][:MESSAGES]
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(texts, file, ensure_ascii=False)
        file.flush()
        python = rasa_bin().parent / "python"
        done = subprocess.run([str(python), "-c", IN_RASA, str(model), file.name], cwd=ROOT, capture_output=True,
                              text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rows = [
        ("model file", model.name, f"{model.stat().st_size / 1e6:.0f} MB", ""),
        ("loading the model", "rasa.core.agent.load_agent", f"{result['load_s']:.1f} s", ""),
        ("memory of the loaded model", "resident, after - before loading", f"{result['model_mb']:.0f} MB",
         f"process {result['rss_mb']:.0f} MB"),
        ("parse one message", f"{len(texts)} held-out messages",
         f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms", ""),
    ]
    header = ("what", "input", "result", "note")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
