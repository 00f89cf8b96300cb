"""Answers on the default corpus: verbatim, cited, filtered, abstaining, conversational."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError

KILLED = "Seven Azerbaijani Servicemen Martyred in Latest Border Clashes with Armenia"
AFP_LIKE = "7 Azerbaijani soldiers killed in clashes with Armenia"


def test_every_quote_is_verbatim_at_its_offsets(seed_assistant: Assistant):
    answer = seed_assistant.ask("Who started the fighting on the border?")
    assert answer.supported and answer.citations
    for citation in answer.citations:
        text = Path(citation.source.location).read_text(encoding="utf-8")
        assert citation.sentence in text
        assert citation.sentence in citation.context
        assert citation.source.title in (KILLED, AFP_LIKE)
        assert citation.source.published.startswith("2021-11-1")
    # "[speaker:]" is an editorial bracket naming who a leaning sentence quotes, not part of the quote
    lead_sentences = [re.sub(r"^\[[^\]]+:\] ", "", s) for s in re.split(r" \[\d+\]\s*", answer.lead.strip())]
    cited = {c.sentence for c in answer.citations}
    assert all(s in cited for s in lead_sentences if s)
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_citations_carry_the_source(seed_assistant: Assistant):
    answer = seed_assistant.ask("How many Azerbaijani servicemen were killed in the clashes?")
    by_title = {c.source.title: c for c in answer.citations}
    assert by_title[KILLED].source.author == "Mushvig Mehdiyev"
    assert by_title[AFP_LIKE].source.published == "2021-11-17T14:03:00"
    source = by_title[KILLED].source
    article = Path(source.location).read_text(encoding="utf-8")
    assert by_title[KILLED].sentence in article


@pytest.mark.parametrize("spelling", ["Kalbajar", "Kelbajar"])
def test_either_spelling_of_a_place_finds_both_reports(seed_assistant: Assistant, spelling: str):
    answer = seed_assistant.ask(f"What happened in {spelling}?")
    texts = " ".join(c.sentence for c in (answer.citations + answer.related)[:5])  # as the page lists them
    assert "Kalbajar and Lachin districts" in texts and "Kelbajar and Lachin" in texts


def test_the_sources_do_not_count_civilians(seed_assistant: Assistant):
    answer = seed_assistant.ask("How many civilians were killed in the clashes?")
    assert not answer.supported
    assert answer.lead == "" and answer.citations == []
    assert "do not answer" in answer.message
    assert answer.related, "the nearest passages are shown as related"


def test_filters_by_outlet_title_and_date(seed_assistant: Assistant):
    only = seed_assistant.ask("How many soldiers were killed?", sources=[KILLED])
    assert {c.source.title for c in only.citations} == {KILLED}
    later = seed_assistant.ask("How many soldiers were killed?", since="2021-11-18")
    assert {c.source.title for c in later.citations} == {KILLED}
    earlier = seed_assistant.ask("How many soldiers were killed?", until="17 November 2021")
    assert {c.source.title for c in earlier.citations} == {AFP_LIKE}
    nothing = seed_assistant.ask("How many soldiers were killed?", since="2022-01-01")
    assert not nothing.supported and not nothing.related
    with pytest.raises(AssistantError, match="no indexed source"):
        seed_assistant.ask("Who attacked?", sources=["The Daily Nowhere"])


def test_a_follow_up_is_read_in_context(seed_assistant: Assistant):
    conversation = seed_assistant.conversation()
    first = conversation.ask("How many Azerbaijani soldiers were killed?")
    assert first.supported
    follow = conversation.ask("and how many were wounded?")
    assert "Azerbaijani" in follow.interpreted_as and "wounded" in follow.interpreted_as
    top = " ".join(c.sentence for c in follow.citations[:3])
    assert "wounded" in top
    assert re.search(r"\b(10|Ten|two)\b", top)
    fresh = conversation.ask("What did Ilham Aliyev tell Charles Michel?")
    assert fresh.interpreted_as == "What did Ilham Aliyev tell Charles Michel?"


def test_retrievers_can_be_chosen(seed_assistant: Assistant):
    for mode in ("bm25", "dense", "hybrid"):
        hits = seed_assistant.search("grenade launchers and artillery", 3, retriever=mode)
        assert "grenade launchers" in hits[0].sentence.text
    with pytest.raises(AssistantError, match="unknown retriever"):
        seed_assistant.search("x", retriever="magic")


def test_json_round_trip(seed_assistant: Assistant):
    import json

    answer = seed_assistant.ask("How many Armenian servicemen were captured?")
    data = json.loads(json.dumps(answer.to_dict()))
    assert set(data) >= {"question", "supported", "lead", "citations", "agreements", "disputes", "related",
                         "message", "interpreted_as", "filters", "id"}
    assert set(data["citations"][0]["source"]) >= {"title", "outlet", "author", "published", "location",
                                                   "start", "end"}


def test_filters_apply_to_disputes_and_agreements(seed_assistant: Assistant):
    both = seed_assistant.ask("How many Azerbaijani soldiers were wounded?")
    assert both.disputes and both.agreements == []  # agreeing sources are a side of the dispute, not a second card
    assert any(len({c.source.title for c in side.citations}) == 2 for side in both.disputes[0].sides)
    one = seed_assistant.ask("How many Azerbaijani soldiers were wounded?", sources=[KILLED])
    assert one.agreements == []  # one source cannot corroborate itself
    for dispute in one.disputes:
        assert {c.source.title for side in dispute.sides for c in side.citations} == {KILLED}
