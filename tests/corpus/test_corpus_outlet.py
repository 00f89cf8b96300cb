"""The outlet an article's own text states (corpus/outlet.py), read from real files of every
kind; metadata wins where it names one, and nothing is guessed where the text names none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS, read_source

BODY = ("Seven soldiers were killed in clashes on the border, the defence ministry said on Tuesday.\n\n"
        "Ten more were wounded, according to the ministry.")


def one(path: Path):
    [article] = read_source(str(path))
    return article


@pytest.mark.parametrize("dateline, outlet", [
    ("KYIV, Ukraine (AP) — ", "AP"),
    ("WASHINGTON (Reuters) - ", "Reuters"),
    ("Tbilisi, Nov 17 (AFP) – ", "AFP"),
    ("Yerevan (RFE/RL) -- ", "RFE/RL"),
    ("BERLIN (dpa) - ", "dpa"),
])
def test_a_wire_dateline_names_the_outlet_and_stays_in_the_text(tmp_path: Path, dateline: str, outlet: str):
    path = tmp_path / "wire.txt"
    path.write_text(f"Border clashes leave seven dead\n\nBy Jane Roe\n\n{dateline}{BODY}\n", encoding="utf-8")
    article = one(path)
    assert (article.outlet, article.title, article.author) == (outlet, "Border clashes leave seven dead", "Jane Roe")
    assert article.text.startswith(dateline.strip())


def test_a_source_line_ending_the_body_names_the_outlet_and_leaves_the_text(tmp_path: Path):
    path = tmp_path / "sourced.md"
    path.write_text(f'---\ntitle: "Seven dead"\n---\n\n{BODY}\n\nSource: Reuters\n', encoding="utf-8")
    article = one(path)
    assert article.outlet == "Reuters"
    assert "Source" not in article.text and article.text.endswith("according to the ministry.")


def test_a_source_line_in_a_raw_header_is_not_taken_for_the_title(tmp_path: Path):
    path = tmp_path / "raw.txt"
    path.write_text(f"Source: Agence France-Presse\n\nSeven dead in border clashes\n\n{BODY}\n", encoding="utf-8")
    article = one(path)
    assert (article.outlet, article.title) == ("Agence France-Presse", "Seven dead in border clashes")


@pytest.mark.parametrize("front, outlet", [
    ('outlet: "Le Monde"', "Le Monde"),  # the metadata's own outlet wins over the dateline
    ('publisher: "The Guardian"', "The Guardian"),
    ('site_name: "Kyiv Independent"', "Kyiv Independent"),
    ('source: "https://example.org/news/1"', "AFP"),  # a URL is no outlet: the dateline's is used
])
def test_front_matter_names_the_outlet_first(tmp_path: Path, front: str, outlet: str):
    path = tmp_path / "front.md"
    path.write_text(f'---\ntitle: "Seven dead"\n{front}\n---\n\nPARIS (AFP) — {BODY}\n', encoding="utf-8")
    assert one(path).outlet == outlet


def test_json_lines_records_take_the_outlet_from_their_text_or_another_field(tmp_path: Path):
    path = tmp_path / "articles.jsonl"
    records = [{"title": "One", "text": f"MOSCOW (TASS) - {BODY}"},
               {"title": "Two", "text": BODY, "publisher": "Deutsche Welle"},
               {"title": "Three", "text": f"MOSCOW (TASS) - {BODY}", "outlet": "Interfax"},
               {"title": "Four", "text": BODY}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    outlets = {a.title: a.outlet for a in read_source(str(path))}
    assert outlets == {"One": "TASS", "Two": "Deutsche Welle", "Three": "Interfax", "Four": None}


def test_an_html_page_without_a_site_name_takes_its_dateline(tmp_path: Path):
    paragraphs = "".join(f"<p>{p}</p>" for p in f"ANKARA (Anadolu) — {BODY}".split("\n\n"))
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Seven dead</title></head><body><article><h1>Seven dead</h1>"
                    f"{paragraphs}</article></body></html>", encoding="utf-8")
    article = one(path)
    assert article.outlet == "Anadolu" and article.text.startswith("ANKARA (Anadolu)")


@pytest.mark.parametrize("opening", [
    "Officials said the strike (which hit at 1430 GMT) - a second one - killed seven.",
    "Moscow (Photo by Jane Roe) - Seven soldiers were killed.",
    "The ministry (MoD sources said 1,000 troops) - moved on.",
    "Seven soldiers were killed - the ministry said (AFP).",
])
def test_no_outlet_is_guessed_from_text_that_names_none(tmp_path: Path, opening: str):
    path = tmp_path / "plain.md"
    path.write_text(f'---\ntitle: "Seven dead"\n---\n\n{opening}\n\n{BODY}\n', encoding="utf-8")
    assert one(path).outlet is None


def test_the_default_articles_keep_what_their_text_gives():
    """Neither default article names its outlet anywhere in its text (no dateline, no source
    line, none in the raw originals), so none is made up; title, author and date are kept."""
    articles = {a.title: a for a in read_source(str(DEFAULT_CORPUS))}
    assert {a.outlet for a in articles.values()} == {None}
    assert {(a.author, a.published) for a in articles.values()} == {
        (None, "2021-11-17T14:03:00"), ("Mushvig Mehdiyev", "2021-11-18")}
