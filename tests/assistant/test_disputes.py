"""Disputes and agreements over the seed articles, against the gold set; the ingest hook."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.claims import extract_claims_many
from assistant.disputes import find_disputes, relevance
from assistant.enrich import enrich
from corpus import read_source
from corpus.records import Article
from index.library import make_sentences
from index.records import Sentence
from index.store import SentenceDB

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"


@lru_cache(maxsize=1)
def seeds() -> tuple[tuple[Article, list[Sentence]], ...]:
    """(article, sentences) of both seeds: corpus/seeds/*.md, else the raw ../shared/seeds."""
    paths = sorted((ROOT / "corpus" / "seeds").glob("*.md")) or sorted(
        (ROOT.parent / "shared" / "seeds").glob("*.txt"))
    return tuple((a, make_sentences(a)) for p in paths for a in read_source(str(p)))


@pytest.fixture(scope="module")
def found() -> tuple[list[dict], list[dict], dict[int, Sentence]]:
    claims = [c for cs in extract_claims_many(list(seeds())).values() for c in cs]
    sentences = {s.id: s for _, ss in seeds() for s in ss}
    disputes, agreements = find_disputes(claims, {a.id: a for a, _ in seeds()}, sentences)
    return disputes, agreements, sentences


def norm(text: str) -> str:
    return " ".join(re.sub(r"[\"'“”‘’]", "", text).casefold().split())


def side_of(dispute: dict, quote: str, sentences: dict[int, Sentence]) -> int | None:
    """Index of the side citing a sentence that matches `quote` (containment either way)."""
    for i, side in enumerate(dispute["sides"]):
        for sid in side["sentence_ids"]:
            a, b = norm(sentences[sid].text), norm(quote)
            if a in b or b in a:
                return i
    return None


def gold() -> list[dict]:
    if not GOLD.exists():
        pytest.skip(f"{GOLD} is not there")
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def only(disputes: list[dict], subject: str) -> dict:
    matching = [d for d in disputes if d["subject"] == subject]
    assert len(matching) == 1, [d["summary"] for d in disputes]
    return matching[0]


def test_wounded_ten_against_two_is_numeric(found):
    disputes, _, sentences = found
    dispute = only(disputes, "wounded|azerbaijani")
    assert dispute["kind"] == "numeric"
    assert [s["position"] for s in dispute["sides"]] == ["10", "2"]
    ten = side_of(dispute, "Seven servicemen died and 10 more were wounded", sentences)
    two = side_of(dispute, "adding that two Azerbaijani troops were wounded", sentences)
    assert (ten, two) == (0, 1)
    assert dispute["summary"] == ("Wounded Azerbaijani soldiers: 10 (Baku’s defence ministry) vs "
                                  "2 (Azerbaijan’s defence ministry, in a statement)")


def test_captured_thirteen_against_twelve_and_a_dozen(found):
    disputes, _, sentences = found
    dispute = only(disputes, "captured|armenian")
    assert dispute["kind"] == "numeric"
    assert [s["position"] for s in dispute["sides"]] == ["13", "12"]
    assert side_of(dispute, "Armenia reported one dead, 13 captured", sentences) == 0
    assert side_of(dispute, "12 Armenian servicemen were captured", sentences) == 1
    assert "a dozen" in [c["value"] for c in dispute["sides"][1]["claims"]]


def test_every_gold_conflict_is_a_dispute_of_the_right_kind(found):
    disputes, _, sentences = found
    kinds = {"s02": "numeric", "s03": "numeric", "s04": "blame"}
    for item in gold():
        for pair in item["conflicts"]:
            a, b = (claim["quote"] for claim in pair["claims"])
            hits = [d for d in disputes if relevance(item["question"], d) > 0
                    and None not in (side_of(d, a, sentences), side_of(d, b, sentences))
                    and side_of(d, a, sentences) != side_of(d, b, sentences)]
            assert [d["kind"] for d in hits] == [kinds[item["id"]]], (item["id"], pair["about"])


def test_no_dispute_shown_where_the_gold_has_none(found):
    disputes, _, _ = found
    for item in gold():
        if not item["conflicts"]:
            shown = [d["summary"] for d in disputes if relevance(item["question"], d) > 0]
            assert shown == [], item["id"]


def test_seven_killed_is_an_agreement_of_both_sources_not_a_dispute(found):
    disputes, agreements, sentences = found
    assert [d for d in disputes if d["subject"] == "killed|azerbaijani"] == []
    agreement = next(a for a in agreements if a["subject"] == "killed|azerbaijani")
    assert agreement["value"] == "7"
    assert agreement["summary"].startswith("7 killed: both sources")
    assert len({sentences[i].article_id for i in agreement["sentence_ids"]}) == 2
    assert relevance("How many Azerbaijani servicemen were killed in the clashes?", agreement) > 0


def test_at_least_one_and_one_are_compatible(found):
    disputes, _, _ = found
    assert [d for d in disputes if d["subject"].startswith("killed|armenian")] == []


def test_blame_sides_hold_both_gold_pairs(found):
    disputes, _, sentences = found
    dispute = only(disputes, "blame|armenian|azerbaijani")
    assert [s["position"] for s in dispute["sides"]] == ["Armenia attacked", "Azerbaijan attacked"]
    assert side_of(dispute, "Armenian troops attacked Azerbaijani positions", sentences) == 0
    assert side_of(dispute, "Pashinyan accused Azerbaijan", sentences) == 1
    assert "Pashinyan" in dispute["sides"][1]["speaker"]
    # the Tovuz shelling of November 18 happened after the other side went to print
    assert side_of(dispute, "On November 18, the Armenian military shelled", sentences) is None


def test_framing_disputes_across_the_two_sources(found):
    disputes, _, _ = found
    ending = only(disputes, "framing|outcome")
    assert ending["kind"] == "framing"
    assert {s["position"] for s in ending["sides"]} == {"Armenian forces retreated", "a ceasefire was agreed"}
    territory = only(disputes, "framing|territory")
    assert {s["position"] for s in territory["sides"]} == {"liberation from occupation", "Armenia ceded territory"}


def test_records_are_strict_json_with_ids_reasons_and_dated_sides(found):
    disputes, agreements, _ = found
    json.dumps(disputes + agreements, allow_nan=False)
    assert len({d["id"] for d in disputes}) == len(disputes)
    for d in disputes:
        assert d["reason"] and d["summary"].count(" vs ") == len(d["sides"]) - 1
        for side in d["sides"]:
            assert all(c["published"].startswith("2021-11-1") and c["quote"] for c in side["claims"])


def _article(aid: str, text: str, published: str) -> tuple[Article, list[Sentence]]:
    article = Article(id=aid, title=f"Report {aid}", text=text, published=published)
    return article, make_sentences(article)


def test_a_later_report_that_raises_the_toll_is_an_update():
    story = ("A bus carrying pilgrims from Yerevan fell into a ravine near Lake Sevan in the mountains of "
             "northern Armenia on Monday, the emergency ministry said.")
    first = _article("early", f"{story}\n\nSeven people were killed, the emergency ministry said.", "2021-06-01")
    later = _article("late", f"{story}\n\nThe death toll rose to 12 people, the emergency ministry said.",
                     "2021-06-02")
    claims = [c for cs in extract_claims_many([first, later]).values() for c in cs]
    sentences = {s.id: s for _, ss in (first, later) for s in ss}
    disputes, _ = find_disputes(claims, {first[0].id: first[0], later[0].id: later[0]}, sentences)
    assert [(d["kind"], [s["position"] for s in d["sides"]]) for d in disputes] == [("update", ["7", "12"])]


def test_different_stories_are_not_compared():
    one = _article("a", "Seven people were killed when a bus fell into a ravine near Lake Sevan, police said.",
                   "2021-06-01")
    two = _article("b", "Twelve people were killed in a fire at a textile factory in Dhaka, police said.",
                   "2021-06-01")
    claims = [c for cs in extract_claims_many([one, two]).values() for c in cs]
    sentences = {s.id: s for _, ss in (one, two) for s in ss}
    disputes, agreements = find_disputes(claims, {one[0].id: one[0], two[0].id: two[0]}, sentences)
    assert len(claims) == 2 and disputes == [] and agreements == []


def test_enrich_stores_claims_and_updates_incrementally(tmp_path):
    db = SentenceDB(tmp_path / "index.sqlite")
    (afp, afp_sentences), (azernews, azernews_sentences) = sorted(seeds(), key=lambda x: x[0].published)
    db.put_article(afp, afp_sentences)
    enrich(db, [afp.id], [])
    assert db.annotations("agreement") == []  # one source cannot corroborate itself
    afp_claims = db.annotations("claim")
    db.put_article(azernews, azernews_sentences)
    enrich(db, [azernews.id], [])
    assert [c for c in db.annotations("claim") if c["article_id"] == afp.id] == afp_claims
    assert {d["subject"] for d in db.annotations("dispute")} >= {
        "wounded|azerbaijani", "captured|armenian", "blame|armenian|azerbaijani", "framing|outcome"}
    assert any(a["subject"] == "killed|azerbaijani" for a in db.annotations("agreement"))
    json.loads(json.dumps(db.annotations("claim"), allow_nan=False))

    db.delete_articles([azernews.id])
    enrich(db, [], [azernews.id])
    assert {c["article_id"] for c in db.annotations("claim")} == {afp.id}
    assert "framing|outcome" not in {d["subject"] for d in db.annotations("dispute")}
    assert db.annotations("agreement") == []
