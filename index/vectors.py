"""Vector stores: kept for existing imports; the backends live in `index.ann` (chosen by name)."""

from index.ann.base import VectorStore
from index.ann.faiss_flat import FlatStore as FaissStore
from index.ann.faiss_ivf import IvfSq8Store

__all__ = ["FaissStore", "IvfSq8Store", "VectorStore"]
