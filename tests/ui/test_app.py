"""The chat page driven through streamlit.testing's AppTest, on the real engine.

Each test opens ui/app.py over an index of corpus/seeds built for this module in a
temporary folder (passed to the app in $ASSISTANT_INDEX); tests that add articles
work on their own copy of it, so index/built is never touched.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import Answer, Assistant
from assistant.lifecycle import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from ui import render

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"
SEEDS = ROOT / "corpus" / "seeds"
TIMEOUT = 180

CAPTURED = "How many Armenian servicemen were captured?"
WOUNDED = "How many Azerbaijani soldiers were wounded?"
CIVILIANS = "How many civilians were killed in the clashes?"
AFP_TITLE = "7 Azerbaijani soldiers killed in clashes with Armenia"
AZ_TITLE = "Seven Azerbaijani Servicemen Martyred in Latest Border Clashes with Armenia"

LAKE = """---
title: "Whitefish catch on Lake Sevan is the largest in a decade"
outlet: "Lake Gazette"
author: "Ani Petrosyan"
published: "2024-05-02"
---

Fishermen on Lake Sevan caught 412 tonnes of whitefish in April, the fisheries agency said on Thursday.
The catch was the largest since 2015, according to the agency.

Inspectors said the water level rose by eleven centimetres over the winter.
"""

HOSTILE = """---
title: "Harbour <script>alert('title')</script> report"
outlet: "<b>Bold</b> Times"
published: "2024-06-01"
url: "javascript:alert(1)"
---

