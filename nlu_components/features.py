"""The feature matrix both of our classifiers use: n-grams and sentence embedding, each weighed on purpose.

Rasa's own LogisticRegressionClassifier stacks the raw n-gram counts and any dense features as they come, so a
long message outweighs a short one and a 384-dimension unit vector is lost next to hundreds of counts. Here the
n-grams (word and character, from the pipeline's featurizers) are scaled to unit length, the sentence embedding
(nlu_components/sentence_embedder.py) is added with a weight, and the whole row is scaled to unit length again.

Both classifiers are also the same kind of model (:func:`calibrated_svm`) and are stored and loaded the same way
(:func:`load_model`, which refuses a file holding types beyond the calibration's own).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

#: The calibration's own parts: the only types beyond skops' defaults a stored model may contain.
TRUSTED_TYPES = ["sklearn.calibration._CalibratedClassifier", "sklearn.calibration._SigmoidCalibration"]


def feature_matrix(messages: Iterable[Message], dense_attributes: Iterable[str], dense_weight: float) -> csr_matrix:
    attributes = list(dense_attributes)
    rows = []
    for message in messages:
        # [1]: the sentence-level features (the whole message).
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        parts = [normalize(csr_matrix(sparse.features)) if sparse else csr_matrix((1, 0))]
        for attribute in attributes:
            dense = message.get_dense_features(attribute=attribute)[1]
            if dense is not None:
                parts.append(csr_matrix(dense.features * dense_weight))
        rows.append(hstack(parts))
    return normalize(vstack(rows).tocsr())


def calibrated_svm(config: dict[str, Any], class_weight: str | None = None) -> CalibratedClassifierCV:
    """A linear SVM with probabilities from Platt scaling on held-out folds (``C``, ``calibration_folds`` and
    ``random_state`` from the component's config)."""
    svm = LinearSVC(C=config["C"], class_weight=class_weight, random_state=config["random_state"])
    return CalibratedClassifierCV(svm, method="sigmoid", cv=config["calibration_folds"])


def load_model(path: Path) -> Any:
    """A model stored with skops; ValueError if the file holds any type beyond :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    unexpected = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if unexpected:
        raise ValueError(f"unexpected types in {path.name}: {sorted(unexpected)}")
    return sio.load(path, trusted=TRUSTED_TYPES)
