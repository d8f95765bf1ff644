"""Checks of the classifier components that need Rasa: run by test_components.py in the Rasa environment.

`python in_rasa_env.py CHECK` runs one check and exits 0 when it holds (an assertion error otherwise). Kept as a
script, not a pytest module: the app environment has no Rasa, and the Rasa environment has no pytest.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from scipy.sparse import csr_matrix, hstack, vstack  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402

from nlu_components import features as features_module  # noqa: E402
from nlu_components.subtopic_classifier import ACROSS_TOPICS, SubtopicClassifier  # noqa: E402


def message(seed: int, text: str = "x") -> Message:
    """A message with the features the pipeline gives: two n-gram featurizers (tokens and sentence) and an
    embedding, in pipeline order."""
    rng = np.random.default_rng(seed)
    result = Message(data={TEXT: text})
    tokens = int(rng.integers(2, 9))
    for origin, width in (("run_CountVectorsFeaturizer1", 300), ("run_CountVectorsFeaturizer2", 1000)):
        sequence = sp.random(tokens, width, density=0.02, format="coo", random_state=seed)
        result.add_features(Features(sequence, "sequence", TEXT, origin))
        result.add_features(Features(sp.coo_matrix(sequence.sum(axis=0)), "sentence", TEXT, origin))
    embedding = rng.standard_normal((1, 384)).astype(np.float32)
    result.add_features(Features(embedding / np.linalg.norm(embedding), "sentence", "sentence_embedding",
                                 "run_SentenceEmbedder"))
    return result


def check_feature_matrix() -> None:
    """Built a featurizer at a time, the matrix is the one Rasa's per-message feature joining gives."""
    messages = [message(seed) for seed in range(200)]
    rows = []
    for one in messages:
        sparse = one.get_sparse_features(attribute=TEXT)[1]
        dense = one.get_dense_features(attribute="sentence_embedding")[1]
        rows.append(hstack([normalize(csr_matrix(sparse.features)), csr_matrix(dense.features * 2.0)]))
    expected = normalize(vstack(rows).tocsr())
    built = features_module.feature_matrix(messages, ["text", "sentence_embedding"], 2.0)
    assert built.shape == expected.shape == (200, 1684), built.shape
    assert abs(built - expected).max() < 1e-6
    # A message without the embedding (none is added for it) still gets a row of the same width.
    bare = Message(data={TEXT: "y"})
    for feature in message(7).features:
        if feature.attribute == TEXT:
            bare.add_features(feature)
    assert features_module.feature_matrix([messages[0], bare], ["sentence_embedding"], 2.0).shape == (2, 1684)


def check_sparse_weights_round_trip() -> None:
    """A model trained on part of the features keeps its weights sparse, predicts the same, and loads back."""
    rng = np.random.default_rng(1)
    # Half the features never occur in this model's examples.
    matrix = sp.hstack([sp.random(300, 2500, density=0.004, random_state=2), sp.csr_matrix((300, 2500))], format="csr")
    labels = np.array(["a", "b", "c"])[rng.integers(0, 3, 300)]
    model = features_module.calibrated_svm({"C": 1.0, "calibration_folds": 3, "random_state": 7})
    features_module.fit(model, matrix, labels)
    weights = [getattr(c, "estimator", None) or c.base_estimator for c in model.calibrated_classifiers_]
    assert all(sp.issparse(w.coef_) for w in weights)
    with tempfile.TemporaryDirectory() as directory:
        import skops.io as sio

        path = Path(directory) / "model.skops"
        sio.dump(model, path)
        loaded = features_module.load_model(path)
    assert np.allclose(loaded.predict_proba(matrix[:20]), model.predict_proba(matrix[:20]))
    # Laid out column-wise after training and after loading, so scoring a message does not copy the weights.
    for svm in weights + [getattr(c, "estimator", None) or c.base_estimator for c in loaded.calibrated_classifiers_]:
        assert svm.coef_.format == "csc", svm.coef_.format


def check_dense_weights_are_column_wise() -> None:
    """Weights mostly not zero stay dense, in Fortran order (a column per class after the transpose)."""
    rng = np.random.default_rng(4)
    matrix = csr_matrix(rng.standard_normal((200, 40)))
    model = features_module.calibrated_svm({"C": 1.0, "calibration_folds": 3, "random_state": 7})
    features_module.fit(model, matrix, np.array(["a", "b", "c"])[rng.integers(0, 3, 200)])
    for calibrated in model.calibrated_classifiers_:
        svm = getattr(calibrated, "estimator", None) or calibrated.base_estimator
        assert not sp.issparse(svm.coef_) and svm.coef_.flags.f_contiguous


