"""Train the Rasa model only when its inputs changed (content hash of config, domain and data)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from core.i18n import LANGUAGES
from core.nlu_text import for_nlu
from core.settings import PROJECT_ROOT
from core.training_data import NLU_DATA

TRAINING_INPUTS = (
    "config.yml", "domain", "nlu", "subquestions", "data", "requirements/rasa.lock", "core/nlu_text.py",
    "core/folding.py", "core/transliteration.py", "nlu_components",
)
#: Topics whose own examples (nlu/, no sub-answer) are a class of the sub-question classifier too: a message that
#: just reports an abuse ("my boss has not paid me for a month") is neither the passport answer nor the list of
#: organisations, so the model must be able to say "none of the sub-answers".
TOPICS_WITH_A_GENERAL_CLASS = ("report_abuse",)
MODELS_DIR = PROJECT_ROOT / "models"
#: The training data and test stories as the model sees them (core/nlu_text.py), rebuilt before each use.
PREPARED = MODELS_DIR / ".prepared"


def rasa_bin() -> Path:
    return PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"


def training_hash(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"winbot-{training_hash(root)}.tar.gz"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (the examples) as literal blocks, as Rasa's own files do."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100_000)


def _examples_for_nlu(examples: str, language: str | None = None) -> str:
    lines = []
    for line in examples.splitlines():
        stripped = line.strip()
        lines.append(f"- {for_nlu(stripped[2:], language)}" if stripped.startswith("- ") else line)
    return "\n".join(lines) + "\n"


def as_subtopic_block(block: dict) -> dict:
    """A retrieval-intent block (`intent: housing_rights/job_loss`) as the model is trained on it.

    The intent classifiers learn the base intent; the key goes into the block's metadata, where the
    SubtopicClassifier (nlu_components/) reads it. Given as retrieval intents, Rasa would add an
    `utter_housing_rights` action to the domain and warn about every example that no response exists for: our
    answers are rendered from sourced content (core/content), not from domain responses.
    """
    intent = str(block.get("intent") or "")
    if intent in TOPICS_WITH_A_GENERAL_CLASS:
        return {**block, "metadata": {**dict(block.get("metadata") or {}), "subtopic": intent}}
    if "/" not in intent:
        return block
    metadata = dict(block.get("metadata") or {})
    metadata["subtopic"] = intent
    return {**block, "intent": intent.split("/")[0], "metadata": metadata}


def prepare_nlu(root: Path = PROJECT_ROOT, target: Path = PREPARED / "nlu") -> Path:
    """nlu/ and subquestions/ with every example as the model sees it (the original plus its folded form).

    An example's language is its folder's (`nlu/uk/...`): the gateway gives Rasa the language it answers in.
    """
    shutil.rmtree(target, ignore_errors=True)
    for folder in NLU_DATA:
        source = root / folder
        for path in sorted(source.rglob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data["nlu"] = [as_subtopic_block(block) for block in data.get("nlu", [])]
            folder_language = path.relative_to(source).parts[0]
            language = folder_language if folder_language in LANGUAGES else None
            for block in data["nlu"]:
                if "examples" in block:
                    block["examples"] = _examples_for_nlu(block["examples"], language)
            out = target / folder / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_dump(data), encoding="utf-8")
    return target


def prepare_stories(source: Path = PROJECT_ROOT / "tests" / "stories", target: Path = PREPARED / "stories") -> Path:
    """The test stories with each user text as the model sees it, in the language the story's name starts with
    ("Bulgarian - tax return in Latin letters"), as the gateway would send it for a user answered in it."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for story in data.get("stories", []):
            language = story_language(str(story.get("story") or ""))
            for step in story.get("steps", []):
                if isinstance(step.get("user"), str):
                    step["user"] = for_nlu(step["user"].strip(), language)
        (target / path.name).write_text(_dump(data), encoding="utf-8")
    return target


#: The English names test stories start with.
_STORY_LANGUAGES = {"polish": "pl", "romanian": "ro", "bulgarian": "bg", "ukrainian": "uk", "english": "en",
                    "dutch": "nl"}


def story_language(name: str) -> str | None:
    """The language a test story is in, from its name ("Ukrainian - report abuse, ..."), or None."""
    return _STORY_LANGUAGES.get(name.split(" - ", 1)[0].strip().lower())


def train_command(prepared: Path, out: Path, name: str) -> list[str]:
    """`rasa train` for the whole model from the prepared NLU data (see :func:`prepare_nlu`)."""
    return [str(rasa_bin()), "train", "--config", "config.yml", "--domain", "domain", "--data", str(prepared), "data",
            "--out", str(out), "--fixed-model-name", name,
            # `make validate` (part of `make test`) checks the same data with --fail-on-warnings; here the check took
            # about 85 of the 340 seconds of a training on 2 cores.
            "--skip-validation"]


def ensure_model(force: bool = False) -> Path:
    """The model for the current data; trains one (and says how long it took) if there is none."""
    target = model_path()
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(PROJECT_ROOT)}")
        return target
    if not rasa_bin().exists():
        sys.exit("the Rasa environment is missing: run `make setup` first")
    print(f"training {target.name} (the training data changed) ...", flush=True)
    started = time.monotonic()
    subprocess.run(train_command(prepare_nlu(), PROJECT_ROOT / "models", target.name.removesuffix(".tar.gz")),
                   cwd=PROJECT_ROOT, check=True)
    print(f"trained in {time.monotonic() - started:.0f} s", flush=True)
    return target
