"""The gold-set measures on hand-made responses whose right figures are known."""

from __future__ import annotations

import pytest

from eval import metrics
from eval.gold import Conflict, Quote
from eval.metrics import Passage

A, B = "Article A", "Article B"
Q1 = Quote(A, "Seven servicemen died")
Q2 = Quote(B, "Ten more were also wounded")
Q3 = Quote(A, "12 Armenian servicemen were captured")

HIT1 = Passage(A, "“Seven servicemen died and 10 more were wounded,” the ministry said.")
HIT2 = Passage(B, "Ten more were also wounded in the clashes, according to the ministry.")
HIT3 = Passage(A, "It also reported that 12 Armenian servicemen were captured by the military.")
MISS = Passage(A, "The situation has relatively stabilised.")


def test_normalise_ignores_case_space_quotes_and_apostrophes():
    assert metrics.normalise("  “Armenia’s”\u00a0 DEFENCE\n ministry ") == "armenias defence ministry"
    assert metrics.normalise('"It\'s"') == "its"


@pytest.mark.parametrize(("sentence", "quote", "expected"), [
    ("Armenia’s defence ministry said Azerbaijani forces tried to “break through”.",
     "Armenia's defence ministry said Azerbaijani forces tried to \"break through\"", True),
    ("Ten more were wounded.", "Reports say: ten more were wounded. Later, more.", True),  # sentence in quote
    ("Ten more were wounded.", "eleven more were wounded", False),
    ("", "anything", False),
])
def test_text_matches_either_direction(sentence, quote, expected):
    assert metrics.text_matches(sentence, quote) is expected


def test_passage_must_come_from_the_quoted_article():
    assert metrics.passage_matches(HIT1, Q1)
    assert not metrics.passage_matches(Passage(B, HIT1.text), Q1)
    assert metrics.passage_matches(Passage("  article a ", HIT1.text), Q1)  # title normalised too


def test_evidence_recall_at_k():
    cited = [MISS, HIT2, HIT1, HIT3]
    evidence = [Q1, Q2, Q3]
    assert metrics.evidence_recall_at_k(cited, evidence, 1) == 0.0
    assert metrics.evidence_recall_at_k(cited, evidence, 2) == pytest.approx(1 / 3)
    assert metrics.evidence_recall_at_k(cited, evidence, 3) == pytest.approx(2 / 3)
    assert metrics.evidence_recall_at_k(cited, evidence, 10) == 1.0
    assert metrics.evidence_recall_at_k([], evidence, 5) == 0.0
    assert metrics.evidence_recall_at_k(cited, [], 5) is None


def test_one_citation_matching_two_quotes_counts_both():
    both = Passage(A, "Seven servicemen died and 12 Armenian servicemen were captured.")
    assert metrics.evidence_recall_at_k([both], [Q1, Q3], 1) == 1.0


def test_reciprocal_rank():
    assert metrics.reciprocal_rank([HIT1], [Q1]) == 1.0
    assert metrics.reciprocal_rank([MISS, MISS, HIT3], [Q1, Q3]) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank([MISS], [Q1]) == 0.0
    assert metrics.reciprocal_rank([], [Q1]) == 0.0
    assert metrics.reciprocal_rank([HIT1], []) is None


def test_recall_and_rr_agree_with_ir_measures_on_one_to_one_matches():
    """With one passage per quote, the gold measures equal trec_eval's R@k and RR."""
    cited = [MISS, HIT2, Passage(A, "Other."), HIT3, HIT1]
    evidence = [Q1, Q2, Q3]
    ids = {id(HIT1): "q1", id(HIT2): "q2", id(HIT3): "q3"}
    run = {"x": [ids.get(id(p), f"miss{i}") for i, p in enumerate(cited)]}
    qrels = {"x": {"q1": 1, "q2": 1, "q3": 1}}
    library = metrics.ranked_measures(qrels, run, ["R@2", "R@4", "R@5", "RR@10"])
    assert metrics.evidence_recall_at_k(cited, evidence, 2) == pytest.approx(library["R@2"])
    assert metrics.evidence_recall_at_k(cited, evidence, 4) == pytest.approx(library["R@4"])
    assert metrics.evidence_recall_at_k(cited, evidence, 5) == pytest.approx(library["R@5"])
    assert metrics.reciprocal_rank(cited, evidence) == pytest.approx(library["RR@10"]) == 0.5