def check_subtopic_model_folds() -> None:
    """The per-topic models average five calibrated SVMs, the model over all topics two (config defaults)."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import METADATA, METADATA_INTENT
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = []
    for seed in range(120):
        one = message(seed, f"example {seed}")
        topic = "housing_rights" if seed % 2 else "work_rights"
        one.set(INTENT, topic)
        one.set(METADATA, {METADATA_INTENT: {"subtopic": f"{topic}/{'a' if seed % 4 < 2 else 'b'}"}})
        examples.append(one)
    with tempfile.TemporaryDirectory() as directory:
        component = SubtopicClassifier.create({"neighbour_weight": 0}, LocalModelStorage(Path(directory)),
                                              Resource("subtopics"), None)  # type: ignore[arg-type]
        component.train(TrainingData(examples))
    per_topic = {topic: len(model.calibrated_classifiers_) for topic, model in component.models.items()
                 if topic != ACROSS_TOPICS}
    assert per_topic == {"housing_rights": 5, "work_rights": 5}, per_topic
    assert len(component.models[ACROSS_TOPICS].calibrated_classifiers_) == 2


class Across:
    """Stands in for the model over all topics' sub-answers: always the same probabilities."""

    def __init__(self, probabilities: dict[str, float]) -> None:
        self.classes_ = np.array(list(probabilities))
        self._row = np.array(list(probabilities.values()))

    def predict_proba(self, matrix: Any) -> np.ndarray:
        return np.tile(self._row, (matrix.shape[0], 1))


def classified(intent: str, confidence: float, ranking: dict[str, float], across: dict[str, float]) -> Message:
    component = SubtopicClassifier({}, model_storage=None, resource=None)  # type: ignore[arg-type]
    component.models = {ACROSS_TOPICS: Across(across), "housing_rights": Across({"housing_rights/job_loss": 0.9,
                                                                               "housing_rights/space_norms": 0.1})}
    one = message(3)
    one.set(INTENT, {"name": intent, "confidence": confidence})
    one.set("intent_ranking", [{"name": name, "confidence": value} for name, value in ranking.items()])
    component.process([one])
    return one


def check_topic_from_subquestion() -> None:
    """An unsure intent gives way to a confident sub-question's topic, and only then."""
    sure_job_loss = {"housing_rights/job_loss": 0.8, "work_rights/ww": 0.2}
    switched = classified("work_rights", 0.45, {"work_rights": 0.45, "housing_rights": 0.3}, sure_job_loss)
    assert switched.get(INTENT) == {"name": "housing_rights", "confidence": 0.8}, switched.get(INTENT)
    assert [e["name"] for e in switched.get("intent_ranking")] == ["housing_rights", "work_rights"]
    output = switched.get("subtopic")
    assert output["intent"] == "housing_rights" and output["name"] == "housing_rights/job_loss"
    assert output["topic_from_subquestion"] == {"intent_classifier": {"name": "work_rights", "confidence": 0.45},
                                                "decided_by": "housing_rights/job_loss"}
    # A sure intent stays.
    kept = classified("work_rights", 0.7, {"work_rights": 0.7, "housing_rights": 0.2}, sure_job_loss)
    assert kept.get(INTENT)["name"] == "work_rights" and kept.get("subtopic") is None
    # The sub-question is not sure enough.
    unsure = {"housing_rights/job_loss": 0.6, "work_rights/ww": 0.4}
    kept = classified("work_rights", 0.45, {"work_rights": 0.45, "housing_rights": 0.3}, unsure)
    assert kept.get(INTENT)["name"] == "work_rights"
    # The intent classifier gave the sub-question's topic almost nothing.
    kept = classified("work_rights", 0.45, {"work_rights": 0.45, "housing_rights": 0.05}, sure_job_loss)
    assert kept.get(INTENT)["name"] == "work_rights"
    # An emergency is never overruled.
    kept = classified("emergency", 0.4, {"emergency": 0.4, "housing_rights": 0.3}, sure_job_loss)
    assert kept.get(INTENT)["name"] == "emergency"


