"""Stance with the shipped weights and the real sentence encoder; data figures where the data is."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.stance import MODEL_PATH, StanceModel, is_short, stance, stance_many, stance_scores

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

HOAX_BODY = [
    "A story claiming that a man was found alive three days after being buried in a coffin has spread widely "
    "on social media this week.",
    "Police in the town said the report is a hoax and that no such burial took place.",
    "Local officials denied that anyone had been buried alive and said the photos were taken from an unrelated film.",
    "The website that first published the claim is known for satirical and fabricated stories.",
    "Fact-checkers have debunked the story, calling it fake.",
    "The man named in the report does not exist, according to the local registry office.",
    "Several news outlets that repeated the claim have since retracted it.",
]
CONFIRMING_BODY = [
    "Apple will unveil a gold iPhone at its event next month, people familiar with the plans said.",
    "The company confirmed on Tuesday that the new colour will be part of the launch.",
    "The gold model will go on sale in September alongside silver and grey versions.",
    "Apple declined to comment on prices.",
    "Analysts expect strong demand for the phone in China, where gold is a popular colour.",
    "Suppliers in Asia have already begun production of the gold casing, according to reports.",
    "The launch event will take place in Cupertino.",
]
HOAX = "Man found alive after three days buried in coffin"
GOLD_IPHONE = "Apple will unveil a gold iPhone"


def test_the_weights_are_shipped_small_and_say_what_they_were_fitted_on():
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = StanceModel.load()
    assert model.short.labels[:2] == ("agree", "disagree") and model.long.labels == ("agree", "disagree", "discuss")
    assert "SciFact claims_train" in MODEL_PATH.read_text(encoding="utf-8")


def test_a_body_calling_the_story_a_hoax_leans_to_disagree_a_confirming_one_to_agree():
    hoax, confirming = stance_scores([(HOAX, HOAX_BODY), (GOLD_IPHONE, CONFIRMING_BODY)])
    assert hoax["disagree"] > hoax["agree"]
    assert confirming["agree"] > 5 * confirming["disagree"]
    assert abs(sum(hoax.values()) - 1) < 1e-5


def test_the_lead_of_a_debunking_article_disagrees():
    label, confidence = stance(HOAX, HOAX_BODY[:3])  # three sentences: judged on the words
    assert label == "disagree" and 0.34 < confidence <= 1.0
    scores = stance_scores([(GOLD_IPHONE, CONFIRMING_BODY[:3])])[0]
    assert scores["agree"] > 2 * scores["disagree"]


def test_opposite_directions_disagree_and_the_same_direction_agrees():
    claim = "Statins increase the risk of diabetes."
    assert stance(claim, ["Statin therapy was associated with a lower risk of diabetes."])[0] == "disagree"
    assert stance(claim, ["Statin therapy was associated with a higher risk of diabetes."])[0] == "agree"


def test_negated_evidence_is_less_of_an_agreement():
    claim = "Vitamin D supplementation reduces the risk of fractures."
    (affirmed, p_affirmed), (negated, p_negated) = stance_many([
        (claim, ["Vitamin D supplementation significantly reduced the risk of hip fractures."]),
        (claim, ["Vitamin D supplementation did not reduce the risk of fractures compared with placebo."]),
    ])
    assert affirmed == "agree"
    assert negated == "disagree" or p_negated < p_affirmed


def test_short_evidence_and_article_bodies_take_different_heads():
    assert is_short(["One rationale sentence."])
    assert not is_short(CONFIRMING_BODY * 2)
    assert stance("Anything", [])[0] in ("agree", "disagree", "discuss")


@pytest.mark.slow
def test_scifact_dev_contradictions_beat_the_base_rate():
    if not (DATA / "scifact").exists():
        pytest.skip(f"{DATA / 'scifact'} is not there (SciFact is read from ../shared/data)")
    sys.path.insert(0, str(ROOT / "bench"))
    from train_stance import scifact_pairs

    pairs, labels, _ = scifact_pairs("dev", per="doc")
    predicted = [label for label, _ in stance_many(pairs)]
    flagged = [t for t, p in zip(labels, predicted, strict=True) if p == "disagree"]
    base_rate = labels.count("disagree") / len(labels)
    precision = flagged.count("disagree") / max(1, len(flagged))
    recall = flagged.count("disagree") / labels.count("disagree")
    assert precision > base_rate + 0.05 and recall > 0.4, (precision, recall, base_rate)


@pytest.mark.slow
def test_fnc1_held_out_bodies_disagree_beats_the_base_rate():
    if not (DATA / "fnc1").exists():
        pytest.skip(f"{DATA / 'fnc1'} is not there (FNC-1 is read from ../shared/data)")
    sys.path.insert(0, str(ROOT / "bench"))
    from train_stance import fnc_pairs

    pairs, labels, _ = fnc_pairs("odd")  # the even Body IDs were used for fitting
    kept = [(pair, label) for pair, label in zip(pairs, labels, strict=True) if label in ("agree", "disagree")]
    predicted = [label for label, _ in stance_many([pair for pair, _ in kept])]
    gold = [label for _, label in kept]
    flagged = [t for t, p in zip(gold, predicted, strict=True) if p == "disagree"]
    base_rate = gold.count("disagree") / len(gold)
    precision = flagged.count("disagree") / max(1, len(flagged))
    assert precision > base_rate + 0.1 and len(flagged) > 0.2 * gold.count("disagree"), (precision, base_rate)