@pytest.mark.parametrize(("answer", "sentence", "expected"), [
    ("seven", "“Seven servicemen died,” it said.", True),
    ("7", "7 Azerbaijani soldiers killed", True),
    ("7", "Armenia reported 17 dead in 2017.", False),  # whole words only
    ("one", "Someone said none died.", False),
    ("1,007 kilometers", "its 1,007-kilometer borderline", False),
    ("1,007-kilometer", "its 1,007-kilometer borderline", True),
    ("an aggression on Armenia’s sovereign territory",
     "Pashinyan accused Azerbaijan of “an aggression on Armenia's sovereign territory.”", True),
    ("18:30", "from 18:30 (1430 GMT).", True),
])
def test_answer_occurs(answer, sentence, expected):
    assert metrics.answer_occurs(answer, sentence) is expected


def test_answer_hit_at_k():
    cited = [MISS, Passage(A, "Seven servicemen died."), HIT3]
    assert metrics.answer_hit_at_k(cited, ["seven", "7"], 1) == 0.0
    assert metrics.answer_hit_at_k(cited, ["seven", "7"], 3) == 1.0
    assert metrics.answer_hit_at_k(cited, ["nine"], 3) == 0.0
    assert metrics.answer_hit_at_k(cited, [], 3) is None


WOUNDED = Conflict((Quote(A, "10 more were wounded"), Quote(A, "two Azerbaijani troops were wounded")), "wounded")
CAPTURED = Conflict((Quote(A, "13 captured"), Quote(A, "12 Armenian servicemen were captured")), "captured")
TEN = Passage(A, "Seven servicemen died and 10 more were wounded.")
TWO = Passage(A, "It added that two Azerbaijani troops were wounded.")
THIRTEEN = Passage(A, "Armenia reported one dead, 13 captured, and 24 missing troops.")
TWELVE = HIT3


def test_conflict_recall_needs_both_claims_on_opposite_sides():
    shown = [[[TEN], [TWO]]]
    assert metrics.conflict_recall(shown, [WOUNDED]) == 1.0
    assert metrics.conflict_recall(shown, [WOUNDED, CAPTURED]) == 0.5
    assert metrics.conflict_recall([[[TWO], [MISS, TEN]]], [WOUNDED]) == 1.0  # either order, any citation
    assert metrics.conflict_recall([[[TEN, TWO], [MISS]]], [WOUNDED]) == 0.0  # same side is not opposing
    assert metrics.conflict_recall([[[TEN], [MISS]], [[TWO], [MISS]]], [WOUNDED]) == 0.0  # two disputes
    assert metrics.conflict_recall([], [WOUNDED]) == 0.0
    assert metrics.conflict_recall(shown, []) is None


def test_false_conflicts_count_opposing_pairs_only_without_gold_conflicts():
    shown = [[[TEN], [TWO]], [[THIRTEEN], [TWELVE], [MISS]]]
    assert metrics.opposing_pairs(shown) == 1 + 3
    assert metrics.false_conflicts(shown, []) == 4
    assert metrics.false_conflicts([], []) == 0
    assert metrics.false_conflicts(shown, [WOUNDED]) is None
    assert metrics.opposing_pairs([[[TEN], []]]) == 0  # an empty side opposes nothing


@pytest.mark.parametrize(("supported", "answerable", "correct"), [
    (True, True, True), (False, False, True), (True, False, False), (False, True, False)])
def test_abstention(supported, answerable, correct):
    assert metrics.abstention_correct(supported, answerable) is correct


def test_mean_and_percentile():
    assert metrics.mean([1.0, None, 0.0, 0.5]) == 0.5
    assert metrics.mean([None]) is None
    assert metrics.percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert metrics.percentile([1.0] * 19 + [100.0], 95) == pytest.approx(5.95)
    assert metrics.percentile([], 50) is None


def test_ranked_measures_known_figures():
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}, "q3": {"z": 1}}
    run = {"q1": ["x", "a", "a", "y", "b"], "q2": ["c"]}  # q3 retrieved nothing: scores 0
    got = metrics.ranked_measures(qrels, run, ["R@1", "R@5", "RR@10", "nDCG@10", "R@5"])
    assert got["R@1"] == pytest.approx(1 / 3)
    assert got["R@5"] == pytest.approx(2 / 3)  # the repeated "a" counts once: b is at rank 4
    assert got["RR@10"] == pytest.approx((1 / 2 + 1) / 3)
    # q1: DCG = 1/log2(3) + 1/log2(5), IDCG = 1 + 1/log2(3); q2: 1; q3: 0
    import math
    q1 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert got["nDCG@10"] == pytest.approx((q1 + 1) / 3)
