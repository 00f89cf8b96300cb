"""The page's HTML builders as pure functions: the reader view, citation tips and source names,
with article text that tries to be markup, reorder itself or spill out of its box."""

from __future__ import annotations

import re

from assistant import Answer, Citation, Source
from tests.briefing.hostile import LONG_WORD, RLO
from tests.briefing.parsing import assert_inert, norm, parse_html
from ui import render

TEXT = ("Harbour closed\n\nThe ferry did not sail <b>today</b>, the line said.\n\n"
        f"About 200 passengers were stranded {RLO}01{RLO} in town.\nHotels opened their doors.\n\n"
        f"The quay {LONG_WORD} was flooded.")
SENTENCE = f"About 200 passengers were stranded {RLO}01{RLO} in town."
START = TEXT.index(SENTENCE)


def reader(url: str | None = None, span: tuple[int, int] | None = (START, START + len(SENTENCE))):
    html = render.reader_html("Ferry <script>x()</script>", "Coast <i>Courier</i>", "Ana Lopez", "2024-03-05",
                              url, "/data/ferry.md", TEXT, span)
    return html, parse_html(html)


def test_reader_shows_the_whole_article_with_the_sentence_marked():
    html, root = reader("https://example.org/ferry")
    assert_inert(root)
    assert norm(root.find("h2").text) == "Ferry <script>x()</script>"
    meta = norm(root.find(None, "na-reader-meta").text)
    assert "Coast <i>Courier</i>" in meta and "by Ana Lopez" in meta and "5 Mar 2024" in meta
    assert root.find("a").attrs["href"] == "https://example.org/ferry"
    paragraphs = [norm(p.text) for p in root.find_all("p")]
    assert paragraphs[0] == "Harbour closed"
    assert paragraphs[1] == "The ferry did not sail <b>today</b>, the line said."
    third = root.find_all("p")[2]
    assert third.find("br") is not None  # a line break inside a paragraph is kept
    assert paragraphs[2] == "About 200 passengers were stranded 01 in town.Hotels opened their doors."
    assert LONG_WORD in paragraphs[3]
    [mark] = root.find_all("mark")
    assert mark.attrs["id"] == "na-cited" and mark.text == "About 200 passengers were stranded 01 in town."
    assert RLO not in html


def test_reader_links_only_web_addresses():
    _, root = reader("javascript:alert(1)")
    assert root.find("a") is None
    assert norm(root.find("code").text) == "/data/ferry.md"


def test_cited_span_follows_a_sentence_that_moved_and_says_when_it_is_gone():
    assert render.cited_span(TEXT, SENTENCE, START, START + len(SENTENCE)) == (START, START + len(SENTENCE))
    assert render.cited_span(TEXT, SENTENCE, 0, len(SENTENCE)) == (START, START + len(SENTENCE))  # stale offsets
    assert render.cited_span(TEXT, "Not in the article.", 0, 5) is None
    _, root = reader(span=None)
    assert root.find("mark") is None and "no longer in this article" in root.text


def citation(number: int, title: str, outlet: str | None = None) -> Citation:
    source = Source("a1", title, outlet, None, "2021-11-17T14:03:00", None, "/x.md", 0, 10)
    return Citation(id=number, sentence=f"Sentence <{number}> said {RLO}01.", context="", score=1.0, source=source,
                    number=number)


def test_citation_number_carries_its_quote_and_source():
    answer = Answer(question="q", supported=True, lead=f"Sentence <1> said {RLO}01. [1]", id="ab")
    answer.citations = [citation(1, "Seven servicemen killed in the latest border clashes, ministry says")]
    root = parse_html(render.lead_html(answer))
    assert_inert(root)
    [ref] = root.find_all("a", "na-ref")
    assert ref.attrs["href"] == "#cite-ab-1"
    tip = ref.find(None, "na-tip")
    assert norm(tip.find(None, "na-tip-quote").text) == "Sentence <1> said 01."
    source = "Seven servicemen killed in the latest border… · 17 Nov 2021, 14:03"
    assert norm(tip.find(None, "na-tip-src").text) == source


def test_an_article_without_outlet_is_named_by_its_title_cut_at_a_word():
    long_title = "Seven servicemen killed in the latest border clashes, ministry says"
    name = render.source_name(citation(1, long_title).source)
    assert name.endswith("…") and long_title.startswith(name[:-1]) and long_title[len(name) - 1] == " "
    assert render.source_name(citation(1, long_title, outlet="AFP").source) == "AFP"
    card = parse_html(render.citation_card(citation(1, long_title), "ab"))
    assert norm(card.find(None, "na-outlet").text) == name
    assert long_title in norm(card.find(None, "na-card-foot").text)  # the whole title is still there
    assert re.fullmatch(r"“.+…”", render.title_label(long_title))
