"""Retrieval: BM25 and dense search fused by reciprocal rank.

`Retriever.search(question, k, ...) -> [Hit]` is the one entry point; `mode` picks
"bm25", "dense" or "hybrid" so evaluations can show what each part adds. The ranking
is returned as fused, never re-weighted: spreading citations across sources is the
answer's choice (by rank position, `diversified`), so retrieval is never worse than
its parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpus.records import Article
from index.embed import Encoder
from index.library import Index
from index.records import Sentence

RRF_K = 60  # the usual reciprocal-rank-fusion constant (Cormack et al., 2009)
POOL = 50  # candidates taken from each retriever before fusion

MODES = ("bm25", "dense", "hybrid")


@dataclass
class Hit:
    sentence: Sentence
    article: Article
    score: float  # fused score, higher is better
    dense: float | None = None  # cosine similarity, when dense search found it
    lexical: float | None = None  # BM25 score, when BM25 found it


class Retriever:
    """Hybrid sentence search over one index."""

    def __init__(self, index: Index, encoder: Encoder, articles: dict[str, Article]) -> None:
        self.index, self.encoder, self.articles = index, encoder, articles

    def search(self, question: str, k: int = 10, *, mode: str = "hybrid",
               allowed: np.ndarray | None = None, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best sentences for `question`; `allowed` limits to those sentence ids;
        `vector` is the question's embedding when the caller has it already."""
        if mode not in MODES:
            raise ValueError(f"unknown retriever {mode!r}; choose one of {', '.join(MODES)}")
        pool = max(POOL, k)
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in ("dense", "hybrid"):
            vector = self.encoder.encode([question])[0] if vector is None else vector
            dense = self.index.vectors.search(vector, pool, allowed)
        if mode in ("bm25", "hybrid"):
            lexical = self.index.lexical.search(question, pool, allowed)
        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, (sid, _) in enumerate(ranking):
                fused[sid] = fused.get(sid, 0.0) + 1.0 / (RRF_K + rank + 1)
        dense_of, lexical_of = dict(dense), dict(lexical)
        sentences = self.index.db.sentences(fused)
        hits = [Hit(sentences[sid], self.articles[sentences[sid].article_id], score,
                    dense_of.get(sid), lexical_of.get(sid))
                for sid, score in fused.items() if sid in sentences]
        if mode == "hybrid":
            # Sentences BM25 alone found still get their cosine, for the answer to weigh.
            missing = [h for h in hits if h.dense is None]
            if missing:
                stored = self.index.vectors.vectors([h.sentence.id for h in missing])
                for hit, row in zip(missing, stored @ vector, strict=True):
                    hit.dense = float(row)
        hits.sort(key=lambda h: (-h.score, -(h.dense or 0.0)))
        return hits[:k]


def diversified(ranked: list, k: int, article_of, depth: int = 3) -> list:
    """The first k of `ranked` (best first) with sources spread by rank position: within
    each run of `depth` places, an item whose article is already chosen waits until the
    others of that run are taken. Scores are never changed."""
    chosen: list = []
    seen: set[str] = set()
    remaining = list(ranked)
    while remaining and len(chosen) < k:
        window = remaining[:depth]
        pick = next((item for item in window if article_of(item) not in seen), window[0])
        remaining.remove(pick)
        chosen.append(pick)
        seen.add(article_of(pick))
    return chosen