def check_ngram_featurizer() -> None:
    """Whole-message n-gram counts for every training example in one go, the same after storing and loading."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu_components import ngram_featurizer as ngram_module
    from nlu_components.ngram_featurizer import NgramFeaturizer

    texts = ["szef zabrał mi paszport", "szef zabral mi paszport", "where do I register", "ik ben ziek"]
    with tempfile.TemporaryDirectory() as directory:
        storage = LocalModelStorage(Path(directory))
        resource = Resource("ngrams")
        context = ExecutionContext(GraphSchema({}), node_name="run_NgramFeaturizer1")
        featurizer = NgramFeaturizer.create({"max_char_features": 500}, storage, resource, context)
        training = TrainingData([Message(data={TEXT: t, INTENT: "x"}) for t in texts])
        featurizer.train(training)
        # The training examples' n-grams, kept from learning the vocabularies, are used once and then dropped: as in
        # a training, by another instance loaded from what training stored.
        assert len(ngram_module._TRAINING_ROWS) == 1
        NgramFeaturizer.load({"max_char_features": 500}, storage, resource, context).process_training_data(training)
        assert ngram_module._TRAINING_ROWS == {}
        features = [m.features for m in training.training_examples]
        # One sentence feature per kind, word n-grams first (the classifiers join them in this order).
        assert all([f.origin for f in r] == ["run_NgramFeaturizer1.word", "run_NgramFeaturizer1.char"]
                   and all(f.type == "sentence" and f.attribute == TEXT for f in r) for r in features)
        rows = [[Features(joined(r), "sentence", TEXT, "joined")] for r in features]
        width = rows[0][0].features.shape[1]
        assert 0 < width <= 500 + len(featurizer.vectorizers["word"].vocabulary_)
        loaded = NgramFeaturizer.load({"max_char_features": 500}, storage, resource, context)
        again = joined(loaded.process([Message(data={TEXT: texts[0]})])[0].features)
        assert abs(csr_matrix(again) - csr_matrix(rows[0][0].features)).max() == 0
        # Counted again by the loaded featurizer, the training examples get the same rows as those kept from training.
        recounted = TrainingData([Message(data={TEXT: t, INTENT: "x"}) for t in texts])
        loaded.process_training_data(recounted)
        for kept, counted in zip(features, (m.features for m in recounted.training_examples), strict=True):
            assert all(abs(csr_matrix(a.features) - csr_matrix(b.features)).max() < 1e-7
                       for a, b in zip(kept, counted, strict=True))
        # A button's payload or an empty message: no text, no features, no error.
        assert loaded.process([Message(data={TEXT: ""})])[0].features == []
        # tf-idf: each kind of n-gram at unit length; "szef" (in two of the four texts) weighs less than "where"
        # (in one), though both occur once; without tf_idf, the plain counts.
        word_width = len(featurizer.vectorizers["word"].vocabulary_)
        row = csr_matrix(rows[0][0].features).toarray()[0]
        assert abs(np.linalg.norm(row[:word_width]) - 1) < 1e-5 and abs(np.linalg.norm(row[word_width:]) - 1) < 1e-5
        vocabulary = featurizer.vectorizers["word"].vocabulary_
        weights = csr_matrix(rows[2][0].features).toarray()[0]
        assert row[vocabulary["szef"]] > 0
        assert featurizer.idf["word"][vocabulary["szef"]] < featurizer.idf["word"][vocabulary["where"]]
        assert weights[vocabulary["where"]] > 0
        counts = NgramFeaturizer.create({"max_char_features": 500, "tf_idf": False}, storage, Resource("counts"),
                                        context)
        plain = TrainingData([Message(data={TEXT: t, INTENT: "x"}) for t in texts])
        counts.train(plain)
        counts.process_training_data(plain)
        plain_counts = csr_matrix(joined(plain.training_examples[0].features)).data
        assert np.all(plain_counts == np.round(plain_counts)) and plain_counts.min() >= 1 and plain_counts.max() > 1
        # Missing diacritics share most character n-grams, and the word "paszport".
        first, second = (joined(m.features).toarray()[0] for m in plain.training_examples[:2])
        assert float(first @ second) / float(np.linalg.norm(first) * np.linalg.norm(second)) > 0.7
        assert counts.idf == {}
        # The features are fingerprinted (for Rasa's training cache) by the text and the vocabularies: the same
        # after loading, different for another text or for vocabularies learnt from other examples.
        fingerprints = [tuple(f.fingerprint() for f in r) for r in features]
        assert len({p for pair in fingerprints for p in pair}) == 2 * len(texts)
        assert tuple(f.fingerprint() for f in loaded.process([Message(data={TEXT: texts[0]})])[0].features) == \
            fingerprints[0]
        other = NgramFeaturizer.create({"max_char_features": 500}, storage, Resource("other"), context)
        other.train(TrainingData([Message(data={TEXT: t, INTENT: "x"}) for t in texts[1:]]))
        assert other.process([Message(data={TEXT: texts[0]})])[0].features[0].fingerprint() != fingerprints[0][0]


def joined(features: list) -> csr_matrix:
    """A message's n-gram features of both kinds side by side, as the classifiers join them."""
    return hstack([csr_matrix(f.features) for f in features], format="csr")


