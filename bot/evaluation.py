"""`make eval`: NLU evaluation on a held-out part of the project's own data, per language.

Every fifth example of each intent and language (chosen by a stable hash of its text, so the split is the
same on every machine) is held out, from nlu/ and from the sub-question data in subquestions/. A model is
trained on the rest with the project's config.yml, served by a temporary Rasa server, and asked about each
held-out example through /model/parse. The report (reports/nlu-eval.md and .json) gives, per language: intent
accuracy, macro F1, the most frequent confusions, language-detection accuracy, entity F1 on the labelled
place/postcode set in tests/data/places/, and for the held-out sub-questions what the assistant would do
(core/subtopics.py): give the sub-answer asked for (the specific-answer rate), give another one (wrong), offer
two buttons, or show a menu.
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

from bot.training import as_subtopic_block, rasa_bin
from core.content.info import REPORT_ABUSE_KEYS
from core.content.topics import TOPICS
from core.i18n import LANGUAGES
from core.language import TrigramModel, choose_language, detect, use_trigram_model
from core.nlu_text import for_nlu
from core.places import Gazetteer
from core.settings import PROJECT_ROOT
from core.subtopics import choose
from core.training_data import training_examples

HOLDOUT_EVERY = 5
TARGET_ACCURACY = 0.92
MAX_GAP = 0.04
TARGET_SPECIFIC = 0.90
MAX_WRONG_SUBANSWER = 0.02
WORK_DIR = PROJECT_ROOT / "var" / "eval"
#: Questions as written on public pages, with their sources: a test set, never trained on.
PUBLIC_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "public_questions" / "questions.yml"
REPORTS = PROJECT_ROOT / "reports"


#: (language, intent, text) of every training example (core/training_data.py).
load_examples = training_examples


def is_held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % HOLDOUT_EVERY == 0


def is_tuning_held_out(text: str) -> bool:
    """A second split, of the examples ``is_held_out`` leaves for training: every fifth by another part of the
    same hash. Thresholds are chosen on it (``--tuning``), so the held-out set stays unseen."""
    return (int(hashlib.sha256(text.encode()).hexdigest(), 16) // HOLDOUT_EVERY) % HOLDOUT_EVERY == 0


def split(examples: list[tuple[str, str, str]], tuning: bool = False) -> tuple[list, list]:
    if tuning:
        examples = [e for e in examples if not is_held_out(e[2])]
        train = [e for e in examples if not is_tuning_held_out(e[2])]
        test = [e for e in examples if is_tuning_held_out(e[2])]
        return train, test
    train = [e for e in examples if not is_held_out(e[2])]
    test = [e for e in examples if is_held_out(e[2])]
    return train, test


def write_nlu(examples: list[tuple[str, str, str]], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for _, intent, text in examples:
        by_intent[intent].append(text)
    blocks = [as_subtopic_block({"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)})
              for intent, texts in by_intent.items()]
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
    parser.add_argument("--reuse-model", action="store_true",
                        help="do not train: ask the model the last run trained for the same data (for example after "
                             "changing the thresholds in core/subtopics.py)")
    parser.add_argument("--tuning", action="store_true",
                        help="hold out a second split of the training examples instead (make eval's held-out examples "
                             "are left out entirely), to choose thresholds on; the report goes to var/eval/")
    args = parser.parse_args(argv)
    if args.tuning and args.name == "nlu-eval":
        args.name = "nlu-tuning"
    reports = WORK_DIR if args.tuning else REPORTS
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    train, test = split(load_examples(), tuning=args.tuning)
    # Language detection's model of Latin-letter Ukrainian and Bulgarian learns from the training examples too:
    # here from the same split, so the held-out examples stay unseen.
    use_trigram_model(TrigramModel((language, text) for language, _, text in train))
    training_file = WORK_DIR / f"{args.name}-train.yml"
    previous = training_file.read_bytes() if training_file.exists() else b""
    write_nlu([(language, intent, for_nlu(text, language)) for language, intent, text in train], training_file)
    print(f"{len(train)} training and {len(test)} held-out examples", flush=True)
    model = WORK_DIR / f"{args.name}.tar.gz"
    timing = WORK_DIR / f"{args.name}-train-seconds.txt"
    if args.reuse_model and model.exists() and timing.exists() and training_file.read_bytes() == previous:
        train_seconds = float(timing.read_text(encoding="utf-8"))
        print(f"using {model.relative_to(PROJECT_ROOT)} (trained on the same data)", flush=True)
    else:
        started = time.monotonic()
        subprocess.run([str(rasa_bin()), "train", "nlu", "--config", args.config, "--nlu", str(training_file),
                        "--out", str(WORK_DIR), "--fixed-model-name", args.name], cwd=PROJECT_ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        train_seconds = time.monotonic() - started
        timing.write_text(f"{train_seconds:.1f}", encoding="utf-8")
    port = _free_port()
    # The pipeline's own components (nlu_components/) are imported from the project root.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen([str(rasa_bin()), "run", "--enable-api", "--model", str(WORK_DIR / f"{args.name}.tar.gz"),
                               "--interface", "127.0.0.1", "--port", str(port)], cwd=WORK_DIR, env=env,
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
            parses = []
            for language, intent, text in test:
                parsed = _parse(client, url, text, language)
                predicted = (parsed.get("intent") or {}).get("name", "").split("/")[0]
                ranking = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
                results.append((language, intent.split("/")[0], predicted, text, ranking[0] if ranking else ""))
                parses.append({"language": language, "gold": intent, "intent": predicted,
                               "confidence": (parsed.get("intent") or {}).get("confidence"),
                               "intent_ranking": (parsed.get("intent_ranking") or [])[:5],
                               "subtopic": parsed.get("subtopic"), "text": text})
            public = []
            for q in yaml.safe_load(PUBLIC_QUESTIONS.read_text(encoding="utf-8")) if PUBLIC_QUESTIONS.exists() else []:
                parsed = _parse(client, url, q["text"], q["language"])
                public.append({"language": q["language"], "gold": q["intent"], "gold_subtopic": q.get("subtopic"),
                               "intent": (parsed.get("intent") or {}).get("name", "").split("/")[0],
                               "subtopic": parsed.get("subtopic"), "text": q["text"]})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    # Every parse, to tune core/subtopics.py's thresholds without training again.
    (WORK_DIR / f"{args.name}-parses.json").write_text(json.dumps(parses, ensure_ascii=False), encoding="utf-8")
    report = build_report(results, Gazetteer.load(), train_seconds)
    report["subquestions"] = subquestion_report(parses)
    report["public_questions"] = public_report(public)
    (reports / f"{args.name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (reports / f"{args.name}.md").write_text(render_markdown(report), encoding="utf-8")
    print(render_markdown(report))
    return 0


def _parse(client: httpx.Client, url: str, text: str, language: str) -> dict:
    """Rasa's parse of a message as the gateway sends it for a user who writes in ``language``: with the language
    the gateway would answer this message in (core.language.choose_language: the user's, unless the message is
    clearly in another). An error ends the evaluation (a model that cannot answer must not be reported as 0 %
    accurate)."""
    answered_in = choose_language(language, text)
    response = client.post(f"{url}/model/parse", json={"text": for_nlu(text, answered_in)})
    if response.status_code != 200:
        raise SystemExit(f"Rasa could not parse {text!r} (HTTP {response.status_code}): {response.text[:300]}")
    parsed: dict = response.json()
    return parsed


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


def outcome(parse: dict) -> str:
    """What the assistant does with a held-out sub-question: specific, wrong, two buttons, menu or other topic."""
    gold_intent = parse["gold"].split("/")[0]
    topic = TOPICS.get(parse["intent"])
    if topic is not None:
        choice = choose(parse.get("subtopic"), topic.intent, [a.key for a in topic.answers])
    elif parse["intent"] == "report_abuse":
        # Not an information topic, but a typed question about a passport taken or who does what gets that answer
        # before the report form (actions/reports.py), chosen the same way. Otherwise the form starts, with no
        # buttons for two answers: counted as the menu.
        choice = choose(parse.get("subtopic"), "report_abuse", REPORT_ABUSE_KEYS)
    else:
        return "other_intent"
    if choice.answer == parse["gold"]:
        return "specific"
    if choice.answer is not None:
        return "wrong"
    if parse["gold"] in choice.options and topic is not None:
        return "two_buttons"
    return "menu" if parse["intent"] == gold_intent else "other_intent"


OUTCOMES = ("specific", "wrong", "two_buttons", "menu", "other_intent")


def subquestion_report(parses: list[dict]) -> dict:
    per_language: dict[str, dict[str, object]] = {}
    rates = []
    for language in LANGUAGES:
        rows = [p for p in parses if p["language"] == language and "/" in p["gold"]]
        if not rows:
            continue
        counts = Counter(outcome(p) for p in rows)
        shares = {name: counts[name] / len(rows) for name in OUTCOMES}
        rates.append(shares)
        wrong = Counter((p["gold"], (p.get("subtopic") or {}).get("name")) for p in rows if outcome(p) == "wrong")
        per_language[language] = {
            "examples": len(rows), **shares,
            "confusions": [{"gold": g, "answered": a, "count": n} for (g, a), n in wrong.most_common(5)],
        }
    meets = bool(rates) and all(r["specific"] >= TARGET_SPECIFIC and r["wrong"] <= MAX_WRONG_SUBANSWER for r in rates)
    return {"target": {"specific": TARGET_SPECIFIC, "max_wrong": MAX_WRONG_SUBANSWER}, "meets_target": meets,
            "languages": per_language}


def public_report(rows: list[dict]) -> dict:
    per_language = {}
    for language in LANGUAGES:
        mine = [r for r in rows if r["language"] == language]
        if not mine:
            continue
        with_subtopic = [r for r in mine if r["gold_subtopic"]]
        per_language[language] = {
            "questions": len(mine),
            "intent_right": sum(r["intent"] == r["gold"] for r in mine),
            "with_subtopic": len(with_subtopic),
            "specific": sum(outcome({**r, "gold": r["gold_subtopic"]}) == "specific" for r in with_subtopic),
            "errors": [{"text": r["text"], "gold": r["gold"], "predicted": r["intent"]}
                       for r in mine if r["intent"] != r["gold"]],
        }
    return {"languages": per_language}


def render_public(public: dict) -> list[str]:
    if not public["languages"]:
        return []
    lines = [
        "", "## Questions as written on public pages (tests/data/public_questions/, never trained on)", "",
        "A small first set, each with its source; too few per language for a reliable rate (target: 80 % intent "
        "accuracy in every language, on at least 20 questions each).", "",
        "| language | questions | right intent | with a clear sub-answer | specific answer |",
        "|---|---|---|---|---|",
    ]
    for language, v in public["languages"].items():
        lines.append(f"| {language} | {v['questions']} | {v['intent_right']} | {v['with_subtopic']} | "
                     f"{v['specific']} |")
    errors = [f"{e['text']!r}: {e['gold']} → {e['predicted']}" for v in public["languages"].values()
              for e in v["errors"]]
    if errors:
        lines += ["", "Wrong intents: " + "; ".join(errors)]
    return lines


def render_subquestions(sub: dict) -> list[str]:
    if not sub["languages"]:
        return ["", "## Sub-questions", "", "No sub-question data (subquestions/<lang>/)."]
    lines = [
        "", "## Sub-questions (held-out 20 % of subquestions/)", "",
        f"What the assistant does with a held-out sub-question (core/subtopics.py). Target: at least "
        f"{sub['target']['specific']:.0%} specific answers in every language, at most "
        f"{sub['target']['max_wrong']:.0%} wrong sub-answers. Met: **{sub['meets_target']}**.", "",
        "| language | examples | specific answer | wrong sub-answer | two buttons (one right) | topic menu "
        "| other intent or fallback |",
        "|---|---|---|---|---|---|---|",
    ]
    for language, v in sub["languages"].items():
        lines.append(f"| {language} | {v['examples']} | {v['specific']:.1%} | {v['wrong']:.1%} | "
                     f"{v['two_buttons']:.1%} | {v['menu']:.1%} | {v['other_intent']:.1%} |")
    lines += ["", "Wrong sub-answers (asked → answered):", ""]
    for language, v in sub["languages"].items():
        pairs = ", ".join(f"{c['gold']} → {c['answered']} ({c['count']})" for c in v["confusions"]) or "none"
        lines.append(f"- **{language}**: {pairs}")
    return lines


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
    if "subquestions" in report:
        lines += render_subquestions(report["subquestions"])
    if "public_questions" in report:
        lines += render_public(report["public_questions"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
