"""The classifier components (nlu_components/), checked in the Rasa environment they run in (in_rasa_env.py).

- the feature matrix, built a featurizer at a time, equals the one Rasa's per-message joining gives;
- a model trained on part of the features keeps sparse weights, predicts the same and loads back; weights are
  laid out column-wise, so scoring one message does not copy them;
- the n-gram featurizer gives whole-message counts, the same after storing and loading;
- the nearest training examples: the closest class gets their share, only the classes asked about count, stored
  and loaded the same;
- an unsure intent gives way to a confident sub-question's topic, and only then (never an emergency);
- the sub-question models average as many calibrated SVMs as configured (five per topic, two over all topics).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = Path(__file__).with_name("in_rasa_env.py")


@pytest.mark.parametrize("check", ["feature_matrix", "sparse_weights_round_trip", "dense_weights_are_column_wise",
                                   "topic_from_subquestion", "ngram_featurizer", "neighbours",
                                   "components_fingerprint_their_code", "subtopic_model_folds"])
def test_component_check_in_the_rasa_environment(check: str) -> None:
    assert RASA_PYTHON.exists(), "the Rasa environment is missing: run `make setup`"
    done = subprocess.run([str(RASA_PYTHON), str(SCRIPT), check], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")

