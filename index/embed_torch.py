"""all-MiniLM-L6-v2 through sentence-transformers and PyTorch (CPU)."""

from __future__ import annotations

import numpy as np

from index.embed import DEFAULT_MODEL, MAX_TOKENS, model_path


class TorchMiniLM:
    name, dimensions = DEFAULT_MODEL, 384

    def __init__(self, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_path()), device="cpu")
        self.model.max_seq_length = MAX_TOKENS
        self.batch_size = batch_size

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=self.batch_size, show_progress_bar=progress,
                                    convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)
