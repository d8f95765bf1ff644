"""The repository's embedding cache (nlu_components/embedding_cache.py): round trip, stable files, pruning."""

from __future__ import annotations

import numpy as np

from nlu_components.embedding_cache import EmbeddingCache, cache_key


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_a_stored_vector_comes_back_close_enough_for_cosine(tmp_path) -> None:
    cache = EmbeddingCache(tmp_path, "model-a", 384)
    cache.put("szef zabrał mi paszport", unit(1))
    assert cache.save() == 1
    again = EmbeddingCache(tmp_path, "model-a", 384).get("szef zabrał mi paszport")
    assert again is not None
    assert float(again @ unit(1)) / float(np.linalg.norm(again)) > 0.999
    assert EmbeddingCache(tmp_path, "model-a", 384).get("szef zabral mi paszport") is None  # another text


def test_another_model_does_not_see_the_vectors(tmp_path) -> None:
    cache = EmbeddingCache(tmp_path, "model-a", 384)
    cache.put("hello", unit(2))
    cache.save()
    assert EmbeddingCache(tmp_path, "model-b", 384).get("hello") is None
    assert EmbeddingCache(tmp_path, "model-a", 128).get("hello") is None  # other dimensions: not used
    assert cache_key("model-a", "hello") != cache_key("model-b", "hello")


def test_the_same_content_writes_the_same_bytes(tmp_path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for directory, order in ((first, ["x", "y", "z"]), (second, ["z", "x", "y"])):
        cache = EmbeddingCache(directory, "m", 384)
        for text in order:
            cache.put(text, unit(ord(text)))
        cache.save()
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes()


def test_prune_drops_only_texts_no_longer_used(tmp_path) -> None:
    cache = EmbeddingCache(tmp_path, "m", 384)
    for text in ("keep me", "drop me", "and me"):
        cache.put(text, unit(len(text)))
    cache.save()
    assert EmbeddingCache(tmp_path, "m", 384).prune(["keep me"]) == 2
    reloaded = EmbeddingCache(tmp_path, "m", 384)
    assert reloaded.get("keep me") is not None
    assert reloaded.get("drop me") is None and reloaded.get("and me") is None
