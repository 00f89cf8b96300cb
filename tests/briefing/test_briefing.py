"""Briefings made from the seed questions on a real index: footnotes, disputed facts, coverage.

The HTML is read back with html.parser and the DOCX with python-docx, and what they
hold is compared with the engine's answers (every citation a numbered footnote with
outlet/title/date and the verbatim sentence; every dispute side by side).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from docx import Document

from assistant import Answer, Assistant, AssistantError
from briefing import render_briefing
from briefing.model import build_brief, when
from corpus import DEFAULT_CORPUS
from corpus.records import Article
from tests.briefing.parsing import assert_inert, norm, parse_html

MADE = datetime(2021, 11, 19, 7, 30, tzinfo=UTC)


def cited(answers: list[Answer]) -> dict[int, str]:
    """Every sentence the briefing must footnote: citations, related passages, dispute sides."""
    out = {}
    for a in answers:
        for c in [*a.citations, *a.related, *(c for d in a.disputes for s in d.sides for c in s.citations),
                  *(c for g in a.agreements for c in g.citations)]:
            out[c.id] = c.sentence
    return out


def disputes_of(answers: list[Answer]) -> dict:
    return {d.id: d for a in answers for d in a.disputes}


@pytest.fixture(scope="module")
def html_root(seed_answers, briefing_assistant):
    data = render_briefing(seed_answers, title="Morning briefing", sources=briefing_assistant.sources(),
                           fmt="html", made_at=MADE)
    return parse_html(data.decode("utf-8"))


def test_html_has_title_time_and_corpus(html_root, briefing_assistant: Assistant):
    assert norm(html_root.find("h1").text) == "Morning briefing"
    made = html_root.find("p", "made")
    assert made.find("time").attrs["datetime"] == "2021-11-19T07:30+00:00"
    assert "2 articles" in made.text and "2021-11-17 to 2021-11-18" in made.text
    corpus = norm(html_root.find("section", "corpus").text)
    for source in briefing_assistant.sources():
        assert source.title in corpus and when(source.published) in corpus


def test_html_footnotes_hold_outlet_title_date_and_quote(html_root, seed_answers):
    notes = {int(li.attrs["id"].removeprefix("note-")): li for li in html_root.find("ol", "notes").find_all("li")}
    expected = cited(seed_answers)
    assert sorted(notes) == list(range(1, len(expected) + 1))  # one note per sentence, numbered from 1
    quotes = {norm(li.find("q").text) for li in notes.values()}
    assert quotes == {f"“{norm(s)}”" for s in expected.values()}
    by_sentence = {c.sentence: c for a in seed_answers for c in [*a.citations, *a.related]}
    for li in notes.values():
        quote = norm(li.find("q").text)[1:-1]
        if quote in by_sentence:
            source = by_sentence[quote].source
            text = norm(li.text)
            assert f"“{source.title}”" in text and when(source.published) in text
    # every mark in the text points at a note that exists
    marks = [a.attrs["href"] for a in html_root.find_all("a") if a.attrs.get("href", "").startswith("#note-")]
    assert marks and all(int(m.removeprefix("#note-")) in notes for m in marks)


def test_html_lead_quotes_the_answer_with_its_marks(html_root, seed_answers):
    sections = html_root.find_all("section", "question")
    assert len(sections) == len(seed_answers)
    for section, answer in zip(sections, seed_answers):
        assert answer.question in norm(section.find("h2").text)
        if not answer.supported:
            assert section.find("p", "abstain") is not None and section.find("p", "lead") is None
            continue
        lead = norm(section.find("p", "lead").text)
        cited_in_lead = [c for c in answer.citations if f"[{c.number}]" in answer.lead and c.sentence in lead]
        assert cited_in_lead, "the lead must quote the answer's lead sentences verbatim"
        assert re.search(r"\[\d+\]", lead)


def test_html_coverage_counts_the_outlets(html_root, seed_answers):
    line = norm(html_root.find("p", "coverage-line").text)
    total = len(cited(seed_answers))
    assert f"in {total} quotations" in line
    counts = [int(n) for n in re.findall(r"\((\d+)\)", line)]
    assert sum(counts) == total


def test_html_disputed_facts_box(html_root, seed_answers):
    disputes = disputes_of(seed_answers)
    assert len(disputes) >= 2, "both seed questions must raise a dispute"
    box = html_root.find("aside", "disputed-facts")
    assert box is not None and "Disputed facts" in box.find("h2").text
    shown = box.find_all("section", "dispute")
    assert len(shown) == len(disputes)
    for element, dispute in zip(shown, disputes.values()):
        assert dispute.about in norm(element.find("h3").text)
        sides = element.find("table", "sides").find("tr").find_all("td", "side")  # one row: side by side
        assert len(sides) == len(dispute.sides) >= 2
        for cell, side in zip(sides, dispute.sides):
            assert norm(cell.find("div", "position").text).endswith(side.position)
            assert norm(cell.find("div", "speaker").text) == norm(side.speaker or "unattributed")
            text = norm(cell.text)
            for c in side.citations:
                assert c.sentence in text and c.source.title in text
    refs = html_root.find_all("p", "dispute-ref")
    assert len(refs) >= len(disputes)


def test_seed_questions_raise_disputes(seed_answers):
    wounded, captured = seed_answers[0], seed_answers[1]
    assert wounded.disputes and captured.disputes


def test_docx_holds_footnotes_and_disputes(seed_answers, briefing_assistant):
    data = render_briefing(seed_answers, title="Morning briefing", sources=briefing_assistant.sources(),
                           fmt="docx", made_at=MADE)
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.title == "Morning briefing"
    texts = [p.text for p in doc.paragraphs]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Morning briefing"
    assert {"Answers", "Coverage", "Notes", "Corpus"} <= set(headings)
    notes = [t for t in texts if re.match(r"\[\d+\] ", t)]
    expected = cited(seed_answers)
    assert len(notes) == len(expected)
    for number, note in enumerate(notes, start=1):
        assert note.startswith(f"[{number}] ")
    assert {s for s in expected.values() if any(s in n for n in notes)} == set(expected.values())
    marks = [r for p in doc.paragraphs for r in p.runs if r.font.superscript]
    assert marks and all(re.fullmatch(r"\[\d+\]", r.text) for r in marks)
    disputes = disputes_of(seed_answers)
    if not disputes:
        pytest.skip("no disputes to check (the claims module has not landed)")
    assert "Disputed facts" in headings
    assert len(doc.tables) == len(disputes)
    for table, dispute in zip(doc.tables, disputes.values()):
        assert dispute.about in table.rows[0].cells[0].text
        side_cells = table.rows[1].cells
        assert len(side_cells) == len(dispute.sides)
        for cell, side in zip(side_cells, dispute.sides):
            text = cell.text
            assert side.position in text and (side.speaker or "unattributed") in text
            assert all(c.sentence in text for c in side.citations)


def test_markdown_footnotes_and_disputes(seed_answers, briefing_assistant):
    text = render_briefing(seed_answers, title="Morning briefing", sources=briefing_assistant.sources(),
                           fmt="md", made_at=MADE).decode("utf-8")
    assert text.startswith("# Morning briefing\n")
    definitions = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", text, re.M))
    references = set(re.findall(r"\[\^(\d+)\](?!:)", text))
    assert references == set(definitions)  # every note is referenced, every reference defined
    assert len(definitions) == len(cited(seed_answers))
    if disputes_of(seed_answers):
        box = text.split("## Disputed facts", 1)[1].split("## Coverage", 1)[0]
        for d in disputes_of(seed_answers).values():
            assert d.about in box
            assert all(f"{s.position} — " in box for s in d.sides)


def test_sentence_cited_twice_keeps_one_number(seed_answers, briefing_assistant):
    brief = build_brief(seed_answers, title="t", sources=briefing_assistant.sources())
    ids = [n.citation.id for n in brief.notes]
    assert len(ids) == len(set(ids))
    repeated = [c.id for a in seed_answers for c in a.citations]
    assert len(repeated) > len(set(repeated)), "the seed answers share citations; this test needs that"


def test_article_text_never_runs_as_markup(tmp_path):
    hostile = Article(
        id="hostile", title='<b onmouseover="alert(1)">Springfield floods</b>',
        text=('Officials said <script>alert("x")</script> that 40 residents of Springfield were evacuated '
              'on Monday <img src=x onerror=alert(2)>.\n\nThe river rose [link](javascript:alert(3)) overnight.'),
        outlet="Evil & <Co>", published="2021-11-20", url="javascript:alert(4)", location="test://hostile")
    assistant = Assistant.build(tmp_path / "index", [str(DEFAULT_CORPUS)], progress=False)
    assistant.ingest_articles([hostile], progress=False)
    answer = assistant.ask("How many residents of Springfield were evacuated?")
    assert answer.supported and "<script>" in answer.citations[0].sentence
    html = render_briefing([answer], title="<script>t()</script>", sources=assistant.sources(), fmt="html").decode()
    root = parse_html(html)
    assert_inert(root)
    body = norm(root.text)
    assert '<script>alert("x")</script>' in body and "<img src=x onerror=alert(2)>" in body
    assert "Evil & <Co>" in body and "<script>t()</script>" in norm(root.find("h1").text)
    assert "javascript:" not in "".join(a.attrs.get("href", "") for a in root.find_all("a"))
    md = render_briefing([answer], title="t", sources=assistant.sources(), fmt="md").decode()
    assert "<script>" not in md and r"\<script\>" in md
    doc = Document(io.BytesIO(render_briefing([answer], title="t", sources=[], fmt="docx")))
    assert any('<script>alert("x")</script>' in p.text for p in doc.paragraphs)


def test_unknown_format_is_a_user_error(seed_answers):
    with pytest.raises(AssistantError, match="unknown briefing format 'pdf'"):
        render_briefing(seed_answers, title="t", sources=[], fmt="pdf")  # type: ignore[arg-type]
