"""Word and character n-gram counts of the whole message, for our two classifiers.

It replaces Rasa's two CountVectorsFeaturizers. Those build, for every message, a row of counts for each token
(sequence features, which only Rasa's DIET networks use) as well as for the whole message, for every attribute
of every training example (the intent names too), a message at a time: on 2 cores, 37,000 examples took about two
of the five minutes a training may take (32 s for the word n-grams, 86 s for the character n-grams). Our
classifiers use only the whole-message counts (nlu_components/features.py). Here they are computed for all
training examples in one call of scikit-learn's vectorizers, and nothing else.

- ``word``: word 1-2-grams (short phrases: "bez umowy", "eigen risico");
- ``char``: character 2-5-grams within word boundaries (inflections, typos, missing diacritics), the most frequent
  ``max_char_features``.

Both lower-case the text. The counts are weighed as tf-idf, each kind at unit length (``tf_idf``). The vocabularies
are stored as JSON and the idf weights as plain arrays, so loading a model runs no stored code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from nlu_components.features import KIND_SEPARATOR, OwnCodeComponent

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "vocabulary.json"
IDF_FILE = "idf.npz"
#: The kinds of n-gram, in the order the classifiers join them.
KINDS = ("word", "char")
#: The training examples' weighted n-grams by kind, computed while learning the vocabularies, under a hash of the
#: vocabularies and the texts. In a training, Rasa hands the same examples to another instance of this component
#: (loaded from what ``train`` stored) to add their features: it takes them from here instead of counting every
#: n-gram of every example again (about 10 of the 300 seconds a training may take). The same numbers either way.
_TRAINING_ROWS: dict[str, dict[str, csr_matrix]] = {}


class NgramFeatures(Features):
    """A message's n-gram features, fingerprinted by what they are computed from: its text and the vocabularies
    (with the idf weights).

    Rasa fingerprints the training data after every component for its training cache, and the fingerprint of sparse
    features is a string of every entry of the matrix: for 47,000 examples that took about 30 of the 300 seconds a
    training may take. The features are a function of the text and the vocabularies, so hashing those identifies
    them just as well.
    """

    def __init__(self, features: Any, attribute: str, origin: str, text: str,
                 vocabularies: Callable[[], str]) -> None:
        super().__init__(features, FEATURE_TYPE_SENTENCE, attribute, origin)
        self._text = text
        self._vocabularies = vocabularies

    def fingerprint(self) -> str:
        if self._cached_fingerprint is None:
            digest = hashlib.sha256(f"{self.type}|{self.origin}|{self.attribute}|{self._vocabularies()}|".encode())
            digest.update(self._text.encode("utf-8", "surrogatepass"))
            self._cached_fingerprint = digest.hexdigest()
        return self._cached_fingerprint


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NgramFeaturizer(SparseFeaturizer, OwnCodeComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "max_char_features": 100000,
            # Weigh the counts as tf-idf (1 + log of the count, times the n-gram's inverse document frequency in the
            # training examples), each kind of n-gram at unit length: rare, telling n-grams count for more than the
            # ones every message has. Measured offline on the held-out sub-questions (docs/subtopics.md): +0.8
            # points of specific answers with the same or a lower share of wrong ones. False: the plain counts.
            "tf_idf": True,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        for key in ("word_ngrams", "char_ngrams"):
            low, high = config[key]
            if not 1 <= low <= high:
                raise ValueError(f"{key} must be [smallest, largest] with 1 <= smallest <= largest, not {config[key]}")

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext) -> None:
        config = {**self.get_default_config(), **config}
        SparseFeaturizer.__init__(self, execution_context.node_name, config)
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers: dict[str, CountVectorizer] = {}
        #: Inverse document frequency of each n-gram, by kind (empty: the plain counts).
        self.idf: dict[str, np.ndarray] = {}
        self._vocabularies_fingerprint = ""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NgramFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def _new_vectorizers(self, vocabularies: dict[str, dict[str, int]] | None = None) -> dict[str, CountVectorizer]:
        vocabularies = vocabularies or {}
        word = CountVectorizer(lowercase=True, ngram_range=tuple(self.config["word_ngrams"]),
                               vocabulary=vocabularies.get("word"), dtype=np.float32)
        char = CountVectorizer(lowercase=True, analyzer="char_wb", ngram_range=tuple(self.config["char_ngrams"]),
                               max_features=None if vocabularies else self.config["max_char_features"],
                               vocabulary=vocabularies.get("char"), dtype=np.float32)
        return {"word": word, "char": char}

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) for m in training_data.training_examples if m.get(TEXT)]
        if not texts:
            logger.warning("no training text: no n-gram features")
            return self._resource
        started = time.monotonic()
        vectorizers = self._new_vectorizers()
        self.idf = {}
        counted = {}
        for name, vectorizer in vectorizers.items():
            counts = counted[name] = vectorizer.fit_transform(texts).tocsr()
            if self.config["tf_idf"]:
                in_examples = np.bincount(counts.indices, minlength=counts.shape[1])
                # Smoothed, as scikit-learn's TfidfTransformer: an n-gram in every example keeps a weight of 1.
                self.idf[name] = (np.log((1 + len(texts)) / (1 + in_examples)) + 1).astype(np.float32)
        self.vectorizers = vectorizers
        _TRAINING_ROWS.clear()
        _TRAINING_ROWS[self._rows_key(texts)] = {name: self._weigh(name, counts) for name, counts in counted.items()}
        logger.info("n-gram vocabularies of %d examples: %d word, %d character n-grams, in %.1f s", len(texts),
                    len(vectorizers["word"].vocabulary_), len(vectorizers["char"].vocabulary_),
                    time.monotonic() - started)
        self.persist()
        return self._resource

    def _add(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not self.vectorizers or not with_text:
            return
        texts = [m.get(TEXT) for m in with_text]
        # One feature per kind (origin ``<component>.word``, ``<component>.char``): the classifiers join them in
        # this order (nlu_components/features.py), and the nearest-example lookup uses the word n-grams alone
        # (nlu_components/neighbours.py).
        known = _TRAINING_ROWS.pop(self._rows_key(texts), None) if len(texts) > 1 else None
        for name in KINDS:
            matrix = (known[name] if known is not None
                      else self._weigh(name, self.vectorizers[name].transform(texts))).tocsr()
            origin = f"{self._identifier}{KIND_SEPARATOR}{name}"
            for row, message in enumerate(with_text):
                message.add_features(NgramFeatures(matrix[row], TEXT, origin, texts[row],
                                                   self.vocabularies_fingerprint))

    def _rows_key(self, texts: list[str]) -> str:
        digest = hashlib.sha256(self.vocabularies_fingerprint().encode())
        for text in texts:
            digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def _weigh(self, name: str, counts: csr_matrix) -> csr_matrix:
        """The counts as tf-idf at unit length (see ``tf_idf``), or as they are."""
        idf = self.idf.get(name)
        if idf is None:
            return counts
        weights = counts.tocsr().astype(np.float32, copy=True)
        weights.data = (np.log(weights.data) + 1) * idf[weights.indices]
        return normalize(weights)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        started = time.monotonic()
        self._add(training_data.training_examples)
        logger.info("n-gram features of %d examples in %.1f s", len(training_data.training_examples),
                    time.monotonic() - started)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._add(messages)
        return messages

    def vocabularies_fingerprint(self) -> str:
        """A hash of the vocabularies (computed once: only training fingerprints features)."""
        if not self._vocabularies_fingerprint:
            self._vocabularies_fingerprint = hashlib.sha256(
                json.dumps([self.config["word_ngrams"], self.config["char_ngrams"], self._vocabularies(),
                            {name: hashlib.sha256(idf.tobytes()).hexdigest() for name, idf in self.idf.items()}],
                           sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return self._vocabularies_fingerprint

    def _vocabularies(self) -> dict[str, dict[str, int]]:
        # A loaded vectorizer has its vocabulary as given until its first transform sets ``vocabulary_``.
        return {name: {term: int(index) for term, index in
                       (getattr(vectorizer, "vocabulary_", None) or vectorizer.vocabulary).items()}
                for name, vectorizer in self.vectorizers.items()}

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(self._vocabularies(), ensure_ascii=False),
                                                      encoding="utf-8")
            if self.idf:
                np.savez(directory / IDF_FILE, **self.idf)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> NgramFeaturizer:
        component = cls(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as directory:
                vocabularies = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
                if (directory / IDF_FILE).exists():
                    # Plain arrays only: allow_pickle=False, so loading a model runs no stored code.
                    with np.load(directory / IDF_FILE, allow_pickle=False) as stored:
                        component.idf = {name: stored[name] for name in stored.files}
        except ValueError:
            logger.warning("no n-gram vocabulary in this model: no n-gram features")
            return component
        component.vectorizers = component._new_vectorizers(vocabularies)
        return component

