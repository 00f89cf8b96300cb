"""Fusion by name: the rules each method keeps, and hybrid search through them on a real index."""

from __future__ import annotations

import pytest

from assistant import fusion
from assistant.fusion import Candidates
from assistant.retrieval import Retriever

DENSE = [(1, 0.80), (2, 0.70), (3, 0.65), (4, 0.30)]
LEXICAL = [(3, 12.0), (5, 9.0), (1, 4.0)]
COSINE = dict(DENSE) | {5: 0.20}


def order(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda i: -scores[i])


@pytest.mark.parametrize("name", sorted(fusion.FUSIONS))
def test_every_fusion_scores_each_candidate_once_and_puts_agreement_first(name):
    scores = fusion.fuse(name, Candidates(DENSE, LEXICAL, COSINE))
    assert set(scores) == {1, 2, 3, 4, 5}
    # found high by both beats found by one alone at a lower place
    assert scores[3] > scores[2] and scores[3] > scores[5] and scores[1] > scores[4]
    assert fusion.fuse(name, Candidates([], [], {})) == {}


def test_rrf_reads_ranks_not_scores():
    scaled = Candidates([(i, s / 100) for i, s in DENSE], [(i, s * 50) for i, s in LEXICAL])
    assert fusion.rrf(scaled) == fusion.rrf(Candidates(DENSE, LEXICAL))


def test_weighted_moves_from_bm25_order_to_dense_order_with_its_weight():
    c = Candidates(DENSE, LEXICAL, COSINE)
    assert order(fusion.weighted(c, weight=1.0))[:4] == [1, 2, 3, 4]
    assert order(fusion.weighted(c, weight=0.0))[:3] == [3, 5, 1]
    middle = fusion.weighted(c, weight=0.5)
    assert order(middle)[0] == 3  # second in cosine, first in BM25
    assert all(0.0 <= v <= 1.0 for v in middle.values())


def test_an_unknown_fusion_is_refused_with_the_known_names(seed_assistant):
    with pytest.raises(ValueError, match="rrf"):
        fusion.get("borda")
    with pytest.raises(ValueError, match="weighted"):
        Retriever(seed_assistant.index, seed_assistant.encoder, {}, fusion="borda")


@pytest.mark.parametrize("name", sorted(fusion.FUSIONS))
def test_hybrid_search_through_each_fusion_on_the_seed_index(seed_assistant, name):
    articles = {a.id: a for a in seed_assistant.index.db.articles()}
    retriever = Retriever(seed_assistant.index, seed_assistant.encoder, articles, fusion=name)
    question = "How many soldiers were captured?"
    hits = retriever.search(question, 10)
    dense = retriever.search(question, 50, mode="dense")
    lexical = retriever.search(question, 50, mode="bm25")
    assert len(hits) == 10 and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.dense is not None for h in hits)  # every hybrid hit carries its cosine
    pool = {h.sentence.id for h in dense} | {h.sentence.id for h in lexical}
    assert {h.sentence.id for h in hits} <= pool  # fusion re-orders what the retrievers found
    both = {h.sentence.id for h in dense[:3]} & {h.sentence.id for h in lexical[:3]}
    assert both  # the question is chosen so that they agree somewhere near the top
    assert both & {h.sentence.id for h in hits[:5]}
    other = "rrf" if name != "rrf" else "weighted"
    again = retriever.search(question, 10, fusion=other)  # per-search override
    assert {h.sentence.id for h in again} <= pool and len(again) == 10


def test_without_articles_in_memory_hits_read_their_article_from_the_index(seed_assistant):
    articles = {a.id: a for a in seed_assistant.index.db.articles()}
    held = Retriever(seed_assistant.index, seed_assistant.encoder, articles)
    lean = Retriever(seed_assistant.index, seed_assistant.encoder)
    question = "Who attacked first?"
    pairs = list(zip(held.search(question, 10), lean.search(question, 10), strict=True))
    assert pairs and all(a.sentence.id == b.sentence.id and a.article == b.article for a, b in pairs)
    assert all(b.article.text[b.sentence.start:b.sentence.end] == b.sentence.text for _, b in pairs)
