"""Scoring one response against one gold item, and ranked-retrieval measures.

The gold-set measures follow `eval/GOLD_FORMAT.md` (after ../shared/gold/README.md):

- evidence recall@k: share of the item's evidence quotes matched by a citation among the first k;
- reciprocal rank: 1 / rank of the first citation matching any evidence quote, 0 if none;
- answer hit@k: some gold answer occurs in one of the first k cited sentences;
- conflict recall: share of gold conflict pairs shown as opposing sides, both claims matched;
- false conflicts: opposing pairs shown for an item whose gold lists no conflict;
- abstention: correct when the response abstains exactly on the unanswerable items.

These functions see only plain `Passage` records (title + sentence), never the engine, so
they can be checked on hand-made cases. Ranked measures over id lists (SciFact) go through
`ir_measures`, the library behind the BEIR figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from eval.gold import Conflict, Quote

# Quotation marks and apostrophes, straight and typographic, plus primes and backticks.
_QUOTE_MARKS = re.compile("[\"'`\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"
                          "\u2032\u2033\u2039\u203a\u00b4]")


@dataclass(frozen=True)
class Passage:
    """A cited sentence and the title of the article it comes from."""

    title: str
    text: str


# A dispute as shown: its sides, each a list of the passages quoted for it.
ShownDispute = Sequence[Sequence[Passage]]


def normalise(text: str) -> str:
    """Case folded, quotation marks and apostrophes dropped, white space collapsed."""
    return " ".join(_QUOTE_MARKS.sub("", text).casefold().split())


def text_matches(sentence: str, quote: str) -> bool:
    """Normalised containment of one in the other, in either direction."""
    a, b = normalise(sentence), normalise(quote)
    return bool(a) and bool(b) and (b in a or a in b)


def passage_matches(passage: Passage, quote: Quote) -> bool:
    """A cited passage matches a gold quote: same article title and matching text."""
    return normalise(passage.title) == normalise(quote.title) and text_matches(passage.text, quote.quote)


def answer_occurs(answer: str, sentence: str) -> bool:
    """`answer` occurs in `sentence` (normalised) as whole words: "7" is not found in "17"."""
    needle, hay = normalise(answer), normalise(sentence)
    if not needle:
        return False
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return re.search(pattern, hay) is not None


def evidence_recall_at_k(cited: Sequence[Passage], evidence: Sequence[Quote], k: int) -> float | None:
    """Share of evidence quotes matched by some citation among the first k; None without evidence."""
    if not evidence:
        return None
    top = cited[:k]
    found = sum(1 for quote in evidence if any(passage_matches(p, quote) for p in top))
    return found / len(evidence)


def reciprocal_rank(cited: Sequence[Passage], evidence: Sequence[Quote]) -> float | None:
    """1 / rank of the first citation matching any evidence quote; 0 if none; None without evidence."""
    if not evidence:
        return None
    for rank, passage in enumerate(cited, start=1):
        if any(passage_matches(passage, quote) for quote in evidence):
            return 1.0 / rank
    return 0.0


def answer_hit_at_k(cited: Sequence[Passage], answers: Sequence[str], k: int) -> float | None:
    """1.0 if a gold answer occurs in one of the first k cited sentences, else 0.0; None without answers."""
    if not answers:
        return None
    return float(any(answer_occurs(a, p.text) for p in cited[:k] for a in answers))


def _side_matches(side: Sequence[Passage], claim: Quote) -> bool:
    return any(passage_matches(p, claim) for p in side)


def conflict_shown(disputes: Iterable[ShownDispute], conflict: Conflict) -> bool:
    """Some dispute holds one claim on one side and the other claim on a different side."""
    first, second = conflict.claims
    for sides in disputes:
        for i, side in enumerate(sides):
            if not _side_matches(side, first):
                continue
            if any(j != i and _side_matches(other, second) for j, other in enumerate(sides)):
                return True
    return False


def conflict_recall(disputes: Sequence[ShownDispute], conflicts: Sequence[Conflict]) -> float | None:
    """Share of gold conflict pairs shown as opposing claims; None when the gold lists none."""
    if not conflicts:
        return None
    return sum(1 for c in conflicts if conflict_shown(disputes, c)) / len(conflicts)


def opposing_pairs(disputes: Sequence[ShownDispute]) -> int:
    """Opposing pairs shown: each dispute with n non-empty sides shows n*(n-1)/2 pairs."""
    total = 0
    for sides in disputes:
        n = sum(1 for side in sides if side)
        total += n * (n - 1) // 2
    return total


def false_conflicts(disputes: Sequence[ShownDispute], conflicts: Sequence[Conflict]) -> int | None:
    """Opposing pairs shown for an item whose gold lists no conflict; None when it lists some."""
    if conflicts:
        return None
    return opposing_pairs(disputes)


def abstention_correct(supported: bool, answerable: bool) -> bool:
    """The response abstains (not supported) exactly when the item is unanswerable."""
    return supported == answerable


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation, as numpy); None for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


# Ranked retrieval over ids (SciFact): qrels {query: {doc: relevance}}, run {query: [doc, ...]}.

def ranked_measures(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Sequence[str]],
                    measures: Sequence[str]) -> dict[str, float]:
    """Mean of each measure (ir_measures names, e.g. "R@10", "RR@10", "nDCG@10") over the qrels' queries.

    Queries of `qrels` absent from `run` (or with an empty ranking) count as zero, as in
    the BEIR evaluation. Rankings keep their given order (scores are derived from rank).
    """
    import ir_measures

    parsed = {name: ir_measures.parse_measure(name) for name in dict.fromkeys(measures)}
    qrel_rows = [ir_measures.Qrel(q, d, int(rel)) for q, docs in qrels.items() for d, rel in docs.items()]
    run_rows = []
    for q, docs in run.items():
        if q in qrels:
            ranked = list(dict.fromkeys(docs))  # first occurrence wins
            run_rows += [ir_measures.ScoredDoc(q, d, float(len(ranked) - r)) for r, d in enumerate(ranked)]
    totals: dict[str, float] = {str(m): 0.0 for m in parsed.values()}
    for row in ir_measures.iter_calc(list(set(parsed.values())), qrel_rows, run_rows):
        totals[str(row.measure)] += float(row.value)
    n = len(qrels)
    return {name: (totals[str(m)] / n if n else 0.0) for name, m in parsed.items()}
