"""Hostile article text on every written surface: the Markdown, HTML and DOCX briefings,
the API's answer card and the terminal. Bidirectional controls are gone from what is
shown (and kept in what is stored), Markdown renders back to exactly the text, and
the HTML lets a 3,000-character word break. (How it looks in Chromium at 1400 and
400 px is tests/ui/test_browser.py's job.)
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from assistant import Answer, Assistant
from briefing import render_briefing
from briefing.display import display_text, shorten
from briefing.html import answer_card
from cli.render import answer_text
from tests.briefing.hostile import (
    BIDI,
    LONG_WORD,
    REFUNDS,
    REFUNDS_Q,
    SHIPS,
    SHIPS_Q,
    TITLE,
    VESSELS,
    VESSELS_Q,
    hostile_article,
    without_bidi,
)
from tests.briefing.parsing import assert_inert, norm, parse_html


@pytest.fixture(scope="module")
def hostile(copy_seed_index) -> Assistant:
    assistant = Assistant.open(copy_seed_index("hostile-index"), refresh=False)
    report = assistant.ingest_articles([hostile_article()], progress=False)
    assert report.added, report
    return assistant


@pytest.fixture(scope="module")
def answers(hostile: Assistant) -> dict[str, Answer]:
    found = {q: hostile.ask(q) for q in (SHIPS_Q, VESSELS_Q, REFUNDS_Q)}
    for question, sentence in ((SHIPS_Q, SHIPS), (VESSELS_Q, VESSELS), (REFUNDS_Q, REFUNDS)):
        assert found[question].supported and sentence in [c.sentence for c in found[question].citations]
    return found


def brief(hostile: Assistant, answers: dict[str, Answer], fmt: str) -> bytes:
    return render_briefing(list(answers.values()), title=f"Briefing {TITLE}", sources=hostile.sources(), fmt=fmt)


def has_bidi(text: str) -> bool:
    return any(ch in BIDI for ch in text)


def test_display_text_drops_only_bidi_controls():
    assert display_text("a\u202e01\u202cb \u2067x\u2069 \u200f\u0627") == "a01b x \u200f\u0627"  # RLM, Arabic kept
    assert display_text(None) == ""


def test_shorten_cuts_at_a_word():
    title = "Seven servicemen killed in latest border clashes, ministry says"
    short = shorten(title, 30)
    assert short == "Seven servicemen killed in…"
    assert len(short) <= 30 and title.startswith(short.removesuffix("…"))
    assert shorten("Short title", 30) == "Short title"
    assert shorten(LONG_WORD, 30) == LONG_WORD[:29] + "…"  # one word longer than the limit: nothing else to cut


def test_stored_text_keeps_its_characters(hostile: Assistant, answers):
    cited = [c for c in answers[VESSELS_Q].citations if c.sentence == VESSELS]
    assert cited and "\u202e01\u202c" in cited[0].sentence
    assert any(s.title == TITLE for s in hostile.sources())


def test_markdown_renders_back_to_the_text(hostile, answers):
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the Markdown to check it")
    md = brief(hostile, answers, "md").decode("utf-8")
    assert not has_bidi(md)
    # Every $ is escaped, so no renderer with $ maths (GitHub, GitLab, Pandoc, KaTeX) can open a formula,
    # and so is what other common renderers read as markup: emoji codes, marks, sup/sub, attributes,
    # comments, tags and citations.
    assert re.search(r"(?<!\\)\$", md) is None
    for escaped in (r"\$5 and \$6", r"\:red\[urgent\]", r"\=\=now\=\=", r"\^soon\^", r"\~later\~",
                    r"\{.big\}", r"\%\%note\%\%", r"\#harbour", r"\@mayor", r"\*\*bold\*\*", r"\<b\>"):
        assert escaped in md, escaped
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    root = parse_html(html)
    shown = [e for e in root.iter() if e.tag in {"p", "li", "td"} and "Officials promised" in e.text]
    assert shown, html[:500]
    for element in shown:
        assert without_bidi(REFUNDS) in norm(element.text)
        assert [c.tag for c in element.children if not isinstance(c, str)] == [], element.children
    assert "evil.example" not in "".join(a.attrs.get("href", "") for a in root.find_all("a"))


def test_html_briefing_wraps_long_words_and_shows_no_bidi(hostile, answers):
    html = brief(hostile, answers, "html").decode("utf-8")
    assert not has_bidi(html)
    root = parse_html(html)
    assert_inert(root)
    assert "overflow-wrap:anywhere" in root.find("body").attrs["style"]
    assert LONG_WORD in root.text and "Inspectors said 01 fishing vessels sank in the harbour overnight." in norm(
        root.text)
    for table in root.find_all("table", "sides"):
        assert "table-layout:fixed" in table.attrs["style"]


def test_docx_briefing_shows_no_bidi(hostile, answers):
    doc = Document(io.BytesIO(brief(hostile, answers, "docx")))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert not any(has_bidi(t) for t in texts)
    assert any("Inspectors said 01 fishing vessels sank in the harbour overnight." in t for t in texts)
    assert not has_bidi(doc.core_properties.title)


def test_api_card_wraps_long_words_and_shows_no_bidi(answers):
    for answer in answers.values():
        card = answer_card(answer)
        assert not has_bidi(card)
        root = parse_html(card)
        assert_inert(root)
        assert "overflow-wrap:anywhere" in root.find("article").attrs["style"]
    assert LONG_WORD in answer_card(answers[SHIPS_Q])


def test_terminal_output_shows_no_bidi_nor_escape_sequences(answers, hostile):
    for answer in answers.values():
        text = answer_text(answer)
        assert not has_bidi(text)
    assert "Inspectors said 01 fishing vessels" in answer_text(answers[VESSELS_Q])
    sneaky = Answer(question="q\x1b[2J", supported=False, lead="", message="m\x1b]0;title\x07")
    shown = answer_text(sneaky)
    assert "\x1b" not in shown and "\x07" not in shown


def test_cli_names_sources_by_article_id_and_title(answers):
    text = answer_text(answers[SHIPS_Q])
    cited = answers[SHIPS_Q].citations[0]
    assert f"article {cited.source.article_id}" in text
    assert str(Path(cited.source.location)) not in text and f"[{cited.source.start}:" not in text
