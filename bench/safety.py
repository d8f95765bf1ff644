"""The safety layer, measured (reports/safety.md): recall and false alarms of the danger recogniser
(core/safety.py) on the labelled set per language, alarms on the training data per intent, the chit-chat check
(core/chitchat.py) on held-out examples and on the issue's examples, and the time per message. Prints tables."""

from __future__ import annotations

import hashlib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import chitchat  # noqa: E402
from core.safety import DANGER_LANGUAGES, danger  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "danger" / "messages.yml"
#: Hold-out sets, written blind to the patterns (holdout-<n>.yml), one table each.
HOLDOUTS = sorted((ROOT / "tests" / "data" / "danger").glob("holdout-*.yml"))
#: Examples the issue reports the chit-chat intents swallowing, and others like them.
SWALLOWED = ["nowhere to sleep tonight", "ik heb vannacht nergens om te slapen", "nu am unde sa dorm la noapte",
             "нямам къде да спя тази нощ", "мені нема де спати сьогодні", "nie mam gdzie spać dzisiaj",
             "ne iskam veche da jiveq", "thanks, but when do I get my vakantiegeld?",
             "hi, how do I get a BSN?", "dzień dobry, szef nie płaci mi od miesiąca"]


def _table(heading: str, sets: dict[str, tuple[dict[str, list[str]], list[str]]]) -> None:
    """Per language: danger messages recognised and of the right kind, and false alarms on the safe look-alikes."""
    print(f"| {heading} | danger messages | recognised | right kind | safe look-alikes | false alarms |")
    print("|---|---:|---:|---:|---:|---:|")
    totals: Counter[str] = Counter()
    for lang in DANGER_LANGUAGES:
        by_kind, safe = sets[lang]
        cases = [(kind, text) for kind, texts in by_kind.items() for text in texts]
        found = [danger(text, lang) for _, text in cases]
        row = Counter(n=len(cases), hit=sum(f is not None for f in found),
                      kind=sum(f == k for f, (k, _) in zip(found, cases, strict=True)),
                      safe=len(safe), alarms=sum(danger(t, lang) is not None for t in safe))
        totals.update(row)
        print(f"| {lang} | {row['n']} | {row['hit']} | {row['kind']} | {row['safe']} | {row['alarms']} |")
    print(f"| all | {totals['n']} | {totals['hit']} ({100 * totals['hit'] / totals['n']:.0f} %) | {totals['kind']} |"
          f" {totals['safe']} | {totals['alarms']} ({100 * totals['alarms'] / max(totals['safe'], 1):.0f} %) |")


def labelled() -> None:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    _table("language", {lang: (data[lang]["danger"], data[lang]["safe"]) for lang in DANGER_LANGUAGES})


def holdout(path: Path) -> None:
    """A hold-out set (per language: danger messages by kind, and ``safe`` look-alikes), written blind to the
    patterns. Once a set's misses have been used to widen the lists it is no longer blind; its header says so."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    print()
    _table(f"{path.name} (written blind; its header says what was tuned on it later)",
           {lang: ({k: v for k, v in data[lang].items() if k != "safe"}, data[lang].get("safe", []))
            for lang in DANGER_LANGUAGES})


def training_data() -> None:
    examples = chitchat.training_examples(ROOT / "nlu")
    per_intent: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for intent, text in examples:
        per_intent[intent] += 1
        alarms[intent] += danger(text) is not None
    print("\n| intent (training examples) | examples | seen as danger |")
    print("|---|---:|---:|")
    for intent in sorted(per_intent, key=lambda i: -alarms[i]):
        share = 100 * alarms[intent] / per_intent[intent]
        print(f"| {intent} | {per_intent[intent]} | {alarms[intent]} ({share:.1f} %) |")


def chitchat_held_out() -> None:
    examples = chitchat.training_examples(ROOT / "nlu")

    def held_out(text: str) -> bool:
        return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 5 == 0

    words = frozenset(chitchat.build_words(e for e in examples if not held_out(e[1])))
    test = [e for e in examples if held_out(e[1])]
    others = chitchat.CHITCHAT_INTENTS | {"out_of_scope", "change_language"}
    kinds = {"chit-chat (greet, goodbye, thanks)": [t for i, t in test if i in chitchat.CHITCHAT_INTENTS],
             "topic questions": [t for i, t in test if i not in others]}
    print("\n| held-out examples (20 %, words built from the other 80 %) | examples | taken as chit-chat |")
    print("|---|---:|---:|")
    for name, texts in kinds.items():
        n = sum(chitchat.is_chitchat(t, words) for t in texts)
        print(f"| {name} | {len(texts)} | {n} ({100 * n / len(texts):.1f} %) |")
    print("\n| message the chit-chat intents used to swallow | taken as chit-chat now |")
    print("|---|---|")
    for text in SWALLOWED:
        print(f"| {text} | {'yes' if chitchat.is_chitchat(text) else 'no'} |")


def timing() -> None:
    texts = [t for _, t in chitchat.training_examples(ROOT / "nlu")][:3000]
    danger("warm up")
    timings = []
    for text in texts:
        start = time.perf_counter()
        danger(text)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"\ndanger(): p50 {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms "
          f"per message ({len(texts)} messages)")


if __name__ == "__main__":
    labelled()
    for path in HOLDOUTS:
        holdout(path)
    training_data()
    chitchat_held_out()
    timing()
