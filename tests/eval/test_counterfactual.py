"""The counterfactual news sets (eval/counterfactual/dev, test) are sound yardsticks.

Every gold quote lies in one sentence of its article as indexed (the harness's own check,
on a real index of the set), the two claims of a conflict are different sentences, each
set covers the answer kinds and the groups of questions the disagreement bench reports,
and the two sets share nothing. The judgement itself is not run here.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant import Assistant
from eval import metrics
from eval.gold import KINDS, GoldError, load_gold, parse_gold
from eval.harness import check_quotes, score_item
from index.split import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "eval" / "counterfactual"
NAMES = ("dev", "test")
BENCH_KINDS = ("number", "person", "org", "place", "date", "money", "percent", "verdict")


def articles_of(name: str) -> list[dict]:
    lines = (SETS / name / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def outlet_of(name: str) -> dict[str, str]:
    return {metrics.normalise(a["title"]): a["outlet"] for a in articles_of(name)}


@pytest.fixture(scope="module", params=NAMES)
def indexed(request, tmp_path_factory):
    """(set name, gold items, an Assistant over a real index of the set's articles)."""
    name = request.param
    folder = tmp_path_factory.mktemp(f"counterfactual-{name}") / "index"
    assistant = Assistant.build(folder, [str(SETS / name / "articles.jsonl")], progress=False)
    yield name, load_gold(SETS / name / "gold.jsonl"), assistant
    if assistant.index is not None:
        assistant.index.close()


def sentences_matching(assistant: Assistant, title: str, quote: str) -> list[str]:
    """Ids of the indexed sentences of the article titled `title` that hold `quote`."""
    db = assistant.index.db
    ids = [a.id for a in db.articles() if metrics.normalise(a.title) == metrics.normalise(title)]
    return [s.id for aid in ids for s in db.article_sentences(aid) if metrics.text_matches(s.text, quote)]


def test_every_article_is_indexed_with_its_outlet_and_date(indexed):
    name, _, assistant = indexed
    records = articles_of(name)
    stored = {a.title: a for a in assistant.index.db.articles()}
    assert sorted(stored) == sorted(r["title"] for r in records)  # titles unique, none refused
    for record in records:
        article = stored[record["title"]]
        assert article.outlet == record["outlet"] and article.outlet
        assert article.published and article.published.startswith(record["published"])
        count = len(assistant.index.db.article_sentences(article.id))
        assert 3 <= count <= 8, f"{record['title']!r} has {count} sentences"


def test_every_quote_lies_in_one_indexed_sentence(indexed):
    name, items, assistant = indexed
    assert check_quotes(assistant, items) == []
    for item in items:
        quotes = list(item.evidence) + [q for c in item.conflicts for q in c.claims]
        for quote in quotes:
            found = sentences_matching(assistant, quote.title, quote.quote)
            assert len(found) == 1, f"{name} {item.id}: {quote.quote!r} matches {len(found)} sentences"


def test_conflict_claims_are_different_sentences(indexed):
    name, items, assistant = indexed
    for item in items:
        for conflict in item.conflicts:
            first, second = (sentences_matching(assistant, q.title, q.quote) for q in conflict.claims)
            assert first and second and set(first).isdisjoint(second), f"{name} {item.id}: {conflict.about}"


def test_every_answer_occurs_in_an_evidence_sentence(indexed):
    """A gold answer that no evidence sentence holds could never score an answer hit."""
    name, items, assistant = indexed
    db = assistant.index.db
    text_of = {s.id: s.text for a in db.articles() for s in db.article_sentences(a.id)}
    for item in items:
        evidence = [text_of[i] for q in item.evidence for i in sentences_matching(assistant, q.title, q.quote)]
        for answer in item.answers:
            assert any(metrics.answer_occurs(answer, s) for s in evidence), f"{name} {item.id}: {answer!r}"


@pytest.mark.parametrize("name", NAMES)
def test_set_shape(name, caplog):
    with caplog.at_level(logging.WARNING, logger="eval.gold"):
        items = load_gold(SETS / name / "gold.jsonl")
    assert caplog.records == []  # no unknown fields: `kind` is a known one
    assert len({i.id for i in items}) == len(items)
    assert all(i.kind in BENCH_KINDS for i in items)
    outlets = outlet_of(name)
    conflicts = [i for i in items if i.conflicts]
    unanswerable = [i for i in items if not i.answerable]
    agreeing = [i for i in items if not i.conflicts and i.answerable
                and len({outlets[metrics.normalise(q.title)] for q in i.evidence}) >= 2]
    assert len(set(outlets.values())) >= 8
    assert len(conflicts) >= 20 and len(unanswerable) >= 8 and len(agreeing) >= 10
    assert len({i.kind for i in conflicts}) >= 8  # every kind the bench breaks recall down by
    pairs = [tuple(metrics.normalise(q.title) for q in c.claims) for i in conflicts for c in i.conflicts]
    same_article = sum(a == b for a, b in pairs)  # one report giving both sides' figures
    updates = sum(a != b and outlets[a] == outlets[b] for a, b in pairs)  # an outlet revising itself later
    assert same_article >= 1 and updates >= 2
    assert len(pairs) - same_article - updates >= 20  # two outlets, two answers


def test_dev_and_test_share_no_article_or_question():
    dev = {metrics.normalise(a["title"]) for a in articles_of("dev")}
    test = {metrics.normalise(a["title"]) for a in articles_of("test")}
    assert dev.isdisjoint(test)
    questions = [{metrics.normalise(i.question) for i in load_gold(SETS / name / "gold.jsonl")} for name in NAMES]
    assert questions[0].isdisjoint(questions[1])


def test_kind_field_is_checked():
    line = {"id": "k1", "question": "Who?", "answers": ["A"], "answerable": True, "evidence": [], "conflicts": []}
    assert parse_gold(json.dumps({**line, "kind": "person"}))[0].kind == "person"
    assert parse_gold(json.dumps(line))[0].kind == ""
    with pytest.raises(GoldError, match="line 1: field 'kind' must be one of"):
        parse_gold(json.dumps({**line, "kind": "persn"}), "g.jsonl")
    assert set(BENCH_KINDS) <= set(KINDS)


def test_bench_figures_of_a_response_that_shows_nothing():
    """The bench's aggregation on empty responses: no dispute found, none false, abstaining right
    exactly on the unanswerable questions."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import disagreement_bench as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    items = load_gold(SETS / "dev" / "gold.jsonl")
    results = [score_item(item, "hybrid", None, 1.0) for item in items]
    outlets = outlet_of("dev")
    figures = bench.figures_of("dev", "hybrid", results, outlets, 0.0, [])
    unanswerable = sum(not i.answerable for i in items)
    assert figures.disagreement_recall == 0.0 and figures.false_dispute_rate == 0.0
    assert figures.abstention_accuracy == round(unanswerable / len(items), 4)
    assert figures.answered_when_answerable == 0.0
    assert figures.conflict_pairs == sum(len(i.conflicts) for i in items)
    groups = Counter(bench.group_of(i, outlets) for i in items)
    assert {g: v["n"] for g, v in figures.by_group.items()} == dict(groups)
    assert groups["unanswerable"] == unanswerable and groups["conflict"] == sum(bool(i.conflicts) for i in items)
    assert sum(v["pairs"] for v in figures.recall_by_kind.values()) == figures.conflict_pairs
    assert sum(v["pairs"] for v in figures.by_pair.values()) == figures.conflict_pairs
    assert figures.by_pair["update"]["pairs"] >= 2 and figures.by_pair["one_article"]["pairs"] >= 1


def test_bench_counts_an_agreement_only_when_it_cites_two_outlets():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import disagreement_bench as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    items = load_gold(SETS / "dev" / "gold.jsonl")
    outlets = outlet_of("dev")
    item = next(i for i in items if bench.group_of(i, outlets) == "agreement")
    by_article = {metrics.normalise(a["title"]): a["text"] for a in articles_of("dev")}

    def sentence_of(quote):  # the whole sentence an answer would cite for the quoted words
        text = by_article[metrics.normalise(quote.title)]
        return next(text[s:e] for s, e, _ in split_sentences(text) if metrics.text_matches(text[s:e], quote.quote))

    whole = [metrics.Passage(q.title, sentence_of(q)) for q in item.evidence[:2]]
    assert bench.agreement_shown(item, [whole], outlets)
    assert not bench.agreement_shown(item, [whole[:1]], outlets)  # one outlet alone
    assert not bench.agreement_shown(item, [whole[:1], whole[1:]], outlets)  # two agreements of one source each
    assert not bench.agreement_shown(item, [], outlets)


@pytest.mark.parametrize(("kind", "as_update"), [("update", 1.0), ("numeric", 0.0)])
def test_bench_counts_a_shown_update_pair(kind, as_update):
    """An update pair shown on two sides of one dispute counts as recalled, and as an update
    only when the dispute says so; a dispute on a question without gold conflict is false."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import disagreement_bench as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    items = load_gold(SETS / "dev" / "gold.jsonl")
    outlets = outlet_of("dev")
    update = next(i for i in items if i.conflicts and bench.pair_type(i.conflicts[0], outlets) == "update")
    quiet = next(i for i in items if not i.conflicts and i.answerable)
    claims = update.conflicts[0].claims
    dispute = {"kind": kind, "about": "", "summary": "",
               "sides": [{"position": str(n), "speaker": "", "quotes": [{"title": q.title, "sentence": q.quote}]}
                         for n, q in enumerate(claims)]}
    results = [score_item(i, "hybrid", None, 1.0) for i in (update, quiet)]
    for result in results:
        result.disputes = [dispute]
        shown = [[[metrics.Passage(q["title"], q["sentence"]) for q in s["quotes"]] for s in dispute["sides"]]]
        result.scores["conflict_recall"] = metrics.conflict_recall(shown, result.item.conflicts)
    figures = bench.figures_of("dev", "hybrid", results, outlets, 0.0, [])
    assert figures.disagreement_recall == 1.0 and figures.false_dispute_rate == 1.0
    assert figures.by_pair["update"] == {"pairs": 1, "recall": 1.0, "shown_as_update": as_update}
    assert figures.by_pair["outlets"]["pairs"] == 0
