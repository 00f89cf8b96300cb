"""The pool a question is judged on: retrieved sentences with their neighbours and vectors.

One function (`gather`) builds it for answering and for training the judges alike, so
the features a model was trained on are the features it sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.retrieval import Hit, Retriever
from index.records import Sentence
from index.store import neighbours

SIZE = 20  # sentences judged per question


@dataclass
class Pool:
    question: str
    vector: np.ndarray
    hits: list[Hit]
    around: dict[int, list[Sentence]] = field(default_factory=dict)  # each hit with its neighbours
    contexts: dict[int, str] = field(default_factory=dict)  # the same, as text
    near: dict[int, float] = field(default_factory=dict)  # best cosine of the question with a neighbour
    vectors: dict[int, np.ndarray] = field(default_factory=dict)  # stored vectors of the hits


def gather(retriever: Retriever, question: str, size: int = SIZE, *, mode: str = "hybrid",
           allowed: np.ndarray | None = None) -> Pool:
    """Retrieve `size` sentences for `question` and read what judging them needs."""
    index = retriever.index
    vector = retriever.encoder.encode([question])[0]
    hits = retriever.search(question, size, mode=mode, allowed=allowed, vector=vector)
    around = {h.sentence.id: neighbours(index.db, h.sentence) for h in hits}
    contexts = {sid: " ".join(s.text for s in near) for sid, near in around.items()}
    others = sorted({s.id for near in around.values() for s in near} | {h.sentence.id for h in hits})
    stored = dict(zip(others, index.vectors.vectors(others), strict=True))
    for hit in hits:
        if hit.dense is None:
            hit.dense = float(stored[hit.sentence.id] @ vector)
    near_cos = {}
    for sid, sentences in around.items():
        cosines = [float(stored[s.id] @ vector) for s in sentences if s.id != sid]
        near_cos[sid] = max(cosines, default=0.0)
    vectors = {h.sentence.id: stored[h.sentence.id] for h in hits}
    return Pool(question, vector, hits, around, contexts, near_cos, vectors)
