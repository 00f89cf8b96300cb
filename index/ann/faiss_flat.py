"""faiss-flat: exact cosine search (`IndexIDMap2(IndexFlatIP)`), 1,536 B a 384-d vector.

Exact and simple; fast to a few hundred thousand sentences (a scan of every vector per
query). Above that the factory picks an approximate backend.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.ann.base import as_ids, as_matrix, pairs, reconstructed

# One OpenMP thread answers a single query faster than two (measured: 2.8 vs 8 ms).
faiss.omp_set_num_threads(1)


class FlatStore:
    """Exact cosine search over int64 ids (vectors are unit length: inner product is cosine)."""

    NAME = "faiss-flat"
    FILENAME = "vectors.faiss"

    def __init__(self, dimensions: int, index: faiss.Index | None = None) -> None:
        self.dimensions = dimensions
        self.index = index or faiss.IndexIDMap2(faiss.IndexFlatIP(dimensions))

    @classmethod
    def create(cls, dimensions: int, size_hint: int = 0, **options) -> FlatStore:
        return cls(dimensions)

    @classmethod
    def load(cls, folder: Path, **options) -> FlatStore:
        index = faiss.read_index(str(folder / cls.FILENAME))
        return cls(index.d, index)

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / self.FILENAME))

    def __len__(self) -> int:
        return self.index.ntotal

    def add(self, ids: np.ndarray, vectors: np.ndarray, rows=None) -> None:
        """Store `vectors` under `ids`; `rows` (the sentences' fields, for engines that filter
        on them) is not needed here."""
        if len(ids):
            self.index.add_with_ids(as_matrix(vectors, self.dimensions), as_ids(ids))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(as_ids(ids))

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of `ids` (a row of zeros for an id not stored), one row each."""
        return reconstructed(self.index, ids, self.dimensions)

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (id, vector) stored, for moving to another backend."""
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        return ids, self.index.index.reconstruct_n(0, self.index.ntotal) if len(ids) else \
            np.zeros((0, self.dimensions), dtype=np.float32)

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The k nearest ids of each of many vectors, in one pass (for work at ingest)."""
        if self.index.ntotal == 0 or k <= 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        scores, ids = self.index.search(as_matrix(vectors, self.dimensions), min(k, self.index.ntotal))
        return [pairs(row_ids, row_scores) for row_ids, row_scores in zip(ids, scores)]

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """The k nearest ids with cosine scores; `allowed` restricts to those ids."""
        if self.index.ntotal == 0 or k <= 0:
            return []
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(as_ids(allowed)))
        scores, ids = self.index.search(as_matrix(vector, self.dimensions), min(k, self.index.ntotal),
                                        params=params)
        return pairs(ids[0], scores[0])
