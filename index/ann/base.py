"""The vector store interface: ids and unit vectors in, nearest ids with cosines out.

Every backend (`index.ann.factory` names them) keeps this contract, so the library and
the assistant never reach into FAISS or any engine directly:

- `add(ids, vectors)` / `remove(ids)`: int64 ids below 2**53, float32 unit vectors;
- `search(vector, k, allowed)`: the k nearest ids with cosine scores, best first,
  restricted to the `allowed` ids when given;
- `search_many(vectors, k)`: the same for many vectors in one pass (work at ingest);
- `vectors(ids)`: the stored vectors, one row each (zeros for an id not stored). An
  approximate backend may return its decoded, approximate vectors;
- `save(folder)` writes `FILENAME` in the folder; the class's `load(folder)` reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np


class VectorStore(Protocol):
    NAME: ClassVar[str]
    FILENAME: ClassVar[str]

    def add(self, ids: np.ndarray, vectors: np.ndarray, rows: list | None = None) -> None: ...
    def remove(self, ids: np.ndarray) -> None: ...
    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]: ...
    def vectors(self, ids: list[int]) -> np.ndarray: ...
    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]: ...
    def save(self, folder: Path) -> None: ...
    def __len__(self) -> int: ...


def as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def as_matrix(vectors: np.ndarray, dimensions: int) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dimensions))


def pairs(ids: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
    """One result row as (id, score) pairs, FAISS's -1 padding left out."""
    return [(int(i), float(s)) for i, s in zip(ids, scores) if i != -1]


def reconstructed(index, ids: list[int], dimensions: int) -> np.ndarray:
    """The stored vectors of `ids` read one by one from a FAISS index with an id map, a row of
    zeros for an id not stored."""
    out = np.zeros((len(ids), dimensions), dtype=np.float32)
    for row, i in enumerate(ids):
        try:
            out[row] = index.reconstruct(int(i))
        except (RuntimeError, IndexError):
            pass
    return out
