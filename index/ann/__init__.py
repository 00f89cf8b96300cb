"""Vector stores chosen by name: see `index.ann.factory` and the interface in `index.ann.base`."""

from index.ann.base import VectorStore
from index.ann.factory import (
    APPROXIMATE_ABOVE,
    AUTO,
    FLAT,
    IVF_SQ8,
    UnknownBackend,
    backend,
    convert,
    create,
    filename,
    load,
    names,
    pick,
    settle,
)

__all__ = ["APPROXIMATE_ABOVE", "AUTO", "FLAT", "IVF_SQ8", "UnknownBackend", "VectorStore", "backend", "convert",
           "create", "filename", "load", "names", "pick", "settle"]
