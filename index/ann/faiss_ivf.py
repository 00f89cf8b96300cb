"""faiss-ivf-sq8: approximate cosine search over 8-bit scalar-quantised vectors.

An inverted file (`IndexIVFScalarQuantizer`, inner product) keeps each 384-d vector in
384 bytes (a quarter of float32) plus its 8-byte id and a hash-table entry that maps the
id to its place (for removal and for reading a vector back). A query scans `nprobe` of
the `nlist` lists. `nprobe` is tuned when the index is trained: the smallest power of
two whose recall@10 against exact search reaches `TUNE_RECALL` (or, where 8-bit vectors
cap the recall below that, comes within `CAP_MARGIN` of scanning every list), on queries
made by moving a sample of the stored vectors off their place (cosine ~0.7, like a
question to its answers), times `PROBE_MARGIN`; it is saved with the index.

Vectors read back (`vectors(ids)`) are the decoded 8-bit ones: their cosines with
questions differ from the originals' by 0.0003 on average, 0.008 at most (measured on
SciFact), which is all the answer's cosine features need.

Filters: an `allowed` set of up to `EXACT_LIMIT` ids is searched exactly over its
decoded vectors (a small set would otherwise lose its best members to unprobed lists);
a larger one that is a good share of the index is searched unfiltered for about
k / share * POSTFILTER_MARGIN results, of which the allowed are kept (at 1M sentences,
one outlet in 7: 4.5 ms against 26.6 ms through an id selector, same recall); the rest
through the lists with an id selector and `nprobe` raised by 1 / share.

Until it is trained the store holds what it is given in memory; it trains (on up to
`TRAIN_PER_LIST` vectors a list) once it holds `size_hint` vectors, or when first
searched or saved.
"""

from __future__ import annotations

import logging
import math
import os
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from index.ann.base import as_ids, as_matrix, pairs, reconstructed

log = logging.getLogger(__name__)

TUNE_RECALL = 0.99  # recall@10 against exact search that the tuned nprobe reaches on stored vectors
TUNE_QUERIES = 200
PROBE_MARGIN = 2  # nprobe kept is this times the tuned one (measured on real questions in bench/)
CAP_MARGIN = 0.005  # how far below the recall of scanning every list the tuned nprobe may stay
TRAIN_PER_LIST = 40  # training vectors per list (FAISS warns below 39)
TRAIN_ITERATIONS = 10  # k-means passes: the lists only route queries, so rough centroids do
EXACT_LIMIT = 2_000  # allowed sets up to this size are searched exactly
POSTFILTER_MARGIN = 4  # a larger one: search for k / share * this many, keep the allowed ...
POSTFILTER_MAX = 2_048  # ... when that is at most this many; else an id selector with a wider probe
SEED = 1234


