"""The feature matrix both of our classifiers use: n-grams and sentence embedding, each weighed on purpose.

Rasa's own LogisticRegressionClassifier stacks the raw n-gram counts and any dense features as they come, so a
long message outweighs a short one and a 384-dimension unit vector is lost next to hundreds of counts. Here the
n-grams (word and character, from the pipeline's featurizers) are scaled to unit length, the sentence embedding
(nlu_components/sentence_embedder.py) is added with a weight, and the whole row is scaled to unit length again.
"""

from __future__ import annotations

from collections.abc import Iterable

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.preprocessing import normalize


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
