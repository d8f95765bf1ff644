"""The feature matrix both of our classifiers use: n-grams and sentence embedding, each weighed on purpose.

Rasa's own LogisticRegressionClassifier stacks the raw n-gram counts and any dense features as they come, so a
long message outweighs a short one and a 384-dimension unit vector is lost next to hundreds of counts. Here the
n-grams (word and character, from nlu_components/ngram_featurizer.py) are scaled to unit length, the sentence embedding
(nlu_components/sentence_embedder.py) is added with a weight, and the whole row is scaled to unit length again.

Both classifiers are also the same kind of model (:func:`calibrated_svm`) and are stored and loaded the same way
(:func:`load_model`, which refuses a file holding types beyond the calibration's own).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from rasa.engine.graph import GraphComponent
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, issparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

logger = logging.getLogger(__name__)

#: The calibration's own parts: the only types beyond skops' defaults a stored model may contain.
TRUSTED_TYPES = ["sklearn.calibration._CalibratedClassifier", "sklearn.calibration._SigmoidCalibration",
                 "scipy.sparse._csc.csc_matrix", "scipy.sparse._csr.csr_matrix"]
#: Weights are stored sparse when at most this share of them is not zero (see :func:`fit`).
SPARSE_BELOW = 0.5
#: When liblinear stops improving a linear SVM. scikit-learn's default is 1e-4; on our data 1e-2 gave the same
#: predictions on the second split of the training data (one sub-question of 9,000 changed) in two thirds of the
#: time (docs/subtopics.md, seventh session).
TOLERANCE = 1e-2
#: The n-gram featurizer gives one feature per kind, its origin ending in this and the kind (``.word``, ``.char``).
KIND_SEPARATOR = "."


def code_fingerprint() -> str:
    """A hash of this package's source, for the components' ``fingerprint_addon``.

    Rasa keeps each trained component in its training cache under a fingerprint of its class name, config and
    inputs, not of its code: after a change to these files a training would restore the component trained by the
    old code (and the new code might not even load it). With the source in the fingerprint, it trains again.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class OwnCodeComponent(GraphComponent):
    """A component of this package: its fingerprint in Rasa's training cache includes the package's source, so after
    a change to it the component is trained (or run) again instead of restored (see :func:`code_fingerprint`)."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return code_fingerprint()


def _sentence_features(message: Message, attribute: str, sparse: bool) -> dict[str, Any]:
    """The message's sentence-level features of one attribute by featurizer (the whole message, not tokens)."""
    return {str(f.origin): f.features for f in message.features
            if f.attribute == attribute and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse() == sparse}


def _block(rows: list[dict[str, Any]], sparse: bool) -> list[csr_matrix]:
    """One matrix per featurizer, a row per message, in pipeline order (a message without that
    featurizer's features gets a row of zeros)."""
    widths = {origin: matrix.shape[-1] for row in rows for origin, matrix in row.items()}
    blocks = []
    for origin in widths:
        if sparse:
            blocks.append(stack_rows([row.get(origin) for row in rows], widths[origin]))
        else:
            dense = np.zeros((len(rows), widths[origin]), dtype=np.float32)
            for number, row in enumerate(rows):
                if origin in row:
                    dense[number] = np.asarray(row[origin]).reshape(-1)
            blocks.append(csr_matrix(dense))
    return blocks


def stack_rows(rows: list[Any], width: int) -> csr_matrix:
    """One-row sparse matrices (None: a row of zeros) as one CSR matrix, joined array by array: scipy's ``vstack``
    of 55,000 rows took most of the 10 s the intent classifier spent on its features. The same matrix."""
    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    lengths = np.zeros(len(rows), dtype=np.int64)
    for number, row in enumerate(rows):
        if row is None:
            continue
        row = row.tocsr() if issparse(row) else csr_matrix(row)
        if row.nnz:
            data.append(row.data)
            indices.append(row.indices)
            lengths[number] = row.nnz
    pointers = np.concatenate([[0], np.cumsum(lengths)])
    return csr_matrix((np.concatenate(data).astype(np.float32, copy=False) if data else np.zeros(0, np.float32),
                       np.concatenate(indices) if indices else np.zeros(0, np.int32), pointers),
                      shape=(len(rows), width))