def near(text_seed: int, embedding: np.ndarray, word_columns: list[int], width: int = 50) -> Message:
    """A message with word n-grams (ones in ``word_columns``), character n-grams and an embedding."""
    result = Message(data={TEXT: f"m{text_seed}"})
    words = np.zeros((1, width), dtype=np.float32)
    words[0, word_columns] = 1.0
    result.add_features(Features(sp.coo_matrix(normalize(words)), "sentence", TEXT, "run_NgramFeaturizer0.word"))
    result.add_features(Features(sp.coo_matrix(np.ones((1, 5), dtype=np.float32)), "sentence", TEXT,
                                 "run_NgramFeaturizer0.char"))
    result.add_features(Features((embedding / np.linalg.norm(embedding)).reshape(1, -1).astype(np.float32),
                                 "sentence", "sentence_embedding", "run_SentenceEmbedder"))
    return result


def check_neighbours() -> None:
    """The nearest training examples: a class whose examples are closest gets most of their share, only the classes
    asked about count, the blend keeps probabilities summing to 1, and storing and loading keeps them."""
    from nlu_components.neighbours import Neighbours, default_config, rows

    rng = np.random.default_rng(5)
    centres = {"a": rng.standard_normal(384), "b": rng.standard_normal(384), "c": rng.standard_normal(384)}
    words = {"a": [1, 2], "b": [3, 4], "c": [5, 6]}
    training = [(label, near(n, centres[label] + 0.3 * rng.standard_normal(384), words[label]))
                for n, label in enumerate(["a", "b", "c"] * 6)]
    config = default_config()
    neighbours = Neighbours.of([m for _, m in training], [label for label, _ in training], config)
    assert neighbours.embeddings.shape == (18, 384) and neighbours.words.shape == (18, 50)
    query = near(99, centres["b"] + 0.3 * rng.standard_normal(384), [3])
    found = neighbours.similarities(*rows([query], config["neighbour_embedding"]))
    assert found.shape == (1, 18) and found[0, 1::3].mean() > found[0, 0::3].mean() + 0.3, found
    shares = neighbours.probabilities(found, ["a", "b", "c"])
    assert shares.shape == (1, 3) and abs(shares.sum() - 1) < 1e-9 and shares[0].argmax() == 1, shares
    # Among a and c only (another topic's sub-answers), b's examples do not count; a class without examples gets 0.
    among = neighbours.probabilities(found, ["a", "c", "unknown"])
    assert abs(among.sum() - 1) < 1e-9 and among[0, 2] == 0
    # The blend: a model slightly for a is turned to b by b's close examples; weight 0 leaves the model as it is.
    model = np.array([[0.45, 0.40, 0.15]])
    blended = neighbours.blend(model, found, ["a", "b", "c"])
    assert abs(blended.sum() - 1) < 1e-9 and blended[0].argmax() == 1, blended
    off = Neighbours.of([m for _, m in training], [label for label, _ in training], {**config, "neighbour_weight": 0})
    assert off.blend(model, found, ["a", "b", "c"]) is model
    # A message without an embedding or word n-grams is compared on what it has.
    bare = Message(data={TEXT: "x"})
    mixed_words, mixed_embeddings = rows([query, bare, query], "sentence_embedding")
    assert mixed_words.shape == (3, 50) and mixed_words[1].nnz == 0 and mixed_words[2].nnz == mixed_words[0].nnz == 1
    assert not mixed_embeddings[1].any() and np.allclose(mixed_embeddings[0], mixed_embeddings[2])
    nothing = neighbours.similarities(*rows([bare], "sentence_embedding"))
    assert nothing.shape == (1, 18) and neighbours.probabilities(nothing, ["a", "b"]).shape == (1, 2)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "neighbours.npz"
        neighbours.save(path)
        loaded = Neighbours.load(path, config)
    assert list(loaded.labels) == list(neighbours.labels)
    assert np.abs(loaded.embeddings - neighbours.embeddings).max() < 0.5 / 127 + 1e-6
    again = loaded.similarities(*rows([query], config["neighbour_embedding"]))
    assert np.abs(again - found).max() < 0.02 and loaded.probabilities(again, ["a", "b", "c"])[0].argmax() == 1


def check_components_fingerprint_their_code() -> None:
    """Every component of the package puts the package's source into its fingerprint in Rasa's training cache."""
    from nlu_components.intent_classifier import EmbeddingIntentClassifier
    from nlu_components.ngram_featurizer import NgramFeaturizer
    from nlu_components.sentence_embedder import SentenceEmbedder

    expected = features_module.code_fingerprint()
    assert len(expected) == 64
    for component in (NgramFeaturizer, SentenceEmbedder, EmbeddingIntentClassifier, SubtopicClassifier):
        assert component.fingerprint_addon({}) == expected, component


CHECKS = {name[len("check_"):]: function for name, function in globals().items() if name.startswith("check_")}

if __name__ == "__main__":
    CHECKS[sys.argv[1]]()
    print("ok")
