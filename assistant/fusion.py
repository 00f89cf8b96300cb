"""Fusion: one ranking from the dense and the BM25 rankings, by a method chosen by name.

    scores = fuse("weighted", Candidates(dense, lexical, cosine))   # {sentence id: score}

- `rrf`: reciprocal rank fusion (Cormack et al., 2009), sum of 1 / (RRF_K + rank); reads
  ranks only.
- `weighted`: a convex combination of the two scores, each scaled to [0, 1] over the
  candidates (Bruch et al., 2023, "An analysis of fusion functions for hybrid retrieval"):
  `WEIGHT * cosine' + (1 - WEIGHT) * bm25'`, where cosine' is min-max scaled over every
  candidate (each has a cosine: the retriever reads it for the ones BM25 alone found) and
  bm25' is the BM25 score over the best one (0 for a sentence BM25 did not return, which
  is a bound, not a guess: BM25 is never negative).

- `zscore`: the same convex combination over scores standardised per list (mean 0,
  deviation 1).

WEIGHT was chosen on SciFact's train claims (bench/fusion_bench.py --split train --tune),
never on the dev claims whose figures the README reports. `zscore` had the best train
recall@10 (0.672 against 0.659) at a lower nDCG@10 (0.819 against 0.823), and on the
project's gold sets it lost an abstention and answer hit@3 on the paraphrases that
`weighted` keeps: `weighted` is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

RRF_K = 60  # the usual reciprocal-rank-fusion constant
WEIGHT = 0.7  # weight of the dense score in `weighted` (tuned on SciFact train, see module docstring)


@dataclass
class Candidates:
    """What fusion reads: each retriever's ranking, best first, with its scores."""

    dense: list[tuple[int, float]]  # (sentence id, cosine)
    lexical: list[tuple[int, float]]  # (sentence id, BM25 score)
    cosine: dict[int, float] = field(default_factory=dict)  # every candidate's cosine, when known


Fusion = Callable[[Candidates], dict[int, float]]


def rrf(c: Candidates, k: int = RRF_K) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking in (c.dense, c.lexical):
        for rank, (sid, _) in enumerate(ranking):
            fused[sid] = fused.get(sid, 0.0) + 1.0 / (k + rank + 1)
    return fused


def weighted(c: Candidates, weight: float = WEIGHT) -> dict[int, float]:
    cosine = dict(c.dense) | c.cosine
    ids = list(dict.fromkeys([sid for sid, _ in c.dense] + [sid for sid, _ in c.lexical]))
    if not ids:
        return {}
    known = [cosine[sid] for sid in ids if sid in cosine]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = high - low or 1.0
    bm25 = dict(c.lexical)
    top = max(bm25.values(), default=0.0) or 1.0
    return {sid: weight * ((cosine[sid] - low) / span if sid in cosine else 0.0)
            + (1.0 - weight) * bm25.get(sid, 0.0) / top for sid in ids}


def zscore(c: Candidates, weight: float = WEIGHT) -> dict[int, float]:
    """Like `weighted`, with each score standardised over its own list (mean 0, deviation 1)
    instead of scaled to [0, 1]; a sentence BM25 did not return gets the lowest BM25 z-score."""
    cosine = dict(c.dense) | c.cosine
    ids = list(dict.fromkeys([sid for sid, _ in c.dense] + [sid for sid, _ in c.lexical]))
    if not ids:
        return {}

    def standard(values: list[float]) -> tuple[float, float]:
        if not values:
            return 0.0, 1.0
        mean = sum(values) / len(values)
        spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        return mean, spread or 1.0

    d_mean, d_sd = standard([cosine[sid] for sid in ids if sid in cosine])
    bm25 = dict(c.lexical)
    b_mean, b_sd = standard(list(bm25.values()))
    b_floor = (min(bm25.values()) - b_mean) / b_sd if bm25 else 0.0
    return {sid: weight * ((cosine[sid] - d_mean) / d_sd if sid in cosine else 0.0)
            + (1.0 - weight) * ((bm25[sid] - b_mean) / b_sd if sid in bm25 else b_floor) for sid in ids}


FUSIONS: dict[str, Fusion] = {"rrf": rrf, "weighted": weighted, "zscore": zscore}
DEFAULT = "weighted"


def get(name: str) -> Fusion:
    try:
        return FUSIONS[name]
    except KeyError:
        raise ValueError(f"unknown fusion {name!r}; choose one of {', '.join(FUSIONS)}") from None


def fuse(name: str, candidates: Candidates) -> dict[int, float]:
    return get(name)(candidates)
