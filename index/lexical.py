"""Lexical search: BM25 over sentence tokens with bm25s, plus spelling variants."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import bm25s
import numpy as np

from index.text import is_variant, skeleton, tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class LexicalIndex:
    """BM25 over sentences; document i of bm25s is `ids[i]`."""

    FOLDER = "bm25"

    def __init__(self, retriever: bm25s.BM25, ids: np.ndarray) -> None:
        self.retriever = retriever
        self.ids = ids
        self.row_of = {int(i): row for row, i in enumerate(ids)}
        self.vocabulary: set[str] = set(getattr(retriever, "vocab_dict", None) or {})
        self._variants: dict[str, list[str]] = defaultdict(list)
        for token in self.vocabulary:
            self._variants[skeleton(token)].append(token)

    @classmethod
    def build(cls, ids: list[int], texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        corpus_tokens = [tokens(t) or ["<empty>"] for t in texts]
        if not corpus_tokens:  # an empty index still saves and loads; id -1 is never returned
            corpus_tokens, ids = [["<empty>"]], [-1]
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, np.asarray(ids, dtype=np.int64))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(folder / cls.FOLDER))
        ids = np.load(folder / cls.FOLDER / "ids.npy")
        return cls(retriever, ids)

    def save(self, folder: Path) -> None:
        target = folder / self.FOLDER
        target.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(target))
        np.save(target / "ids.npy", self.ids)

    def expand(self, query: str) -> list[str]:
        """Query tokens plus the indexed spelling variants of each."""
        expanded: list[str] = []
        for token in tokens(query):
            group = [t for t in self._variants.get(skeleton(token), []) if is_variant(token, t)]
            for t in [token, *group]:
                if t in self.vocabulary and t not in expanded:
                    expanded.append(t)
        return expanded

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best sentence ids by BM25, optionally only among `allowed` ids."""
        query_tokens = self.expand(query)
        if not query_tokens or len(self.ids) == 0:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            rows = [self.row_of[int(i)] for i in allowed if int(i) in self.row_of]
            if not rows:
                return []
            mask[rows] = 1.0
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve([query_tokens], k=k, weight_mask=mask,
                                               show_progress=False, return_as="tuple")
        return [(int(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0 and self.ids[d] >= 0]
