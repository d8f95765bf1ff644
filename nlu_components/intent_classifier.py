"""The intent classifier: a linear SVM with calibrated probabilities on n-grams and a sentence embedding.

It replaces Rasa's LogisticRegressionClassifier (same output: ``intent`` and ``intent_ranking``). Two reasons,
measured (docs/subtopics.md, reports/nlu-eval.md):

- **Questions phrased unlike our data.** On questions as organisations and people wrote them on public pages
  (tests/data/public_questions/, never trained on), word and character n-grams alone got 75 % of the intents
  right; with the multilingual sentence embedding added (nlu_components/features.py), 81 %.
- **Time.** The logistic regression (lbfgs) on 200,000 n-gram features took most of the 5-minute training
  budget on 2 cores; a linear SVM on unit-length rows trains in seconds per fold, which leaves time to embed new
  examples.

Probabilities come from Platt scaling on held-out folds (scikit-learn's CalibratedClassifierCV), so the
FallbackClassifier's threshold still means "how sure".
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.calibration import CalibratedClassifierCV

from nlu_components import neighbours
from nlu_components.features import OwnCodeComponent, calibrated_svm, feature_matrix, fit, load_model
from nlu_components.neighbours import Neighbours

logger = logging.getLogger(__name__)

MODEL_FILE = "intents.skops"
NEIGHBOURS_FILE = "neighbours.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmbeddingIntentClassifier(OwnCodeComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 1.0,
            "dense_attributes": ["text", "sentence_embedding"],
            "dense_weight": 2.0,
            "calibration_folds": 3,
            "random_state": 7,
            "ranking_length": 10,
            # The nearest training examples' share of the probabilities (nlu_components/neighbours.py).
            **neighbours.default_config(),
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model: CalibratedClassifierCV | None = None
        self.neighbours: Neighbours | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> EmbeddingIntentClassifier:
        return cls(config, model_storage, resource)

    def _features(self, messages: list[Message]) -> Any:
        return feature_matrix(messages, self.config["dense_attributes"], self.config["dense_weight"])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        counts = Counter(e.get(INTENT) for e in examples)
        too_few = sorted(str(i) for i, n in counts.items() if n < self.config["calibration_folds"])
        if too_few:
            logger.warning("left out of the intent classifier (fewer examples than calibration folds): %s",
                           ", ".join(too_few))
            examples = [e for e in examples if e.get(INTENT) not in too_few]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("fewer than two intents with enough examples: no intent classifier")
            return self._resource
        self.model = calibrated_svm(self.config)
        labels = [str(e.get(INTENT)) for e in examples]
        fit(self.model, self._features(examples), np.array(labels))
        if self.config["neighbour_weight"]:
            self.neighbours = Neighbours.of(examples, labels, self.config)
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        probabilities = self.model.predict_proba(self._features(messages))
        if self.neighbours is not None:
            similarities = self.neighbours.similarities(*neighbours.rows(messages, self.config["neighbour_embedding"]))
            probabilities = self.neighbours.blend(probabilities, similarities, [str(c) for c in self.model.classes_])
        for message, row in zip(messages, probabilities, strict=True):
            ranking = sorted(({"name": str(name), "confidence": float(p)} for name, p in zip(self.model.classes_, row,
                                                                                               strict=True)),
                             key=lambda entry: -entry["confidence"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.model, directory / MODEL_FILE)
            if self.neighbours is not None:
                self.neighbours.save(directory / NEIGHBOURS_FILE)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> EmbeddingIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                component.model = load_model(directory / MODEL_FILE)
                if component.config["neighbour_weight"] and (directory / NEIGHBOURS_FILE).exists():
                    component.neighbours = Neighbours.load(directory / NEIGHBOURS_FILE, component.config)
        except ValueError:
            logger.warning("no intent classifier in this model")
        return component