@contextmanager
def _all_cores():
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def lists_for(size: int) -> int:
    """Number of inverted lists for `size` vectors: about 2*sqrt(size), a power of two,
    with at least TRAIN_PER_LIST vectors a list."""
    if size < 2 * TRAIN_PER_LIST:
        return 1
    wanted = 2 ** round(math.log2(2 * math.sqrt(size)))
    return max(1, min(wanted, 2 ** int(math.log2(size // TRAIN_PER_LIST))))


class IvfSq8Store:
    """Approximate cosine search over int64 ids with IVF lists of 8-bit vectors."""

    NAME = "faiss-ivf-sq8"
    FILENAME = "vectors.faiss"

    def __init__(self, dimensions: int, index: faiss.IndexIVFScalarQuantizer | None = None,
                 size_hint: int = 0) -> None:
        self.dimensions = dimensions
        self.index = index
        self.size_hint = size_hint
        self._pending_ids: list[np.ndarray] = []
        self._pending: list[np.ndarray] = []

    @classmethod
    def create(cls, dimensions: int, size_hint: int = 0, **options) -> IvfSq8Store:
        return cls(dimensions, size_hint=size_hint)

    @classmethod
    def load(cls, folder: Path, **options) -> IvfSq8Store:
        index = faiss.read_index(str(folder / cls.FILENAME))
        if not isinstance(index, faiss.IndexIVFScalarQuantizer):
            raise ValueError(f"{cls.FILENAME} holds a {type(index).__name__}, not an IVF-SQ8 index")
        if not index.is_trained:
            return cls(index.d)
        return cls(index.d, index)

    def save(self, folder: Path) -> None:
        self._flush()
        index = self.index or self._untrained(1)
        faiss.write_index(index, str(folder / self.FILENAME))

    # building -----------------------------------------------------------------------
    def _untrained(self, nlist: int) -> faiss.IndexIVFScalarQuantizer:
        quantizer = faiss.IndexFlatIP(self.dimensions)
        index = faiss.IndexIVFScalarQuantizer(quantizer, self.dimensions, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantizer.this.disown()
        return index

    def _flush(self) -> None:
        """Train on what is held (when untrained) and move it into the index."""
        if not self._pending:
            return
        ids, vectors = np.concatenate(self._pending_ids), np.concatenate(self._pending)
        self._pending_ids, self._pending = [], []
        untrained = self.index is None
        with _all_cores():  # bulk work (k-means, assigning to lists); queries stay on one thread
            if untrained:
                self._train(vectors, max(len(vectors), self.size_hint))
            self.index.add_with_ids(vectors, ids)
        if untrained:
            self.tune(vectors, ids)

    def _train(self, vectors: np.ndarray, size: int) -> None:
        nlist = lists_for(size)
        if len(vectors) < nlist * TRAIN_PER_LIST:
            nlist = lists_for(len(vectors))
        rng = np.random.default_rng(SEED)
        wanted = nlist * TRAIN_PER_LIST
        sample = vectors if len(vectors) <= wanted else vectors[np.sort(rng.choice(len(vectors), wanted,
                                                                                      replace=False))]
        log.info("training IVF-SQ8 with %d lists on %d vectors", nlist, len(sample))
        index = self._untrained(nlist)
        index.cp.seed = SEED
        index.cp.min_points_per_centroid = 1  # a small index has few points a list, knowingly
        index.cp.niter = TRAIN_ITERATIONS
        index.train(sample)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        self.index = index

    def tune(self, vectors: np.ndarray, ids: np.ndarray, target: float = TUNE_RECALL) -> float:
        """Set nprobe to the smallest power of two whose recall@10 against exact search over
        `vectors` (stored under `ids`) reaches `target`, on queries made from a sample of them.
        Returns the recall reached."""
        if len(vectors) < 2 or self.index is None:
            return 1.0
        rng = np.random.default_rng(SEED + 1)
        rows = rng.choice(len(vectors), min(TUNE_QUERIES, len(vectors)), replace=False)
        # Queries are stored vectors moved by a random unit vector (cosine ~0.7 to where they
        # started): like a question, near some sentences but equal to none.
        noise = rng.standard_normal((len(rows), vectors.shape[1])).astype(np.float32)
        queries = vectors[rows] + noise / np.linalg.norm(noise, axis=1, keepdims=True)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        k = min(10, len(vectors))
        _, exact = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
        truth = [set(ids[r].tolist()) for r in exact]

        def recall_at(nprobe: int) -> float:
            self.index.nprobe = nprobe
            _, found = self.index.search(queries, k)
            got = [set(f.tolist()) for f in found]
            return float(np.mean([len(t & g) / len(t) for t, g in zip(truth, got)]))

        # 8-bit vectors cap what any nprobe reaches: aim at the cap when it is below the target
        wanted = min(target, recall_at(self.index.nlist) - CAP_MARGIN)
        nprobe = 1
        while (recall := recall_at(nprobe)) < wanted and nprobe < self.index.nlist:
            nprobe = min(nprobe * 2, self.index.nlist)
        # Questions sit farther from every sentence than these queries do: a margin.
        self.index.nprobe = min(nprobe * PROBE_MARGIN, self.index.nlist)
        recall = recall_at(self.index.nprobe)
        log.info("IVF-SQ8: nprobe %d of %d lists, recall@10 %.3f against exact search",
                 self.index.nprobe, self.index.nlist, recall)
        return recall

    # the store ----------------------------------------------------------------------
    def __len__(self) -> int:
        return (self.index.ntotal if self.index is not None else 0) + sum(len(i) for i in self._pending_ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray, rows=None) -> None:
        """Store `vectors` under `ids`; `rows` (the sentences' fields, for engines that filter
        on them) is not needed here."""
        if not len(ids):
            return
        ids, vectors = as_ids(ids), as_matrix(vectors, self.dimensions)
        if self.index is not None:
            self.index.add_with_ids(vectors, ids)
            return
        self._pending_ids.append(ids)
        self._pending.append(vectors)
        if self.size_hint and len(self) >= self.size_hint:
            self._flush()

    def remove(self, ids: np.ndarray) -> None:
        if not len(ids):
            return
        self._flush()
        if self.index is not None:
            ids = as_ids(ids)
            self.index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored (decoded 8-bit) vectors of `ids`, a row of zeros for an id not stored."""
        self._flush()
        if self.index is None or not len(ids):
            return np.zeros((len(ids), self.dimensions), dtype=np.float32)
        try:  # one call for all (it refuses the lot if one id is missing)
            return self.index.reconstruct_batch(as_ids(ids))
        except RuntimeError:
            return reconstructed(self.index, ids, self.dimensions)

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (id, decoded vector) stored, for moving to another backend."""
        self._flush()
        if self.index is None or self.index.ntotal == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dimensions), dtype=np.float32)
        lists = self.index.invlists
        ids = np.concatenate([faiss.rev_swig_ptr(lists.get_ids(n), lists.list_size(n)).copy()
                              for n in range(self.index.nlist) if lists.list_size(n)])
        return ids, self.vectors(ids.tolist())

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The k nearest ids of each of many vectors, in one pass (for work at ingest)."""
        self._flush()
        if self.index is None or self.index.ntotal == 0 or k <= 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        scores, ids = self.index.search(as_matrix(vectors, self.dimensions), min(k, self.index.ntotal))
        return [pairs(row_ids, row_scores) for row_ids, row_scores in zip(ids, scores)]

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """The k nearest ids with cosine scores; `allowed` restricts to those ids."""
        self._flush()
        if self.index is None or self.index.ntotal == 0 or k <= 0:
            return []
        query = as_matrix(vector, self.dimensions)
        if allowed is None:
            scores, ids = self.index.search(query, min(k, self.index.ntotal))
            return pairs(ids[0], scores[0])
        allowed = as_ids(allowed)
        if len(allowed) == 0:
            return []
        if len(allowed) <= EXACT_LIMIT:
            stored = self.vectors(allowed.tolist())
            scores = np.where(np.any(stored != 0, axis=1), stored @ query[0], -np.inf)
            order = np.argsort(-scores, kind="stable")[:k]
            return [(int(allowed[r]), float(scores[r])) for r in order if np.isfinite(scores[r])]
        share = len(allowed) / self.index.ntotal
        wanted = math.ceil(k / share * POSTFILTER_MARGIN)
        if wanted <= POSTFILTER_MAX:  # a good share of the index: search it all, keep the allowed
            scores, ids = self.index.search(query, min(wanted, self.index.ntotal))
            ordered = np.sort(allowed)
            at = np.minimum(np.searchsorted(ordered, ids[0]), len(ordered) - 1)
            keep = (ordered[at] == ids[0]) & (ids[0] != -1)
            if keep.sum() >= min(k, len(allowed)):
                return pairs(ids[0][keep][:k], scores[0][keep][:k])
        nprobe = min(self.index.nlist, math.ceil(self.index.nprobe / max(share, 1e-9)))
        params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBatch(allowed), nprobe=nprobe)
        scores, ids = self.index.search(query, min(k, self.index.ntotal), params=params)
        return pairs(ids[0], scores[0])
