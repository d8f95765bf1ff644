"""The nearest training examples: a second opinion beside each linear model.

A linear model draws one boundary per class across the whole feature space. A message that is phrased much like a
few training examples of one class, but not like most of them, can fall on the wrong side. Looking up the training
examples closest to the message catches those cases. Both classifiers (intents, and sub-answers within a topic and
across topics) blend their calibrated probabilities with these:

    p = (1 - weight) * p_model + weight * softmax(s / temperature)

where ``s`` is, for each class, the mean similarity of the message to the ``k`` most similar training examples of
that class. Similarity is ``word_share`` times the cosine of the word 1-2-gram tf-idf rows plus the rest times the
cosine of the sentence embeddings. The character n-grams, which would help a little more, are left out: they
would multiply the size of what is stored.

Measured offline on a second split of the training data (every fifth example by another hash residue, never the
held-out examples of ``make eval``; docs/subtopics.md): with the topic given, top-1 sub-answers 95.6 -> 96.5 % and,
at the same share of wrong answers, about two points more answered; intents 93.1 -> 94.2 %. The settings (k = 3,
temperature 0.005, weight 0.2, word share 0.2) were chosen there.

Stored as plain arrays (``np.load`` with ``allow_pickle=False``): the embeddings as int8 (unit vector times 127,
the precision the embedding cache keeps anyway), the word rows as a CSR matrix's arrays. In memory the embeddings
are float32: about 1.5 kB per training example.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

from nlu_components.features import KIND_SEPARATOR, stack_rows

SCALE = 127.0


def default_config() -> dict[str, Any]:
    return {
        # Share of the nearest training examples in the probabilities; 0 turns them off.
        "neighbour_weight": 0.2,
        # How many of each class's nearest examples are averaged.
        "neighbour_k": 3,
        # Softmax temperature of the mean similarities (lower: sharper).
        "neighbour_temperature": 0.005,
        # Weight of the word n-grams' cosine in the similarity; the sentence embedding's is the rest.
        "neighbour_word_share": 0.2,
        # The sentence embedding's attribute (nlu_components/sentence_embedder.py).
        "neighbour_embedding": "sentence_embedding",
    }


def rows(messages: Iterable[Message], embedding_attribute: str) -> tuple[csr_matrix, np.ndarray]:
    """The word n-gram rows (unit length) and sentence embeddings (unit length) of the messages; zeros where a
    message has none. Built as one matrix of each, not a message at a time (55,000 training examples)."""
    word_rows: list[Any] = []
    embeddings: list[np.ndarray | None] = []
    for message in messages:
        embedding = None
        word = None
        for feature in message.features:
            if feature.type != FEATURE_TYPE_SENTENCE:
                continue
            if feature.attribute == TEXT and feature.is_sparse() and str(feature.origin).endswith(
                    f"{KIND_SEPARATOR}word"):
                word = feature.features
            elif feature.attribute == embedding_attribute and feature.is_dense():
                embedding = np.asarray(feature.features, dtype=np.float32).reshape(-1)
        word_rows.append(word)
        embeddings.append(embedding)
    word_width = next((w.shape[-1] for w in word_rows if w is not None), 0)
    words = stack_rows(word_rows, word_width)
    width = next((e.shape[0] for e in embeddings if e is not None), 0)
    dense = np.zeros((len(embeddings), width), dtype=np.float32)
    for number, embedding in enumerate(embeddings):
        if embedding is not None:
            dense[number] = embedding
    return (normalize(words) if word_width else words), (normalize(dense) if width else dense)


class Neighbours:
    """Training examples (word rows, embeddings, labels) and the probabilities their nearest ones give."""

    def __init__(self, labels: Sequence[str], words: csr_matrix, embeddings: np.ndarray,
                 config: dict[str, Any]) -> None:
        self.labels = np.asarray(labels, dtype=str)
        self.words = words.tocsr().astype(np.float32)
        # n-grams x examples, row-wise: a message's product with it reads only the rows of the n-grams it has (about
        # 20), where the product with the transposed example rows converted all of them, every time (9 ms).
        self._by_ngram = self.words.T.tocsr()
        self.embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        self.config = config
        numbers_of: dict[str, list[int]] = defaultdict(list)
        for number, label in enumerate(self.labels):
            numbers_of[str(label)].append(number)
        self._rows_of = {label: np.asarray(numbers, dtype=np.int64) for label, numbers in numbers_of.items()}

    @classmethod
    def of(cls, messages: Sequence[Message], labels: Sequence[str], config: dict[str, Any]) -> Neighbours:
        words, embeddings = rows(messages, config["neighbour_embedding"])
        return cls(labels, words, embeddings, config)

    def similarities(self, words: csr_matrix, embeddings: np.ndarray) -> np.ndarray:
        share = float(self.config["neighbour_word_share"])
        result = np.zeros((words.shape[0], len(self.labels)), dtype=np.float32)
        if share and words.shape[1] == self.words.shape[1]:
            result += share * (words @ self._by_ngram).toarray()
        if share < 1 and embeddings.shape[1] == self.embeddings.shape[1]:
            result += (1 - share) * (embeddings @ self.embeddings.T)
        return result

    def probabilities(self, similarities: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        """A row per message, a column per class (in ``classes``' order), summing to 1, from the messages'
        :meth:`similarities`. Only the training examples of these classes count; a class without any gets 0."""
        k = int(self.config["neighbour_k"])
        scores = np.full((similarities.shape[0], len(classes)), -np.inf, dtype=np.float64)
        for column, label in enumerate(classes):
            numbers = self._rows_of.get(str(label))
            if numbers is None or not len(numbers):
                continue
            of_class = similarities[:, numbers]
            if of_class.shape[1] > k:
                of_class = np.partition(of_class, of_class.shape[1] - k, axis=1)[:, -k:]
            scores[:, column] = of_class.mean(axis=1)
        found = np.isfinite(scores).any(axis=1)
        result = np.full(scores.shape, 1.0 / max(len(classes), 1))
        if found.any():
            shifted = (scores[found] - scores[found].max(axis=1, keepdims=True)) / float(
                self.config["neighbour_temperature"])
            exponentials = np.exp(shifted)
            result[found] = exponentials / exponentials.sum(axis=1, keepdims=True)
        return result

    def blend(self, probabilities: np.ndarray, similarities: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        """The model's probabilities (columns in ``classes``' order) blended with the neighbours' (see the module's
        docstring); ``similarities`` from :meth:`similarities`, computed once for all of a message's models."""
        weight = float(self.config["neighbour_weight"])
        if not weight or not len(self.labels):
            return probabilities
        return (1 - weight) * probabilities + weight * self.probabilities(similarities, classes)

    def save(self, path: Path) -> None:
        np.savez(path, labels=self.labels, embeddings=np.round(self.embeddings * SCALE).astype(np.int8),
                 data=self.words.data, indices=self.words.indices, indptr=self.words.indptr,
                 shape=np.asarray(self.words.shape, dtype=np.int64))

    @classmethod
    def load(cls, path: Path, config: dict[str, Any]) -> Neighbours:
        # Plain arrays only: allow_pickle=False, so loading a model runs no stored code.
        with np.load(path, allow_pickle=False) as stored:
            words = csr_matrix((stored["data"], stored["indices"], stored["indptr"]),
                               shape=tuple(int(n) for n in stored["shape"]))
            embeddings = stored["embeddings"].astype(np.float32) / SCALE
            return cls([str(label) for label in stored["labels"]], words, embeddings, config)
