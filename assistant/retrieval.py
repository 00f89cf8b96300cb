"""Retrieval: BM25 and dense search fused by reciprocal rank, diversified across sources.

`Retriever.search(question, k, ...) -> [Hit]` is the one entry point; `mode` picks
"bm25", "dense" or "hybrid" so evaluations can show what each part adds.
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
SAME_ARTICLE_PENALTY = 0.85  # each earlier pick from one article scales the next by this

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
               allowed: np.ndarray | None = None, diversify: bool = True) -> list[Hit]:
        """The k best sentences for `question`; `allowed` limits to those sentence ids."""
        if mode not in MODES:
            raise ValueError(f"unknown retriever {mode!r}; choose one of {', '.join(MODES)}")
        pool = max(POOL, k)
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in ("dense", "hybrid"):
            vector = self.encoder.encode([question])[0]
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
            for hit in hits:
                if hit.dense is None:
                    hit.dense = float(self.index.vectors.index.reconstruct(hit.sentence.id) @ vector)
        hits.sort(key=lambda h: (-h.score, -(h.dense or 0.0)))
        return diversified(hits, k) if diversify else hits[:k]


def diversified(hits: list[Hit], k: int) -> list[Hit]:
    """Pick k hits greedily, discounting an article each time it is picked again, so
    that a second source is heard before a third sentence of the first."""
    chosen: list[Hit] = []
    picks: dict[str, int] = {}
    remaining = list(hits)
    while remaining and len(chosen) < k:
        best = max(remaining, key=lambda h: h.score * SAME_ARTICLE_PENALTY ** picks.get(h.article.id, 0))
        remaining.remove(best)
        chosen.append(best)
        picks[best.article.id] = picks.get(best.article.id, 0) + 1
    return chosen