The harbour master said 37 <script>alert('x')</script> cargo ships were delayed by the storm.
Officials posted a notice saying [click here](https://evil.example/phish) for **urgent** refunds of $5 and $6.
The pilots' union wrote <img src=x onerror="alert(2)"> that the <a href="https://evil.example">delays</a> \
cost the port :red[millions] of drams.
"""


# fixtures and helpers ---------------------------------------------------------------
@pytest.fixture(scope="module")
def module_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the default corpus, built once for this module."""
    folder = tmp_path_factory.mktemp("ui-index") / "index"
    Assistant.build(folder, [str(SEEDS)], progress=False)
    return folder


@pytest.fixture
def private_index(module_index: Path, tmp_path: Path) -> Path:
    """A copy of the module's index that a test may add articles to."""
    target = tmp_path / "index"
    shutil.copytree(module_index, target, symlinks=True)
    return target


def open_app(folder: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ASSISTANT_INDEX", str(folder))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(module_index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_app(module_index, monkeypatch)


def ask(at: AppTest, question: str) -> Answer:
    """Type `question` in the chat box; the answer the page now shows."""
    before = len(at.session_state["turns"])
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    turns = at.session_state["turns"]
    assert len(turns) == before + 1
    assert turns[-1].error is None, turns[-1].error
    return turns[-1].answer


def walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def html_in(node) -> list[str]:
    return [n.value for n in walk(node) if getattr(n, "type", "") == "html"]


def page_html(at: AppTest) -> str:
    """Every st.html body on the page except the style sheet."""
    return "\n".join(h for h in html_in(at._tree) if not h.lstrip().startswith("<style>"))


def last_reply(at: AppTest):
    return at.chat_message[-1]


def dispute_rows(node) -> list[list[str]]:
    """For each row of columns holding dispute sides: the sides' HTML, left to right."""
    rows = []
    for block in walk(node):
        columns = [c for c in getattr(block, "children", {}).values() if getattr(c, "type", "") == "column"]
        sides = [h for c in columns for h in html_in(c) if 'class="na-side ' in h]
        if len(sides) >= 2:
            rows.append(sides)
    return rows


def position(side_html: str) -> str:
    return re.search(r'<span class="na-position">(.*?)</span>', side_html).group(1)


def notices(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, e.value) for kind in ("success", "info", "warning", "error")
            for e in getattr(at.sidebar, kind)]


def upload(at: AppTest, name: str, text: str) -> None:
    at.sidebar.file_uploader[0].set_value((name, text.encode(), "text/plain")).run()
    assert not at.exception, at.exception


# escaping, as pure functions -----------------------------------------------------------
def test_markdown_and_html_escaping_leave_no_markup() -> None:
    hostile = "<script>x</script> [a](javascript:b) **c** $d$ :red[e]"
    assert "<" not in render.esc(hostile) and ">" not in render.esc(hostile)
    escaped = render.md_escape(hostile)
    assert re.search(r"(?<!\\)[<>\[\]*$:]", escaped) is None
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("data:text/html,x") is None
    assert render.safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    answer = Answer(question="q", supported=True, lead="A <b>x</b> [1] [7]", id="abc")
    answer.citations = [render_citation(1)]
    lead = render.lead_html(answer)
    assert "&lt;b&gt;x&lt;/b&gt;" in lead and 'href="#cite-abc-1"' in lead and "[7]" in lead


def render_citation(number: int):
    from assistant import Citation, Source

    source = Source("id", "t", None, None, None, None, "/x", 0, 1)
    return Citation(id=1, sentence="s", context="s", score=1.0, source=source, number=number)


# the page --------------------------------------------------------------------------
def test_page_opens_with_sources_filters_upload_and_examples(app: AppTest) -> None:
    sidebar = "\n".join(html_in(at_sidebar(app)))
    assert AFP_TITLE in sidebar and AZ_TITLE in sidebar
    assert "16 sentences" in sidebar and "25 sentences" in sidebar
    assert "17 Nov 2021, 14:03" in sidebar and "18 Nov 2021" in sidebar
    # no outlet named: each article is offered by its title, quoted and shortened at a word
    options = app.sidebar.multiselect[0].options
    assert len(options) == 2
    for option, title in zip(sorted(options), sorted([AFP_TITLE, AZ_TITLE]), strict=True):
        assert_shortened_title(option, title)
    uploader = app.sidebar.file_uploader[0]
    # the box offers what the engine takes, and says the engine's size limit
    assert set(uploader.allowed_type) == set(UPLOAD_SUFFIXES) >= {".txt", ".md", ".html", ".jsonl", ".pdf", ".docx"}
    assert uploader.proto.max_upload_size_mb == MAX_UPLOAD_BYTES // 2**20
    assert f"at most {MAX_UPLOAD_BYTES // 2**20} MB" in uploader.help
    assert [t.label.split(": ", 1)[1] for t in app.tabs] == ["Ask the articles", "Where sources disagree"]
    assert CAPTURED in [b.label for b in app.button]
    assert "Next answers read all 2 indexed articles." in page_html(app)
    assert not app.download_button and "New conversation" not in [b.label for b in app.button]


def assert_shortened_title(label: str, title: str) -> None:
    """`label` is `title` in quotes, whole or cut at a word boundary with an ellipsis."""
    assert label.startswith("“") and label.endswith("”"), label
    inner = label[1:-1]
    if inner != title:
        kept = inner.removesuffix("…")
        assert inner.endswith("…") and title.startswith(kept) and title[len(kept)] == " ", (label, title)
        assert len(label) <= 50


def at_sidebar(at: AppTest):
    return at.sidebar


def test_seed_question_shows_lead_with_markers_and_citation_cards(app: AppTest) -> None:
    answer = ask(app, WOUNDED)
    assert answer.supported and len(answer.citations) >= 2
    reply = "\n".join(html_in(last_reply(app)))
    lead = re.search(r'<div class="na-lead">(.*?)</div>', reply).group(1)
    assert "wounded" in lead
    assert len(re.findall(r'class="na-ref"', lead)) >= 1
    cards = re.findall(r'<div class="na-card" id="cite-[^"]+-(\d+)">(.*?)</div></div>', reply)
    assert [int(n) for n, _ in cards] == [c.number for c in answer.citations]
    for citation, (_, card) in zip(answer.citations, cards, strict=True):
        assert f"<mark>{render.esc(citation.sentence)}</mark>" in card
        assert render.esc(citation.source.title) in card
        assert render.date_label(citation.source.published) in card
        assert "corpus/seeds/" in card  # where the article is
        if citation.context_before:
            assert card.index(render.esc(citation.context_before)) < card.index("<mark>")


def test_example_button_asks_the_seed_question(app: AppTest) -> None:
    next(b for b in app.button if b.label == CAPTURED).click().run()
    assert not app.exception
    turns = app.session_state["turns"]
    assert [t.question for t in turns] == [CAPTURED]
    assert turns[0].answer.supported
    assert CAPTURED not in [b.label for b in app.button]  # the examples give way to the chat


def test_captured_question_shows_the_two_figures_side_by_side(app: AppTest) -> None:
    answer = ask(app, CAPTURED)
    assert answer.disputes, "the engine found no dispute for the captured Armenians"
    rows = dispute_rows(last_reply(app))
    assert rows, "no row of side-by-side columns in the answer"
    positions = [position(side) for side in rows[0]]
    assert sorted(positions[:2]) == ["12", "13"], positions  # which side comes first is the engine's call
    quotes = "\n".join(rows[0])
    assert "13 captured" in quotes and "12 Armenian servicemen were captured" in quotes
    # outlet (here the title, shortened at a word) and date on each side
    assert "7 Azerbaijani soldiers killed in clashes" in quotes and "17 Nov 2021" in quotes
    reply = "\n".join(html_in(last_reply(app)))
    assert "Figures differ" in reply and render.esc(answer.disputes[0].summary) in reply
    assert reply.count('class="na-vs"') >= 1


def test_unanswerable_question_says_not_in_the_sources(app: AppTest) -> None:
    answer = ask(app, CIVILIANS)
    assert not answer.supported
    reply = "\n".join(html_in(last_reply(app)))
    assert "Not in the sources" in reply and "do not answer" in reply
    assert 'class="na-lead"' not in reply and 'class="na-side ' not in reply
    related = last_reply(app).expander
    assert len(related) == 1 and related[0].label.startswith("Related passages")
    cards = sum(h.count('class="na-card na-card-related"') for h in html_in(related[0]))
    assert cards == len(answer.related) > 0
    assert [b.label for b in related[0].button] == ["Read the article"] * cards  # each opens its article


def test_follow_up_is_read_in_context_of_the_previous_question(app: AppTest) -> None:
    ask(app, WOUNDED)
    answer = ask(app, "and how many were captured?")
    assert answer.interpreted_as != answer.question
    assert f"Read as: {render.esc(answer.interpreted_as)}" in "\n".join(html_in(last_reply(app)))
    assert len(app.chat_message) == 4
    assert [b.label for b in app.download_button] == ["Download HTML page"]
    next(b for b in app.button if b.label == "New conversation").click().run()
    assert not app.chat_message and app.session_state["turns"] == []
    assert ask(app, "and how many were captured?").interpreted_as == "and how many were captured?"


def test_outlet_filter_applies_to_the_next_answer(app: AppTest) -> None:
    unfiltered = ask(app, WOUNDED)
    before = {c.source.title for c in unfiltered.citations}
    assert AFP_TITLE in before  # so that the filter below leaves something out
    app.sidebar.multiselect[0].set_value([AZ_TITLE]).run()
    short = render.title_label(AZ_TITLE)
    assert_shortened_title(short, AZ_TITLE)
    assert f"only {render.esc(short)}" in page_html(app)
    answer = ask(app, WOUNDED)
    assert answer.filters["sources"] == [AZ_TITLE]
    assert answer.citations and {c.source.title for c in answer.citations} == {AZ_TITLE}
    reply = "\n".join(html_in(last_reply(app)))
    cards = re.findall(r'<div class="na-card" id=.*?</div></div>', reply)
    assert len(cards) == len(answer.citations)
    assert all(render.esc(AZ_TITLE) in card and render.esc(AFP_TITLE) not in card for card in cards)
    assert f"Filtered: only {render.esc(short[1:-1])}" in reply
    # the earlier answer keeps what it was given
    assert {c.source.title for c in app.session_state["turns"][0].answer.citations} == before


def test_date_range_applies_to_the_next_answer(app: AppTest) -> None:
    dates = app.sidebar.date_input[0]
    first, last = dates.value
    assert (first.isoformat(), last.isoformat()) == ("2021-11-17", "2021-11-18")
    dates.set_value((first, first)).run()
    answer = ask(app, WOUNDED)
    assert answer.filters["until"] == "2021-11-17" and answer.filters["since"] is None
    assert answer.citations and {c.source.title for c in answer.citations} == {AFP_TITLE}
    app.sidebar.date_input[0].set_value((last, last)).run()
    answer = ask(app, WOUNDED)
    assert answer.filters["since"] == "2021-11-18"
    assert {c.source.title for c in answer.citations} == {AZ_TITLE}


def test_disagreements_tab_lists_every_dispute_in_the_corpus(app: AppTest, module_index: Path) -> None:
    expected = Assistant.open(module_index, refresh=False).disputes()
    assert len(expected) >= 2
    app.session_state["view"] = next(t.label for t in app.tabs if t.label.endswith("Where sources disagree"))
    app.run()
    assert not app.exception
    assert not app.chat_input  # the chat box belongs to the chat tab
    tab = app.tabs[1]
    heads = [h for h in html_in(tab) if 'class="na-dispute-head"' in h]
    assert len(heads) == len(expected)
    for d in expected:
        assert any(render.esc(d.about) in h for h in heads), d.about
    rows = dispute_rows(tab)
    assert len(rows) == len(expected)
    assert ["12", "13"] in [sorted(position(s) for s in row) for row in rows]


def test_upload_adds_an_article_that_answers_the_next_question(private_index: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(private_index, monkeypatch)
    upload(app, "lake sevan.md", LAKE)
    assert ("success", render.md_escape("Added “Whitefish catch on Lake Sevan is the largest in a decade” "
                                        "from lake sevan.md.")) in notices(app)
    assert not app.sidebar.file_uploader[0].value  # a fresh upload box
    assert not (private_index / "uploads").exists()  # the engine keeps the article; the page writes no copy
    sidebar = "\n".join(html_in(app.sidebar))
    assert "Lake Gazette" in sidebar and "3 sentences" in sidebar
    assert "Lake Gazette" in app.sidebar.multiselect[0].options
    # the date range grew with the corpus, so the new article is not filtered out
    assert app.sidebar.date_input[0].value[1].isoformat() == "2024-05-02"

    answer = ask(app, "How many tonnes of whitefish were caught in Lake Sevan?")
    assert answer.supported and "412 tonnes" in answer.lead
    assert answer.citations[0].source.outlet == "Lake Gazette"
    assert "Lake Gazette" in "\n".join(html_in(last_reply(app)))

    upload(app, "lake sevan.md", LAKE)  # the same file again
    assert notices(app) == [("info", render.md_escape("lake sevan.md: already indexed, nothing changed."))]
    upload(app, "copy.md", LAKE)  # the same text under another name
    [(kind, text)] = notices(app)
    assert kind == "warning" and "already indexed" in text and "same text as" in text
    upload(app, "empty.txt", "")
    [(kind, text)] = notices(app)
    assert kind == "error" and "Rejected" in text and "empty file" in text
    assert len(Assistant.open(private_index, refresh=False).sources()) == 3


def test_upload_of_several_files_adds_the_good_ones_and_names_each_refused_one(
        private_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit itself refuses a type the box does not list; the engine refuses what
    the box lets through but cannot take: a file that is not what its name says, one over
    the engine's size limit (Streamlit's own limit is only checked in the browser)."""
    app = open_app(private_index, monkeypatch)
    ferry = ("---\ntitle: Island ferry cancelled for a second day\noutlet: Harbour News\n---\n\n"
             "The island ferry was cancelled for a second day, stranding 214 passengers at the pier.\n")
    app.sidebar.file_uploader[0].set_value([
        ("scan.pdf", b"MZ\x90\x00 an executable renamed", "application/pdf"),
        ("ferry.md", ferry.encode(), "text/markdown"),
        ("huge.txt", b"word " * (MAX_UPLOAD_BYTES // 5 + 1), "text/plain"),
    ]).run()
    assert not app.exception, app.exception
    shown = notices(app)
    assert ("success", render.md_escape("Added “Island ferry cancelled for a second day” from 3 uploads.")) in shown
    refused = [text.replace("\\", "") for kind, text in shown if kind == "error"]
    assert len(refused) == 2, shown  # one line for each refused file, naming it and why
    assert any(t.startswith("Rejected: scan.pdf: not a PDF") for t in refused), refused
    assert any(t.startswith("Rejected: huge.txt: file too large") for t in refused), refused
    answer = ask(app, "How many passengers were stranded by the cancelled island ferry?")
    assert answer.supported and "214 passengers" in answer.lead
    assert answer.citations[0].source.outlet == "Harbour News"


def test_page_follows_articles_added_by_another_process(private_index: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(private_index, monkeypatch)
    assert "Lake Gazette" not in "\n".join(html_in(app.sidebar))
    # another writer (the CLI, the HTTP API) adds an article to the same index folder
    other = Assistant.open(private_index, refresh=False)
    assert other.ingest_uploads([("lake.md", LAKE.encode())]).added
    app.run()  # the next rerun, e.g. the reader's next click
    assert not app.exception, app.exception
    assert "Lake Gazette" in "\n".join(html_in(app.sidebar))
    answer = ask(app, "How many tonnes of whitefish were caught in Lake Sevan?")
    assert answer.supported and "412 tonnes" in answer.lead


def test_pdf_and_docx_uploads_answer_the_next_question(private_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.corpus.making import make_docx, make_pdf

    app = open_app(private_index, monkeypatch)
    pdf = make_pdf([["Whitefish catch on Lake Sevan", "By Ani Petrosyan", "May 2, 2024", "",
                     "Fishermen on Lake Sevan caught 412 tonnes of whitefish in April, the agency said."]])
    app.sidebar.file_uploader[0].set_value(("catch.pdf", pdf, "application/pdf")).run()
    assert not app.exception, app.exception
    assert ("success", render.md_escape("Added “Whitefish catch on Lake Sevan” from catch.pdf.")) in notices(app)
    docx = make_docx(title="Ferry cancelled again", paragraphs=[
        "The island ferry was cancelled for a second day, stranding about two hundred passengers."])
    app.sidebar.file_uploader[0].set_value(
        ("ferry.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).run()
    assert ("success", render.md_escape("Added “Ferry cancelled again” from ferry.docx.")) in notices(app)
    answer = ask(app, "How many tonnes of whitefish were caught in Lake Sevan?")
    assert answer.supported and "412 tonnes" in answer.lead
    assert answer.citations[0].source.author == "Ani Petrosyan" and answer.citations[0].source.published == "2024-05-02"


def fetch(app: AppTest, url: str) -> None:
    """Type `url` in the sidebar's URL box and press its button (the sidebar also holds the
    conversation history's inputs and buttons, so they are found by their labels)."""
    next(t for t in app.sidebar.text_input if t.label == "Article or feed URL").set_value(url)
    next(b for b in app.sidebar.button if b.label == "Fetch and add").click().run()


def test_url_box_fetches_an_article(private_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "article.html").write_text(
        "<html><head><title>Dam opens on the Vorotan river</title></head><body><article>"
        "<h1>Dam opens on the Vorotan river</h1><p>The new dam on the Vorotan river produces 58 megawatts, "
        "the energy ministry said on Monday.</p><p>Construction took four years and employed 300 workers.</p>"
        "</article></body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = open_app(private_index, monkeypatch)
        url = f"http://127.0.0.1:{server.server_port}/article.html"
        fetch(app, url)
        assert not app.exception
        [(kind, text)] = notices(app)
        assert kind == "success" and "Dam opens on the Vorotan river" in text.replace("\\", "")
        answer = ask(app, "How many megawatts does the dam on the Vorotan river produce?")
        assert answer.supported and "58 megawatts" in answer.lead

        fetch(app, "file:///etc/passwd")
        [(kind, text)] = notices(app)
        assert kind == "error" and "http" in text
    finally:
        server.shutdown()


def test_hostile_article_shows_as_text(private_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(private_index, monkeypatch)
    upload(app, "harbour.md", HOSTILE)
    [(kind, text)] = notices(app)
    assert kind == "success"
    assert re.search(r"(?<!\\)[<>\[\]]", text) is None, text  # the title shows as typed, not as markup
    answer = ask(app, "How many cargo ships were delayed by the storm?")
    assert answer.supported and "<script>" in answer.lead  # the engine keeps the text verbatim...
    app.sidebar.multiselect[0].set_value(["<b>Bold</b> Times"]).run()
    ask(app, "What did the pilots' union write about the delays?")
    page = page_html(app)
    # ...and the page shows it as text: escaped, with no live tag, handler or link from the article
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Times" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert "[click here](https://evil.example/phish)" in page
    for tag in ("<script", "<img", "<b>", "<a href=\"https://evil", "javascript:", "onerror=\""):
        assert tag not in page, tag
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert all(h.startswith("#cite-") for h in hrefs), hrefs
    for element in (*app.markdown, *app.caption, *app.success, *app.info, *app.warning, *app.error):
        assert re.search(r"(?<!\\)<(script|img|b>|a )", element.value) is None, element.value


def test_own_corpus_gets_no_example_questions_about_the_default_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    article = tmp_path / "lake.md"
    article.write_text(LAKE, encoding="utf-8")
    folder = tmp_path / "index"
    Assistant.build(folder, [str(article)], progress=False)
    app = open_app(folder, monkeypatch)
    assert [b.label for b in app.button] == ["Fetch and add"]
    assert any("Type a question" in c.value for c in app.caption)
    assert app.sidebar.multiselect[0].options == ["Lake Gazette"]
    answer = ask(app, "How many tonnes of whitefish were caught in Lake Sevan?")
    assert answer.supported and "412 tonnes" in answer.lead


def test_read_the_article_opens_the_whole_article_with_the_sentence_marked(app: AppTest, module_index: Path) -> None:
    answer = ask(app, WOUNDED)
    next(b for b in last_reply(app).button if b.label == "Read the article").click().run()
    assert not app.exception, app.exception
    reader = next(h for h in html_in(app._tree) if 'class="na-reader' in h)
    marked = re.search(r'<mark id="na-cited">(.*?)</mark>', reader, re.S).group(1)
    quoted = [c for c in answer.citations if render.esc(c.sentence) == marked]
    assert quoted, marked  # the sentence marked is one the answer quotes...
    article = Assistant.open(module_index, refresh=False).article(quoted[0].source.article_id)
    assert article is not None and render.esc(article.title) in reader  # ...shown in its whole article
    assert len(reader) > len(marked) + len(article.title) and render.esc(article.text.split("\n")[-1].strip()) in reader
