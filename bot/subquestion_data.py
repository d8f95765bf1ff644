"""Check the sub-question training data (subquestions/<lang>/<topic>.yml) and count it.

Each file is Rasa NLU data with retrieval intents: `- intent: housing_rights/job_loss` and `examples: |`.
`python -m bot.subquestion_data` prints the examples per sub-answer and language and every problem found;
tests/test_subquestion_data.py fails on any problem. A problem is: a file that is not such data, a key without
an answer in the content (core/content), an answer without at least MIN_EXAMPLES examples in a language, the
same example twice, or an example that is also an example of another intent or sub-answer.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from bot.training import TOPICS_WITH_A_GENERAL_CLASS
from core.content.catalog import ALL_ANSWERS
from core.content.topics import TOPICS
from core.folding import fold
from core.i18n import LANGUAGES
from core.settings import PROJECT_ROOT

MIN_EXAMPLES = 40
DATA_DIR = PROJECT_ROOT / "subquestions"


def _examples(block: dict) -> list[str]:
    return [line.strip()[2:].strip() for line in str(block.get("examples") or "").splitlines()
            if line.strip().startswith("- ")]


def load(root: Path = DATA_DIR) -> tuple[dict[tuple[str, str], list[str]], list[str]]:
    """({(language, key): examples}, problems with the files' form)."""
    data: dict[tuple[str, str], list[str]] = defaultdict(list)
    problems = []
    for language in LANGUAGES:
        for path in sorted((root / language).glob("*.yml")):
            name = f"{language}/{path.name}"
            try:
                content = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                problems.append(f"{name}: not readable YAML ({type(exc).__name__})")
                continue
            if not isinstance(content, dict) or str(content.get("version")) != "3.1" or not isinstance(
                    content.get("nlu"), list):
                problems.append(f'{name}: expected version: "3.1" and an nlu: list')
                continue
            for block in content["nlu"]:
                intent = block.get("intent") if isinstance(block, dict) else None
                if not isinstance(intent, str) or intent.count("/") != 1:
                    problems.append(f"{name}: a block without an intent of the form topic/key: {intent!r}")
                    continue
                for line in str(block.get("examples") or "").splitlines():
                    if line.strip() and not line.strip().startswith("- "):
                        problems.append(f"{name}: {intent}: a line that is not an example: {line.strip()[:40]!r}")
                data[(language, intent)].extend(_examples(block))
    return dict(data), problems


def intent_examples(root: Path = PROJECT_ROOT) -> dict[tuple[str, str], str]:
    """{(language, folded example): intent} of the intent data in nlu/<lang>/."""
    found = {}
    for language in LANGUAGES:
        for path in sorted((root / "nlu" / language).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
                for text in _examples(block):
                    found[(language, fold(text))] = block["intent"]
    return found


def problems(root: Path = DATA_DIR, minimum: int = MIN_EXAMPLES) -> list[str]:
    data, found = load(root)
    keys = {key for _, key in data}
    for key in sorted(keys - ALL_ANSWERS.keys()):
        found.append(f"{key}: no answer with this key in core/content")
    for key in sorted(keys):
        if key.split("/")[0] not in TOPICS and key.split("/")[0] not in TOPICS_WITH_A_GENERAL_CLASS:
            found.append(f"{key}: {key.split('/')[0]} is not a topic with sub-answers (core/content/topics.py)")
    wanted = sorted({a.key for topic in TOPICS.values() for a in topic.answers} | keys)
    for language in LANGUAGES:
        for key in wanted:
            count = len(data.get((language, key), []))
            if count < minimum:
                found.append(f"{language} {key}: {count} examples, at least {minimum} needed")
    owner: dict[tuple[str, str], str] = {}
    for (language, key), texts in sorted(data.items()):
        for text, n in Counter(fold(t) for t in texts).items():
            if n > 1:
                found.append(f"{language} {key}: {text!r} appears {n} times")
        for text in {fold(t) for t in texts}:
            other = owner.setdefault((language, text), key)
            if other != key:
                found.append(f"{language}: {text!r} is an example of both {other} and {key}")
    for (language, text), intent in intent_examples(root.parent).items():
        sub_answer = owner.get((language, text))
        if sub_answer and sub_answer.split("/")[0] != intent:
            found.append(f"{language}: {text!r} is an example of {sub_answer} and of the intent {intent} (nlu/)")
    return found


def table(root: Path = DATA_DIR) -> str:
    data, _ = load(root)
    keys = sorted({a.key for topic in TOPICS.values() for a in topic.answers} | {k for _, k in data})
    width = max(len(k) for k in keys)
    lines = [f"{'sub-answer'.ljust(width)}  " + "  ".join(f"{lang:>4}" for lang in LANGUAGES)]
    for key in keys:
        lines.append(f"{key.ljust(width)}  " + "  ".join(f"{len(data.get((lang, key), [])):>4}" for lang in LANGUAGES))
    return "\n".join(lines)


def main() -> int:
    print(table())
    found = problems()
    for problem in found:
        print(problem)
    print(f"{len(found)} problems" if found else "no problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
