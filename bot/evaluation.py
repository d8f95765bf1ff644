"""`make eval`: NLU evaluation on a held-out part of the project's own data, per language.

Every fifth example of each intent and language (chosen by a stable hash of its text, so the split is the
same on every machine) is held out. A model is trained on the rest with the project's config.yml, served
by a temporary Rasa server, and asked about each held-out example through /model/parse. The report
(reports/nlu-eval.md and .json) gives, per language: intent accuracy, macro F1, the most frequent
confusions, language-detection accuracy, and entity F1 on the labelled place/postcode set in
tests/data/places/.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import yaml

from bot.training import rasa_bin
from core.i18n import LANGUAGES
from core.language import detect
from core.nlu_text import for_nlu
from core.places import Gazetteer
from core.settings import PROJECT_ROOT

HOLDOUT_EVERY = 5
TARGET_ACCURACY = 0.92
MAX_GAP = 0.04
WORK_DIR = PROJECT_ROOT / "var" / "eval"
REPORTS = PROJECT_ROOT / "reports"


def load_examples(root: Path = PROJECT_ROOT) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every training example, language from the nlu/<lang>/ folder."""
    examples = []
    for language in LANGUAGES:
        for path in sorted((root / "nlu" / language).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        examples.append((language, block["intent"], line.strip()[2:]))
    return examples


def is_held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % HOLDOUT_EVERY == 0


def split(examples: list[tuple[str, str, str]]) -> tuple[list, list]:
    train = [e for e in examples if not is_held_out(e[2])]
    test = [e for e in examples if is_held_out(e[2])]
    return train, test


def write_nlu(examples: list[tuple[str, str, str]], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for _, intent, text in examples:
        by_intent[intent].append(text)
    blocks = [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in by_intent.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False,
                                   width=10_000), encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def entity_scores(gazetteer: Gazetteer, language: str) -> dict[str, float] | None:
    path = PROJECT_ROOT / "tests" / "data" / "places" / f"{language}.yml"
    if not path.exists():
        return None
    tp = fp = fn = 0
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        found = gazetteer.extract(item["text"], language).as_dict()
        for name in ("city", "postcode"):
            gold = item.get(name)
            gold = str(gold) if gold is not None else None
            got = found[name]
            if gold and got == gold:
                tp += 1
            else:
                fp += bool(got)
                fn += bool(gold)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="winbot eval")
    parser.add_argument("--config", default="config.yml", help="pipeline to evaluate (default: config.yml)")
    parser.add_argument("--name", default="nlu-eval", help="report name under reports/")
    args = parser.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    train, test = split(load_examples())
    write_nlu([(language, intent, for_nlu(text)) for language, intent, text in train], WORK_DIR / "train.yml")
    print(f"{len(train)} training and {len(test)} held-out examples", flush=True)
    started = time.monotonic()
    subprocess.run([str(rasa_bin()), "train", "nlu", "--config", args.config, "--nlu", str(WORK_DIR / "train.yml"),
                    "--out", str(WORK_DIR), "--fixed-model-name", args.name], cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    train_seconds = time.monotonic() - started
    port = _free_port()
    server = subprocess.Popen([str(rasa_bin()), "run", "--enable-api", "--model", str(WORK_DIR / f"{args.name}.tar.gz"),
                               "--interface", "127.0.0.1", "--port", str(port)], cwd=WORK_DIR,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(180):
                try:
                    if client.get(f"{url}/status").json().get("model_file"):
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(1)
            results = []
            for language, intent, text in test:
                parsed = client.post(f"{url}/model/parse", json={"text": for_nlu(text)}).json()
                predicted = (parsed.get("intent") or {}).get("name", "").split("/")[0]
                ranking = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
                results.append((language, intent, predicted, text, ranking[0] if ranking else ""))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report = build_report(results, Gazetteer.load(), train_seconds)
    (REPORTS / f"{args.name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (REPORTS / f"{args.name}.md").write_text(render_markdown(report), encoding="utf-8")
    print(render_markdown(report))
    return 0


def build_report(results: list[tuple[str, str, str, str, str]], gazetteer: Gazetteer, train_seconds: float) -> dict:
    per_language: dict[str, dict[str, object]] = {}
    accuracies: list[float] = []
    for language in LANGUAGES:
        rows = [r for r in results if r[0] == language]
        if not rows:
            continue
        pairs = [(gold, predicted) for _, gold, predicted, _, _ in rows]
        confusions = Counter((g, p) for g, p in pairs if g != p)
        detections = [(detect(text), text) for _, _, _, text, _ in rows]
        detected = sum(1 for d, _ in detections if (d.language or "") == language)
        # Messages clear enough to switch a user's language (see core.language): how often they are right.
        clear = [d for d, _ in detections if d.is_clear]
        clear_right = sum(1 for d in clear if d.language == language)
        accuracies.append(sum(g == p for g, p in pairs) / len(pairs))
        per_language[language] = {
            "examples": len(rows),
            "intent_accuracy": accuracies[-1],
            # The classifier's own top intent, before the fallback turns unsure answers into "not understood".
            "top_intent_accuracy": sum(r[1] == r[4] for r in rows) / len(rows),
            "fallback_rate": sum(p == "nlu_fallback" for _, p in pairs) / len(pairs),
            "macro_f1": macro_f1(pairs),
            "confusions": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(5)],
            "errors": [{"text": t, "gold": g, "predicted": p} for _, g, p, t, _ in rows if g != p][:15],
            "language_detection_accuracy": detected / len(rows),
            "language_detection_clear_share": len(clear) / len(rows),
            "language_detection_clear_accuracy": clear_right / len(clear) if clear else 1.0,
            "entities": entity_scores(gazetteer, language),
        }
    return {
        "train_seconds": round(train_seconds, 1),
        "target": {"intent_accuracy": TARGET_ACCURACY, "max_gap": MAX_GAP},
        "meets_target": min(accuracies) >= TARGET_ACCURACY and max(accuracies) - min(accuracies) <= MAX_GAP,
        "languages": per_language,
    }


def render_markdown(report: dict) -> str:
    lines = [
        "# NLU evaluation (held-out 20 % of the project's own data)",
        "",
        f"Training on the other 80 % took {report['train_seconds']} s. Target: at least "
        f"{report['target']['intent_accuracy']:.0%} intent accuracy in every language, no language more than "
        f"{report['target']['max_gap'] * 100:.0f} points below the best. Met: **{report['meets_target']}**.",
        "",
        "| language | examples | intent accuracy | macro F1 | top intent (before fallback) | fallback rate "
        "| language detection (all / clear messages) | entity F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for language, v in report["languages"].items():
        entities = f"{v['entities']['f1']:.1%}" if v["entities"] else "n/a"
        lines.append(f"| {language} | {v['examples']} | {v['intent_accuracy']:.1%} | {v['macro_f1']:.1%} | "
                     f"{v['top_intent_accuracy']:.1%} | {v['fallback_rate']:.1%} | "
                     f"{v['language_detection_accuracy']:.1%} / {v['language_detection_clear_accuracy']:.1%} "
                     f"({v['language_detection_clear_share']:.0%} clear) | {entities} |")
    lines += [
        "",
        "Language detection: share of held-out messages detected as their language; 'clear' messages are those",
        "clear enough to switch a user's language (the others keep the user's current language).",
        "",
        "## Most frequent confusions",
        "",
    ]
    for language, v in report["languages"].items():
        pairs = ", ".join(f"{c['gold']} → {c['predicted']} ({c['count']})" for c in v["confusions"]) or "none"
        lines.append(f"- **{language}**: {pairs}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
