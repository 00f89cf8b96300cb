"""Retrieval: BM25 and dense search, fused by a method chosen by name (assistant/fusion.py).

`Retriever.search(question, k, ...) -> [Hit]` is the one entry point; `mode` picks
"bm25", "dense" or "hybrid" so evaluations can show what each part adds, and `fusion`
("rrf", "weighted") how hybrid combines them. The ranking is returned as fused, never
re-weighted: spreading citations across sources is the answer's choice (by rank
position, `diversified`), so retrieval is never worse than its parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assistant import fusion as fusions
from assistant.fusion import Candidates
from corpus.records import Article
from index.embed import Encoder
from index.library import Index
from index.records import Sentence

RRF_K = fusions.RRF_K
POOL = 50  # candidates taken from each retriever before fusion

MODES = ("bm25", "dense", "hybrid")


@dataclass
class Hit:
    sentence: Sentence
    article: Article
    score: float  # fused score, higher is better (its scale depends on the fusion)
    dense: float | None = None  # cosine similarity, when dense search found it
    lexical: float | None = None  # BM25 score, when BM25 found it


class Retriever:
    """Hybrid sentence search over one index."""

    def __init__(self, index: Index, encoder: Encoder, articles: Mapping[str, Article] | None = None, *,
                 fusion: str = fusions.DEFAULT) -> None:
        """`articles` maps ids to the indexed articles when the caller holds them in memory;
        without it each hit's article is read from SQLite (no memory per article)."""
        fusions.get(fusion)  # an unknown name is refused here, not at the first question
        self.index, self.encoder, self.articles, self.fusion = index, encoder, articles, fusion

    def search(self, question: str, k: int = 10, *, mode: str = "hybrid",
               allowed: np.ndarray | None = None, vector: np.ndarray | None = None,
               fusion: str | None = None) -> list[Hit]:
        """The k best sentences for `question`; `allowed` limits to those sentence ids;
        `vector` is the question's embedding when the caller has it already; `fusion`
        overrides the retriever's fusion for this search."""
        if mode not in MODES:
            raise ValueError(f"unknown retriever {mode!r}; choose one of {', '.join(MODES)}")
        fuse = fusions.get(fusion or self.fusion)
        pool = max(POOL, k)
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in ("dense", "hybrid"):
            vector = self.encoder.encode([question])[0] if vector is None else vector
            dense = self.index.vectors.search(vector, pool, allowed)
        if mode in ("bm25", "hybrid"):
            lexical = self.index.lexical.search(question, pool, allowed)
        cosine = dict(dense)
        if mode == "hybrid":
            # Sentences BM25 alone found get their cosine too: for fusion, and for the answer to weigh.
            missing = [sid for sid, _ in lexical if sid not in cosine]
            if missing:
                stored = self.index.vectors.vectors(missing)
                cosine.update(zip(missing, (float(x) for x in stored @ vector), strict=True))
            fused = fuse(Candidates(dense, lexical, cosine))
        else:  # one ranking: its own order
            fused = {sid: float(len(ranking) - rank) for ranking in (dense or lexical,)
                     for rank, (sid, _) in enumerate(ranking)}
        lexical_of = dict(lexical)
        sentences = self.index.db.sentences(fused)
        articles = self.articles
        if articles is None:
            articles = {aid: self.index.db.article(aid) for aid in {s.article_id for s in sentences.values()}}
        hits = [Hit(sentences[sid], articles[sentences[sid].article_id], score,
                    cosine.get(sid), lexical_of.get(sid))
                for sid, score in fused.items() if sid in sentences]
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
