"""The public gold set (shipped in eval/gold/, items s01-s15), scored with the gold README's rules.

Thresholds are the core engine's acceptance figures: evidence recall@5 and answer hit@3
of at least 0.9, the numeric disagreements of s02 and s03 shown as opposing claims, no
false conflicts, and s15 answered with 'not in the sources'.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Assistant
from eval.gold import load_gold
from eval.harness import run_gold

ROOT = Path(__file__).resolve().parents[2]
PROJECT_GOLD = ROOT / "eval" / "gold" / "seeds.jsonl"
SHARED_GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"


@pytest.fixture(scope="module")
def public_run(seed_assistant: Assistant):
    items = [item for item in load_gold(PROJECT_GOLD) if item.id.startswith("s")]
    assert len(items) == 15
    return run_gold(seed_assistant, items, progress=False)


def test_the_project_copy_matches_the_shared_gold_set():
    if not SHARED_GOLD.exists():
        pytest.skip(f"{SHARED_GOLD} is absent (a clone without ../shared); the repository copy is used")
    shared = [json.loads(line) for line in SHARED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours = {d["id"]: d for d in (json.loads(line) for line in PROJECT_GOLD.read_text(encoding="utf-8").splitlines()
                                 if line.strip())}
    for item in shared:
        assert {k: ours[item["id"]][k] for k in item} == item


def test_answers_and_abstention(public_run):
    figures = public_run.aggregate()
    assert figures["evidence_recall@10"] >= 0.9, figures
    assert figures["answer_hit@3"] >= 0.9, figures
    assert figures["abstention_accuracy"] == 1.0, figures


def test_evidence_in_the_first_five(public_run):
    assert public_run.aggregate()["evidence_recall@5"] >= 0.9, public_run.aggregate()


def test_numeric_conflicts_shown(public_run):
    by_id = {record["id"]: record for record in (r.to_dict() for r in public_run.items)}
    for item_id in ("s02", "s03"):
        assert by_id[item_id]["scores"]["conflict_recall"] == 1.0, by_id[item_id]["missed_conflicts"]
    assert by_id["s04"]["scores"]["conflict_recall"] >= 0.5, by_id["s04"]["missed_conflicts"]


def test_no_false_alarm(public_run):
    assert public_run.aggregate()["false_conflicts"] == 0, public_run.aggregate()


@pytest.mark.xfail(strict=True, reason="s04's second pair ('X accused Y of an aggression') is not among the 20 "
                   "sentences retrieved for 'Who started the fighting': conflict recall 0.83")
def test_every_conflict(public_run):
    assert public_run.aggregate()["conflict_recall"] >= 0.9


def test_civilians_are_not_in_the_sources(public_run):
    s15 = next(r.to_dict() for r in public_run.items if r.to_dict()["id"] == "s15")
    assert s15["supported"] is False and s15["scores"]["abstention_correct"] is True


def test_seven_killed_is_an_agreement_not_a_dispute(seed_assistant: Assistant):
    answer = seed_assistant.ask("How many Azerbaijani servicemen were killed?")
    assert answer.disputes == []
    assert any(a.value.casefold() in ("7", "seven") and len(a.outlets) == 2 for a in answer.agreements), \
        answer.agreements
