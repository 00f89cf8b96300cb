"""The corpus-wide list of disputes (computed at ingest) and the comparison it shares with answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.compare import Finding, Mention, compare, same_thing, touches
from assistant.values import numbers
from index.embed import load_encoder

ROOT = Path(__file__).resolve().parents[2]


def _mentions(rows: list[tuple[str, str, str, str]]) -> list[Mention]:
    """(article id, outlet, published, sentence) -> one Mention per sentence, its first figure as the value."""
    vectors = load_encoder().encode([r[3] for r in rows])
    return [Mention(i, aid, text, numbers(text)[0], vectors[i], outlet, None, when)
            for i, ((aid, outlet, when, text), vector) in enumerate(zip(rows, vectors, strict=True))]


def test_two_outlets_with_different_figures_for_one_fact_are_a_numeric_dispute():
    found = _mentions([
        ("a", "Harbor Gazette", "2024-06-03", "Thirty people were injured in the blaze, firefighters said."),
        ("b", "Metro Wire", "2024-06-03", "The fire injured 18 people, according to the fire service.")])
    disputes, agreements = compare(found, "How many people were injured")
    assert [d.kind for d in disputes] == ["numeric"] and agreements == []
    assert {s.position for s in disputes[0].sides} == {"Thirty", "18"}
    assert touches(disputes[0], {0, 1}) and not touches(disputes[0], {0})


def test_one_figure_from_two_outlets_is_an_agreement_and_a_range_that_fits_it_joins_it():
    found = _mentions([
        ("a", "Harbor Gazette", "2024-06-03", "At least 12 people died in the floods, the governor said."),
        ("b", "Metro Wire", "2024-06-03", "The floods killed 12 people in three villages.")])
    disputes, agreements = compare(found, "How many died")
    assert disputes == [] and len(agreements) == 1
    assert len({m.article_id for m in agreements[0].sides[0].mentions}) == 2


def test_a_count_and_a_total_ten_times_it_are_not_one_thing():
    found = _mentions([("a", "Harbor Gazette", "2024-01-01", "Seven people were hurt in the crash."),
        ("b", "Metro Wire", "2024-01-01", "About 900 people were hurt on the roads this year.")])
    assert not same_thing(found[0], found[1])
    assert compare(found, "How many were hurt") == ([], [])


def test_one_outlet_revising_its_figure_later_is_an_update():
    found = _mentions([
        ("a", "Harbor Gazette", "2024-02-01", "Five miners were killed when the tunnel collapsed."),
        ("b", "Harbor Gazette", "2024-02-03", "The number of miners killed in the collapse has risen to eight.")])
    disputes, _ = compare(found, "How many miners died")
    assert disputes and disputes[0].kind == "update"
    assert [s.position for s in disputes[0].sides] == ["Five", "eight"]


def test_a_finding_round_trips_through_its_stored_form():
    found = _mentions([("a", "Harbor Gazette", "2024-06-03", "Thirty people were injured in the blaze."),
        ("b", "Metro Wire", "2024-06-03", "The blaze injured 18 people.")])
    finding = Finding.of(compare(found, "injured")[0][0])
    again = Finding.from_dict(json.loads(json.dumps(finding.to_dict())))
    assert again == finding
    assert again.sides[0].sentence_ids and again.article_ids == ["a", "b"]


@pytest.fixture(scope="module")
def fire_corpus(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("fire")
    rows = [
        {"title": "Warehouse fire in the docks", "outlet": "Harbor Gazette", "published": "2024-06-03",
         "text": "A warehouse fire in the docks injured 30 people on Monday, the fire service said. "
                 "Forty firefighters fought the blaze for six hours."},
        {"title": "Docks blaze", "outlet": "Metro Wire", "published": "2024-06-03",
         "text": "A fire at a warehouse in the docks injured 18 people on Monday, the fire service said. "
                 "The building was destroyed."},
    ]
    path = folder / "fire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return Assistant.build(folder / "index", [str(path)], progress=False)


def test_ingest_lists_the_disagreement_between_outlets(fire_corpus: Assistant):
    disputes = fire_corpus.disputes()
    assert any({s.position for s in d.sides} == {"30", "18"} for d in disputes), [d.summary for d in disputes]
    for d in disputes:
        for side in d.sides:
            assert side.citations and all(c.source.outlet for c in side.citations)


def test_the_seed_corpus_lists_its_two_numeric_disagreements(seed_assistant: Assistant):
    positions = [{s.position.casefold() for s in d.sides} for d in seed_assistant.disputes()]
    assert {"10", "two"} in positions or {"ten", "two"} in positions, positions
    assert {"12", "13"} in positions, positions


def test_stored_findings_survive_reopening(fire_corpus: Assistant):
    again = Assistant.open(fire_corpus.folder, refresh=False)
    assert [d.summary for d in again.disputes()] == [d.summary for d in fire_corpus.disputes()]
    assert np.all([d.id.startswith(d.kind) for d in again.disputes()])
