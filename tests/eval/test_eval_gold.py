"""Gold files: the project's set is valid and matches the articles; bad files name line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS, read_source
from eval import metrics
from eval.gold import DEFAULT_GOLD, GoldError, load_gold, parse_gold
from index.split import split_sentences

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


GOOD = {"id": "g1", "question": "How many were wounded?", "answers": ["ten"], "answerable": True,
        "evidence": [{"title": "T", "quote": "Ten more were wounded"}],
        "conflicts": [{"claims": [{"title": "T", "quote": "ten"}, {"title": "T", "quote": "two"}], "about": "x"}]}


def write(tmp_path, *records, raw: str | None = None):
    path = tmp_path / "gold.jsonl"
    lines = [json.dumps(r) if not isinstance(r, str) else r for r in records]
    path.write_text(raw if raw is not None else "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_file_parses(tmp_path):
    unanswerable = {**GOOD, "id": "g2", "answers": [], "answerable": False, "evidence": [], "conflicts": [],
                    "note": "why"}
    follow_up = {**GOOD, "id": 3, "history": ["What happened?"]}
    items = load_gold(write(tmp_path, GOOD, "", unanswerable, follow_up))
    assert [i.id for i in items] == ["g1", "g2", "3"]
    assert [i.line for i in items] == [1, 3, 4]
    first = items[0]
    assert first.answers == ("ten",) and first.evidence[0].quote == "Ten more were wounded"
    assert first.conflicts[0].claims[1].quote == "two" and first.conflicts[0].about == "x"
    assert items[1].note == "why" and not items[1].answerable
    assert items[2].history == ("What happened?",)


def with_(**changes):
    record = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is ...:
            record.pop(key)
        else:
            record[key] = value
    return record


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: expected a JSON object"),
    (with_(question=...), "line 2: field 'question' is missing"),
    (with_(question="  "), "line 2: field 'question' must be a non-empty string"),
    (with_(answers="ten"), "line 2: field 'answers' must be a list"),
    (with_(answers=["ten", 10]), "line 2: field 'answers[1]' must be a non-empty string, got 10"),
    (with_(answerable="yes"), "line 2: field 'answerable' must be true or false"),
    (with_(evidence=[{"title": "T"}]), "line 2: field 'evidence[0].quote' is missing"),
    (with_(evidence=[{"title": "T", "quote": 5}]), "line 2: field 'evidence[0].quote' must be a non-empty string"),
    (with_(evidence=[{"title": "T", "quote": "q", "page": 1}]), "line 2: field 'evidence[0]' has unknown key"),
    (with_(evidence=["just a quote"]), "line 2: field 'evidence[0]' must be an object"),
    (with_(conflicts=[{"claims": [{"title": "T", "quote": "q"}]}]),
     "line 2: field 'conflicts[0].claims' must hold exactly 2 claims, got 1"),
    (with_(conflicts=[{"about": "x"}]), "line 2: field 'conflicts[0].claims' is missing"),
    (with_(conflicts=[{"claims": [{"title": "T", "quote": "q"}, {"title": "", "quote": "r"}]}]),
     "line 2: field 'conflicts[0].claims[1].title' must be a non-empty string"),
    (with_(answerable=False), "line 2: field 'answers' must be empty when 'answerable' is false"),
    (with_(answers=[], evidence=[]), "line 2: an answerable item needs at least one of 'answers' or 'evidence'"),
    (with_(history="What happened?"), "line 2: field 'history' must be a list"),
    (with_(id="g3"), None),
    (with_(), "line 2: field 'id': 'g1' is already used on line 1"),
])
def test_bad_line_names_line_and_field(tmp_path, line, problem):
    path = write(tmp_path, GOOD, line)
    if problem is None:
        assert len(load_gold(path)) == 2
        return
    with pytest.raises(GoldError) as caught:
        load_gold(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {problem}"), message
    assert "\n" not in message


def test_unreadable_files(tmp_path):
    with pytest.raises(GoldError, match="no such file"):
        load_gold(tmp_path / "missing.jsonl")
    with pytest.raises(GoldError, match="is a folder"):
        load_gold(tmp_path)
    with pytest.raises(GoldError, match="empty"):
        load_gold(write(tmp_path, raw="\n\n"))
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(json.dumps(GOOD).encode() + b"\n\xff\xfe\n")
    with pytest.raises(GoldError, match="line 2: not UTF-8"):
        load_gold(bad)


def test_unknown_fields_are_warned_about_not_fatal(caplog):
    items = parse_gold(json.dumps({**GOOD, "sourse": "typo"}), "g.jsonl")
    assert items[0].extra == {"sourse": "typo"}
    assert "unknown field(s) 'sourse'" in caplog.text


def test_project_gold_set_starts_with_the_shared_seeds():
    ours = load_gold(DEFAULT_GOLD)
    shared = SHARED / "gold" / "seeds.jsonl"
    if not shared.exists():
        pytest.skip(f"{shared} is absent")
    seeds = load_gold(shared)
    assert ours[:len(seeds)] == seeds
    assert len(ours) >= len(seeds) + 15
    assert any(i.history for i in ours) and sum(not i.answerable for i in ours) >= 3


def test_project_gold_quotes_and_answers_are_in_the_articles():
    """Every quote lies inside exactly one sentence of its article; every item's evidence
    sentences together hold at least one of its answers."""
    sentences = {a.title: [a.text[s:e] for s, e, _ in split_sentences(a.text)]
                 for a in read_source(str(DEFAULT_CORPUS))}
    for item in load_gold(DEFAULT_GOLD):
        quotes = list(item.evidence) + [q for c in item.conflicts for q in c.claims]
        for quote in quotes:
            assert quote.title in sentences, (item.id, quote.title)
            containing = [s for s in sentences[quote.title]
                          if metrics.normalise(quote.quote) in metrics.normalise(s)]
            assert len(containing) == 1, (item.id, quote.quote)
        held = [s for q in item.evidence for s in sentences[q.title] if metrics.text_matches(s, q.quote)]
        if item.answers:
            assert any(metrics.answer_occurs(a, s) for a in item.answers for s in held), item.id
