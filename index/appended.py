"""Vectors appended rather than rewritten, for any vector store that can add and remove.

A version's vector file (the backend's own `FILENAME`) is a base, hard-linked from the
version before, plus `vectors.delta.npz`: the ids removed from that base and the ids and
vectors added since it was written. Loading applies the delta to the base, so readers see
one store. An update writes only the delta; once the delta passes `delta_limit` of the
base, the whole store is written again and becomes the base of the next versions.
Stores that live outside the version folder (`external`, e.g. Milvus) are saved as they are.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.store import delta_limit

DELTA = "vectors.delta.npz"


@dataclass
class VectorDelta:
    """What changed in a store since its base file was written."""

    base_file: Path | None  # the file the base was read from (None: never written)
    base_count: int = 0
    removed: set[int] = field(default_factory=set)  # ids taken out since the base (applied to it first)
    added: dict[int, np.ndarray] = field(default_factory=dict)  # id -> vector added since the base

    def remove(self, ids) -> None:
        for i in np.asarray(ids, dtype=np.int64).tolist():
            self.added.pop(i, None)
            self.removed.add(i)

    def add(self, ids, vectors: np.ndarray) -> None:
        for i, vector in zip(np.asarray(ids, dtype=np.int64).tolist(), vectors, strict=True):
            self.added[i] = np.asarray(vector, dtype=np.float32)

    def small(self) -> bool:
        return len(self.added) + len(self.removed) <= delta_limit(self.base_count)


def load(store_loader: Callable[[], object], folder: Path) -> tuple[object, VectorDelta]:
    """The store a version holds (its base with its delta applied) and that delta."""
    store = store_loader()
    if getattr(store, "external", False):
        return store, VectorDelta(None)
    delta = VectorDelta(folder / store.FILENAME, len(store))
    path = folder / DELTA
    if path.exists():
        with np.load(path) as data:
            removed, ids, vectors = data["removed"], data["ids"], data["vectors"]
        if len(vectors) != len(ids) or (len(ids) and vectors.shape[1] != store.dimensions):
            raise ValueError(f"{DELTA} is inconsistent")
        store.remove(removed)
        store.add(ids, vectors)
        delta.removed, delta.added = set(removed.tolist()), dict(zip(ids.tolist(), vectors, strict=True))
    return store, delta


def save(store, delta: VectorDelta | None, folder: Path) -> None:
    """Write the store into `folder`: its base linked and the delta beside it while the delta
    is small, else the whole store (which then becomes the base)."""
    if getattr(store, "external", False) or delta is None or delta.base_file is None or \
            not delta.base_file.exists() or not delta.small() or getattr(store, "FILENAME", None) != \
            delta.base_file.name:
        store.save(folder)
        if delta is not None and not getattr(store, "external", False):
            delta.base_file, delta.base_count = folder / store.FILENAME, len(store)
            delta.removed, delta.added = set(), {}
        return
    target = folder / store.FILENAME
    try:
        os.link(delta.base_file, target)
    except OSError:
        shutil.copy2(delta.base_file, target)
    ids = np.fromiter(delta.added, dtype=np.int64, count=len(delta.added))
    vectors = np.stack(list(delta.added.values())) if delta.added else np.zeros((0, store.dimensions), np.float32)
    removed = np.fromiter(delta.removed, dtype=np.int64, count=len(delta.removed))
    with open(folder / DELTA, "wb") as handle:
        np.savez(handle, removed=removed, ids=ids, vectors=vectors)
    delta.base_file = target
