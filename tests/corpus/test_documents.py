"""PDF and Word (.docx) articles: text, title, author and date, read from files the tests
write themselves (pypdf draws the PDFs' text with a standard font; python-docx writes the
.docx files), then ingested through the command line and asked about."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant import Assistant
from cli.main import main
from corpus import CorpusError, read_source, read_sources
from corpus.docx import article_from_docx
from corpus.pdf import article_from_pdf
from tests.corpus.making import make_docx, make_pdf

SHIPS = ("The port authority said 37 cargo ships were delayed by the storm on Tuesday, and the pilots' union "
         "said the delays cost the port dearly.")


def wrapped(text: str, width: int = 62) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


STORM_PAGES = [
    ["Storm closes the harbour", "By Ana Lopez", "November 18, 2021", "",
     *wrapped(SHIPS), "",
     *wrapped("Inspectors said the water rose by eleven centimetres overnight, and the harbour master "
              "ordered the quay closed until the wind dropped below gale force, which the weather office "
              "expected by Thursday morning at the"), "1"],
    [*wrapped("earliest. The fishing fleet stayed in port, and the ferry to the islands was cancelled "
              "for a second day, stranding about two hundred passengers in town."), "2"],
]


def test_pdf_text_title_author_and_printed_date():
    data = make_pdf(STORM_PAGES, {"/Title": "Microsoft Word - storm.docx", "/Author": "Layout desk",
                                  "/CreationDate": "D:20211119080000+00'00'"})
    article = article_from_pdf(data, name="storm.pdf", location="/x/storm.pdf", fallback_title="storm")
    assert article.title == "Storm closes the harbour"  # the file's title only names the file
    assert article.author == "Ana Lopez"  # the printed byline, not the file's author
    assert article.published == "2021-11-18"  # the printed dateline, not the day the file was made
    paragraphs = article.paragraphs
    assert paragraphs[0] == SHIPS
    # one paragraph across the page break; the page numbers are gone
    assert paragraphs[1].startswith("Inspectors said") and paragraphs[1].endswith("passengers in town.")
    assert "expected by Thursday morning at the earliest. The fishing fleet stayed in port" in paragraphs[1]
    assert len(paragraphs) == 2


def test_pdf_metadata_fills_what_the_text_does_not_give():
    data = make_pdf([[*wrapped(SHIPS)]], {"/Title": "Cargo delays at the port", "/Author": "Ana Lopez",
                                          "/CreationDate": "D:20211117140300+00'00'"})
    article = article_from_pdf(data, name="cargo.pdf", location="/x/cargo.pdf", fallback_title="cargo")
    assert (article.title, article.author) == ("Cargo delays at the port", "Ana Lopez")
    assert article.published.startswith("2021-11-17T14:03")
    assert article.text == SHIPS


def test_pdf_hyphenated_word_is_joined():
    data = make_pdf([["The harbour master ordered an immediate evacu-", "ation of the lower quay on Tuesday."]])
    article = article_from_pdf(data, name="h.pdf", location="/x/h.pdf", fallback_title="h")
    assert "immediate evacuation of the lower quay" in article.text


@pytest.mark.parametrize("data, problem", [
    (make_pdf([[]]), "no text in the document (a scanned image? run OCR on it first)"),
    (b"Just some text, renamed to .pdf\n", "not a PDF file"),
    (make_pdf([[*wrapped(SHIPS)]], password="secret"), "the PDF is encrypted"),
    (make_pdf([[*wrapped(SHIPS)]])[:300], "not a readable PDF"),
])
def test_bad_pdfs_are_one_line_errors(tmp_path: Path, data: bytes, problem: str):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(CorpusError) as caught:
        read_source(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_docx_title_style_byline_table_and_metadata_date():
    data = make_docx(title="Storm closes the harbour", paragraphs=["By Ana Lopez", SHIPS, "Fishermen stayed home."],
                     table=[["Vessels", "Delayed"], ["Cargo ships", "37"]], author="Desk editor",
                     created=dt.datetime(2021, 11, 18, 9, 30, tzinfo=dt.UTC))
    article = article_from_docx(data, name="storm.docx", location="/x/storm.docx", fallback_title="storm")
    assert (article.title, article.author) == ("Storm closes the harbour", "Ana Lopez")
    assert article.published.startswith("2021-11-18T09:30")  # no dateline printed: the file's date
    assert article.paragraphs == [SHIPS, "Fishermen stayed home.", "Vessels | Delayed", "Cargo ships | 37"]


def test_docx_without_header_takes_the_file_name_and_no_template_date():
    data = make_docx(paragraphs=[SHIPS])  # python-docx's template: author "python-docx", created 2013
    article = article_from_docx(data, name="notes.docx", location="/x/notes.docx", fallback_title="notes")
    assert (article.title, article.author, article.published) == ("notes", None, None)
    assert article.text == SHIPS


@pytest.mark.parametrize("data, problem", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "an old Word .doc file"),
    (b"PK\x03\x04 not really a zip", "not a .docx file"),
    (make_docx(paragraphs=[]), "no text in the document"),
])
def test_bad_docx_files_are_one_line_errors(tmp_path: Path, data: bytes, problem: str):
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(CorpusError) as caught:
        read_source(str(path))
    assert str(caught.value).startswith(f"{path}: ") and problem in str(caught.value)


def test_folder_with_pdf_and_docx_is_read_and_a_bad_one_named(tmp_path: Path):
    (tmp_path / "storm.pdf").write_bytes(make_pdf(STORM_PAGES))
    (tmp_path / "ferry.docx").write_bytes(make_docx(title="Ferry cancelled", paragraphs=[SHIPS]))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    articles, errors = read_sources([str(tmp_path)])
    assert sorted(a.title for a in articles) == ["Ferry cancelled", "Storm closes the harbour"]
    assert [e.source for e in errors] == [str(tmp_path / "scan.pdf")]


def test_cli_ingests_pdf_and_docx_and_answers_from_them(own_index: Path, tmp_path: Path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "storm.pdf").write_bytes(make_pdf(STORM_PAGES))
    ferry = ("The island ferry was cancelled for a second day, stranding about two hundred passengers in town, "
             "the shipping line said.")
    (folder / "ferry.docx").write_bytes(make_docx(title="Ferry cancelled again", paragraphs=["By Ana Lopez", ferry]))
    assert main(["--index", str(own_index), "ingest", str(folder), "--no-progress"]) == 0
    assert "added 2" in capsys.readouterr().out
    engine = Assistant.open(own_index, refresh=False)
    titles = {s.title: s for s in engine.sources()}
    assert titles["Storm closes the harbour"].published == "2021-11-18"
    assert titles["Ferry cancelled again"].author == "Ana Lopez"
    answer = engine.ask("How many cargo ships were delayed by the storm?")
    assert answer.supported and answer.citations[0].sentence.startswith("The port authority said 37 cargo ships")
    assert answer.citations[0].source.title == "Storm closes the harbour"
    answer = engine.ask("How many passengers were stranded by the cancelled ferry?")
    assert answer.supported and "two hundred passengers" in answer.citations[0].sentence
