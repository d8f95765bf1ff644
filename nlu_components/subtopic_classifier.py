"""Which sub-question of its topic a message asks: a second classifier stage inside Rasa.

Training data are written as Rasa retrieval intents (`subquestions/<lang>/<topic>.yml`,
`- intent: housing_rights/job_loss`). `winbot train` gives them to Rasa as the base intent (`housing_rights`, so
the intent classifier learns the topic from them too) with the key in the block's metadata (`metadata:
{subtopic: housing_rights/job_loss}`, see bot/training.py); data given as retrieval intents
(`intent_response_key`) works too. This component learns, per topic, one linear classifier over that topic's
sub-answers (a linear SVM with calibrated probabilities) on the same features as the intent classifier: the word
and character n-grams of the pipeline's featurizers, plus any dense sentence features. Any `topic/key` in the
data is learned: a new sub-answer needs no code change.

At prediction time it runs after the intent classifier and adds to the parse result:

    "subtopic": {"intent": "housing_rights", "name": "housing_rights/job_loss", "confidence": 0.81,
                 "ranking": [{"name": "housing_rights/job_loss", "confidence": 0.81}, ...]}

for the classifier's top intent (before the fallback classifier turns an unsure intent into `nlu_fallback`), or
nothing when that intent has no sub-answers. When the intent classifier was unsure and the model over all topics'
sub-answers is confident of one, that sub-answer's topic becomes the intent (`topic_from_subquestion` in the output
says so and keeps what the intent classifier said). Deciding whether to answer, offer two buttons or the whole menu is
the action's job (core/subtopics.py), so the thresholds can change without retraining.

Why not Rasa's ResponseSelector: it is a DIET network; trained on the same data on 2 cores it took far longer
than these linear models (see reports/nlu-eval.md and `make bench`), and its answers would have to live in the
domain as `utter_housing_rights/job_loss` responses, while ours are rendered from sourced content.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix
from sklearn.calibration import CalibratedClassifierCV

from nlu_components import neighbours
from nlu_components.features import OwnCodeComponent, calibrated_svm, feature_matrix, fit, load_model
from nlu_components.neighbours import Neighbours

logger = logging.getLogger(__name__)

OUTPUT = "subtopic"
INDEX_FILE = "topics.json"
NEIGHBOURS_FILE = "neighbours.npz"
#: The name under which the model over all topics' sub-answers is kept.
ACROSS_TOPICS = "*"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SubtopicClassifier(OwnCodeComponent):
    """One linear classifier per topic over its sub-answers (`topic/key`), with calibrated probabilities."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Regularisation of the linear SVM (on L2-normalised features): chosen on held-out data (make eval).
            "C": 2.0,
            # Dense sentence features to use besides the n-grams (nlu_components/sentence_embedder.py), and their
            # weight against the n-grams (both unit length): chosen on held-out sub-questions (docs/subtopics.md).
            "dense_attributes": ["text", "sentence_embedding"],
            "dense_weight": 2.0,
            # Folds of the probability calibration (Platt scaling on held-out folds) of the model over all topics.
            # Two, not three: on 2 cores its training takes half the time (about 20 s less), its top sub-answer is
            # right as often (93.8 %), and its answers of at least 0.7 (where it may decide the topic) are as
            # precise (99.0 %) but 3 points fewer (docs/subtopics.md, seventh session).
            "calibration_folds": 2,
            # The per-topic models' C and folds. Five folds: each of the five SVMs whose probabilities are averaged
            # learns from four fifths of the examples instead of two thirds. Measured offline on the second split
            # of the training data (docs/subtopics.md, seventh session), topic given: 91.8 -> 93.7 % specific
            # answers with C = 3, wrong ones unchanged (1.1 %); about 10 s more training on 2 cores.
            "topic_C": 3.0,
            "topic_calibration_folds": 5,
            "random_state": 7,
            # Entries of the ranking in the output.
            "ranking_length": 5,
            # A confident sub-question decides the topic when the intent classifier is unsure (see
            # _topic_from_subquestion): the model over all topics' sub-answers gives one at least this probability,
            "switch_confidence": 0.7,
            # the intent classifier's top intent has less than this,
            "switch_when_intent_below": 0.6,
            # and gives the sub-answer's topic at least this. Chosen on held-out data (docs/subtopics.md).
            "switch_topic_at_least": 0.1,
            # Intents never overruled: a message read as an emergency or as asking for a person stays so.
            "never_switch_from": ["emergency", "human_handoff"],
            # The nearest training examples' share of each model's probabilities (nlu_components/neighbours.py):
            # within a topic, its own examples; across topics, all of them.
            **neighbours.default_config(),
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.models: dict[str, CalibratedClassifierCV] = {}
        self.neighbours: Neighbours | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SubtopicClassifier:
        return cls(config, model_storage, resource)

    def _features(self, messages: list[Message]) -> csr_matrix:
        return feature_matrix(messages, self.config["dense_attributes"], self.config["dense_weight"])

    @staticmethod
    def _key(example: Message) -> str | None:
        """The sub-answer of a training example: `housing_rights/job_loss`, or None."""
        intent_metadata = (example.get(METADATA) or {}).get(METADATA_INTENT) or {}
        key = example.get(INTENT_RESPONSE_KEY) or (intent_metadata.get(OUTPUT) if isinstance(intent_metadata, dict)
                                                   else None)
        return str(key) if key else None

    def _new_model(self, per_topic: bool) -> CalibratedClassifierCV:
        # Measured on the held-out sub-questions (2 cores): a linear SVM trains all topics in seconds and was as
        # accurate as logistic regression, which took minutes (lbfgs on 160,000 n-gram features).
        config = self.config
        if per_topic:
            config = {**config, "C": config["topic_C"], "calibration_folds": config["topic_calibration_folds"]}
        return calibrated_svm(config, class_weight="balanced")

    def train(self, training_data: TrainingData) -> Resource:
        by_topic: dict[str, list[Message]] = defaultdict(list)
        for example in training_data.intent_examples:
            key = self._key(example)
            if key and example.get(TEXT) and example.get(INTENT):
                by_topic[example.get(INTENT)].append(example)
        for topic, examples in sorted(by_topic.items()):
            counts = Counter(self._key(e) for e in examples)
            too_few = sorted(str(k) for k, n in counts.items() if n < self.config["topic_calibration_folds"])
            if too_few:
                logger.warning("left out of the sub-question classifier (too few examples): %s", ", ".join(too_few))
            examples = [e for e in examples if self._key(e) not in too_few]
            labels = np.array([self._key(e) for e in examples])
            if len(set(labels)) < 2:
                # One sub-answer only: nothing to choose between; the action shows the topic's sub-questions.
                logger.warning("topic %s has fewer than two sub-answers: no sub-question classifier", topic)
                continue
            model = self._new_model(per_topic=True)
            fit(model, self._features(examples), labels)
            self.models[topic] = model
        # One more model over every sub-answer of every topic: a sub-answer is given only when it agrees with the
        # per-topic model, so a wrong topic does not lead to a confident wrong sub-answer (docs/subtopics.md).
        everything = [e for examples in by_topic.values() for e in examples]
        counts = Counter(self._key(e) for e in everything)
        everything = [e for e in everything if counts[self._key(e)] >= self.config["calibration_folds"]]
        if len({self._key(e) for e in everything}) >= 2:
            model = self._new_model(per_topic=False)
            fit(model, self._features(everything), np.array([self._key(e) for e in everything]))
            self.models[ACROSS_TOPICS] = model
        if self.config["neighbour_weight"] and everything:
            self.neighbours = Neighbours.of(everything, [str(self._key(e)) for e in everything], self.config)
        self.persist()
        return self._resource

    def _topic_from_subquestion(self, message: Message, across_best: tuple[str, float] | None
                                ) -> dict[str, Any] | None:
        """Make the topic of a confident sub-question the intent when the intent classifier was unsure.

        The intent classifier learns topics from every example of a topic at once; the model over all sub-answers
        learns the situations one by one, and a message that clearly asks one of them ("I gave my passport for
        the registration and never got it back") is often read better by it. Measured on held-out sub-questions
        (docs/subtopics.md): 1.6-3.6 points more specific answers, wrong ones unchanged, intents of the other
        held-out examples unchanged. Returns what was changed, for the output, or None.
        """
        intent = message.get(INTENT) or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if (across_best is None or not name or name in self.config["never_switch_from"]
                or confidence >= self.config["switch_when_intent_below"]):
            return None
        key, probability = across_best
        topic = key.split("/")[0]
        ranking = list(message.get("intent_ranking") or [])
        topic_confidence = next((float(e.get("confidence") or 0.0) for e in ranking if e.get("name") == topic), 0.0)
        if (topic == name or probability < self.config["switch_confidence"]
                or topic_confidence < self.config["switch_topic_at_least"]):
            return None
        chosen = {"name": topic, "confidence": probability}
        message.set(INTENT, chosen, add_to_output=True)
        message.set("intent_ranking", [chosen] + [e for e in ranking if e.get("name") != topic], add_to_output=True)
        return {"intent_classifier": {"name": name, "confidence": confidence}, "decided_by": key}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not self.models:
                continue
            features = self._features([message])
            # How close the message is to each training example: computed once, for both models.
            similarities = None
            if self.neighbours is not None:
                nearest = neighbours.rows([message], self.config["neighbour_embedding"])
                similarities = self.neighbours.similarities(*nearest)
            across = self.models.get(ACROSS_TOPICS)
            across_best = None
            if across is not None:
                across_probabilities = self._blend(across, across.predict_proba(features), similarities)[0]
                best_index = int(np.argmax(across_probabilities))
                across_best = (str(across.classes_[best_index]), float(across_probabilities[best_index]))
            switched = self._topic_from_subquestion(message, across_best)
            topic = (message.get(INTENT) or {}).get("name")
            model = self.models.get(topic) if topic else None
            if model is None:
                continue
            probabilities = self._blend(model, model.predict_proba(features), similarities)[0]
            pairs = zip(model.classes_, probabilities, strict=True)
            ranking = [{"name": str(k), "confidence": float(p)} for k, p in pairs]
            ranking.sort(key=lambda entry: -entry["confidence"])
            output = {"intent": topic, "name": ranking[0]["name"], "confidence": ranking[0]["confidence"],
                      "ranking": ranking[: self.config["ranking_length"]]}
            if switched:
                # The topic came from the sub-question: what the intent classifier said, for logs and make eval.
                output["topic_from_subquestion"] = switched
            if across_best is not None:
                # core/subtopics.py answers only when both models name the same sub-answer.
                output["across_topics"] = across_best[0]
                output["across_confidence"] = across_best[1]
                output["agrees"] = across_best[0] == ranking[0]["name"]
            message.set(OUTPUT, output, add_to_output=True)
        return messages

    def _blend(self, model: CalibratedClassifierCV, probabilities: np.ndarray,
               similarities: np.ndarray | None) -> np.ndarray:
        """The model's probabilities with the nearest training examples of its sub-answers blended in."""
        if self.neighbours is None or similarities is None:
            return probabilities
        return self.neighbours.blend(probabilities, similarities, [str(c) for c in model.classes_])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            index = {}
            for number, (topic, model) in enumerate(sorted(self.models.items())):
                filename = f"topic-{number}.skops"
                sio.dump(model, directory / filename)
                index[topic] = filename
            (directory / INDEX_FILE).write_text(json.dumps(index), encoding="utf-8")
            if self.neighbours is not None:
                self.neighbours.save(directory / NEIGHBOURS_FILE)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SubtopicClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                index = json.loads((directory / INDEX_FILE).read_text(encoding="utf-8"))
                for topic, filename in index.items():
                    component.models[topic] = load_model(directory / filename)
                if component.config["neighbour_weight"] and (directory / NEIGHBOURS_FILE).exists():
                    component.neighbours = Neighbours.load(directory / NEIGHBOURS_FILE, component.config)
        except ValueError:
            logger.warning("no sub-question classifier in this model: sub-questions are offered as buttons")
            return cls(config, model_storage, resource)
        return component
