"""What PDF and Word (.docx) articles share: reading the file's bytes within limits, and
turning the text and metadata a document gives into one `Article`.

A document holds two kinds of header: the file's own metadata (title, author, dates set
by the program that wrote it) and the article's header as printed at the top of the text
(headline, byline, dateline; found by the raw-text rules of `corpus.rawtext`).
- Title: the file's title when it has a real one (or a paragraph styled as the title),
  else the printed headline, else the file name. A metadata title that only names the
  file or its program ("Microsoft Word - draft.docx", "untitled") is not a title.
- Author and date: the printed byline and dateline, else the file's metadata (the
  file's author is often whoever made the file, its date the day it was made).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.cleaning import join_paragraphs
from corpus.errors import CorpusError, one_line
from corpus.rawtext import parse_raw
from corpus.records import Article, article_id_for

# Titles that name the file, the program or nothing at all.
_JUNK_TITLE = re.compile(
    r"^(?:untitled|document\d*|title|no title|microsoft word\s*-.*|.*\.(?:docx?|pdf|odt|rtf|txt|indd))$",
    re.IGNORECASE)


@dataclass
class DocumentText:
    """What a format reader found: body paragraphs in reading order, and the file's metadata."""

    paragraphs: list[str]
    title: str | None = None  # the file's metadata title, or a paragraph styled as the title
    author: str | None = None
    published: str | None = None  # ISO 8601, from the file's metadata
    extra: dict = field(default_factory=dict)


def meta_title(value: object) -> str | None:
    """A metadata title worth showing, else None."""
    title = one_line(str(value or ""))
    return title if title and not _JUNK_TITLE.match(title) else None


def article_from_document(doc: DocumentText, *, name: str, location: str, fallback_title: str,
                          url: str | None = None) -> Article:
    """One Article from a document's paragraphs and metadata (the printed header wins)."""
    paragraphs = [p for p in (one_line(p) for p in doc.paragraphs) if p]
    if not paragraphs:
        raise CorpusError(name, "no text in the document (a scanned image? run OCR on it first)")
    title = meta_title(doc.title)
    if title and one_line(paragraphs[0].removeprefix("# ")) == title:
        paragraphs = paragraphs[1:]  # the headline printed above the text is the metadata title
    raw = parse_raw("\n\n".join(paragraphs))
    body = raw.paragraphs
    if title and raw.title and raw.title != title:
        body = [raw.title, *body]  # the first short line was not the headline: keep it as text
    text = join_paragraphs(body)
    if not any(ch.isalnum() for ch in text):
        raise CorpusError(name, "no text in the document (a scanned image? run OCR on it first)")
    return Article(
        id=article_id_for(location),
        title=title or raw.title or fallback_title,
        text=text,
        author=raw.author or (one_line(doc.author or "") or None),
        published=raw.published or doc.published,
        url=url,
        location=location,
        extra={k: v for k, v in doc.extra.items() if v},
    )
