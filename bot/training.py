"""Train the Rasa model only when its inputs changed (content hash of config, domain and data)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from core.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain", "nlu", "data", "requirements/rasa.lock")
MODELS_DIR = PROJECT_ROOT / "models"


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
    subprocess.run(
        [str(rasa_bin()), "train", "--config", "config.yml", "--domain", "domain", "--data", "nlu", "data",
         "--out", "models", "--fixed-model-name", target.name.removesuffix(".tar.gz")],
        cwd=PROJECT_ROOT, check=True,
    )
    print(f"trained in {time.monotonic() - started:.0f} s", flush=True)
    return target
