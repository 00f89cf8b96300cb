"""Vector stores by name (after txtai's ann/factory.py).

    store = create("faiss-flat", 384)          # or pick(size) for the automatic choice
    store = load(manifest.vector_backend, version_folder)

`faiss-flat` (exact) is used up to `APPROXIMATE_ABOVE` sentences and `faiss-ivf-sq8`
(approximate, a quarter of the memory) above it, unless a name is asked for. Backends
are imported only when used, so an engine's client library is needed only by indexes
that use it; another backend registers itself in `BACKENDS` as "module:Class".
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import numpy as np

from index.ann.base import VectorStore

FLAT = "faiss-flat"
IVF_SQ8 = "faiss-ivf-sq8"
AUTO = "auto"
BACKENDS: dict[str, str] = {
    FLAT: "index.ann.faiss_flat:FlatStore",
    IVF_SQ8: "index.ann.faiss_ivf:IvfSq8Store",
    "milvus": "index.ann.milvus:MilvusStore",  # vectors, BM25 text and filter fields in a Milvus collection
}
# Above this many sentences an exact scan costs more than ~10 ms a query on one core
# (and 1.5 KB a sentence in memory): the approximate backend is picked instead.
APPROXIMATE_ABOVE = 200_000
APPROXIMATE = IVF_SQ8
MOVE_BATCH = 50_000

log = logging.getLogger(__name__)


class UnknownBackend(ValueError):
    pass


def names() -> list[str]:
    return sorted(BACKENDS)


def backend(name: str) -> type:
    """The store class registered as `name`."""
    try:
        module, cls = BACKENDS[name].split(":")
    except KeyError:
        raise UnknownBackend(f"unknown vector backend {name!r}: choose one of {', '.join(names())}") from None
    return getattr(importlib.import_module(module), cls)


def pick(size: int, requested: str | None = None, current: str | None = None,
         threshold: int | None = None) -> str:
    """The backend for an index of `size` sentences: `requested` unless it is None or
    'auto'; else exact search up to `threshold` (APPROXIMATE_ABOVE) and approximate above.
    An index already approximate stays so until it shrinks below half the threshold
    (moving back would keep the approximate vectors anyway, and sizes near the line
    would flip at every update)."""
    if requested and requested != AUTO:
        backend(requested)  # refuse an unknown name here, with the list of known ones
        return requested
    limit = APPROXIMATE_ABOVE if threshold is None else threshold
    if current == APPROXIMATE and size > limit // 2:
        return APPROXIMATE
    return FLAT if size <= limit else APPROXIMATE


def settle(store: VectorStore, manifest, requested: str | None = None, **options) -> VectorStore:
    """The store an index of `manifest.sentences` sentences keeps, by `pick`: `store`
    itself, or its vectors moved to the backend picked. Records the choice (`requested`
    when given, else what the manifest asked before) and the backend in the manifest."""
    if requested:
        manifest.vector_backend_choice = requested
    name = pick(manifest.sentences, manifest.vector_backend_choice, manifest.vector_backend)
    if name != getattr(store, "NAME", name):
        log.info("moving %d vectors from %s to %s", len(store), getattr(store, "NAME", "?"), name)
        store = convert(store, name, manifest.dimensions, **options)
    manifest.vector_backend = name
    return store


def create(name: str, dimensions: int, size_hint: int = 0, **options) -> VectorStore:
    """An empty store; `size_hint` is how many vectors it is expected to hold."""
    return backend(name).create(dimensions, size_hint, **options)


def load(name: str, folder: Path, **options) -> VectorStore:
    """The store a version folder holds, written by the backend `name`."""
    return backend(name).load(Path(folder), **options)


def filename(name: str) -> str:
    """The file (or folder) the backend `name` keeps in a version folder."""
    return backend(name).FILENAME


def convert(store: VectorStore, name: str, dimensions: int, **options) -> VectorStore:
    """The same ids and vectors in a store of backend `name` (the store itself when it is one)."""
    if getattr(store, "NAME", None) == name:
        return store
    ids, vectors = store.all()
    target = create(name, dimensions, len(ids), **options)
    for start in range(0, len(ids), MOVE_BATCH):
        target.add(ids[start:start + MOVE_BATCH], np.asarray(vectors[start:start + MOVE_BATCH]))
    return target