def feature_matrix(messages: Iterable[Message], dense_attributes: Iterable[str], dense_weight: float) -> csr_matrix:
    """A row per message: its n-grams at unit length, the dense features times ``dense_weight``, the whole row
    scaled to unit length. Built a featurizer at a time, not a message at a time: Rasa's own
    ``get_sparse_features`` also joins every token's features, which took most of a minute on 35,000 examples."""
    messages = list(messages)
    started = time.monotonic()
    sparse_blocks = _block([_sentence_features(m, TEXT, True) for m in messages], sparse=True)
    parts = [normalize(hstack(sparse_blocks, format="csr")) if sparse_blocks else csr_matrix((len(messages), 0))]
    for attribute in dense_attributes:
        for block in _block([_sentence_features(m, attribute, False) for m in messages], sparse=False):
            parts.append(block * dense_weight)
    matrix = normalize(hstack(parts, format="csr"))
    if len(messages) > 1000:
        logger.info("features of %d examples in %.1f s", len(messages), time.monotonic() - started)
    return matrix


def calibrated_svm(config: dict[str, Any], class_weight: str | None = None) -> CalibratedClassifierCV:
    """A linear SVM with probabilities from Platt scaling on held-out folds (``C``, ``calibration_folds`` and
    ``random_state`` from the component's config)."""
    svm = LinearSVC(C=config["C"], class_weight=class_weight, random_state=config["random_state"], tol=TOLERANCE)
    # All folds at once (threads, see :func:`fit`): with one thread per core, the third fold of three ran alone on
    # 2 cores, one of them idle. The folds and their models are the same either way.
    return CalibratedClassifierCV(svm, method="sigmoid", cv=config["calibration_folds"],
                                  n_jobs=int(config["calibration_folds"]))


def fit(model: CalibratedClassifierCV, features: csr_matrix, labels: np.ndarray) -> CalibratedClassifierCV:
    """Train the calibration's folds side by side, in threads: liblinear releases the GIL, and threads share the
    feature matrix where processes would copy it. The intents on 2 cores: 20 s instead of 30 s one after another."""
    started = time.monotonic()
    with joblib.parallel_backend("threading"):
        model.fit(features, labels)
    logger.info("trained on %d examples x %d features, %d classes, in %.1f s", features.shape[0], features.shape[1],
                len(model.classes_), time.monotonic() - started)
    # A linear SVM has a weight of zero for every n-gram its examples never contain, and most n-grams occur in few
    # examples (one topic's sub-questions use a small part of the vocabulary). Kept as sparse matrices, the
    # sub-question models took 38 MB instead of about 500 MB and the intent model 22 MB instead of 110 MB, so the
    # model is packed and loaded that much faster. Predictions are the same.
    for svm in _svms(model):
        if np.count_nonzero(svm.coef_) <= SPARSE_BELOW * svm.coef_.size:
            svm.sparsify()
    return _quick_to_ask(model)


def _svms(model: CalibratedClassifierCV) -> list[LinearSVC]:
    # scikit-learn 1.2 renamed base_estimator to estimator.
    return [getattr(c, "estimator", None) or c.base_estimator for c in model.calibrated_classifiers_]


def _quick_to_ask(model: CalibratedClassifierCV) -> CalibratedClassifierCV:
    """Lay the weights out so that scoring one message does not copy them.

    A linear SVM scores ``features @ coef_.T``. With the weights as scikit-learn leaves them (a row per class, C
    order, or CSR), ``coef_.T`` is laid out the wrong way round and every call copied all of them: 33-100 ms per
    model and message, three models of three folds each per message. Stored column-wise (Fortran order, or CSC), the
    transpose is the layout the product wants: about 1 ms. The scores are the same to the last bit.
    """
    for svm in _svms(model):
        svm.coef_ = svm.coef_.tocsc() if issparse(svm.coef_) else np.asfortranarray(svm.coef_)
    return model


def load_model(path: Path) -> Any:
    """A model stored with skops; ValueError if the file holds any type beyond :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    unexpected = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if unexpected:
        raise ValueError(f"unexpected types in {path.name}: {sorted(unexpected)}")
    return _quick_to_ask(sio.load(path, trusted=TRUSTED_TYPES))
