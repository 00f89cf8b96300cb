"""PDF articles (.pdf) through pypdf: the text layer, title, author and date.

pypdf reads the text the PDF draws, page by page, as lines. Lines are joined back into
paragraphs: a blank line, a line well short of the page's longest line (a headline, a
byline, a paragraph's last line), or a sentence-ending line a little short of it ends a
paragraph; a word hyphenated across a line break is joined; a line
that is only a page number is dropped, and a paragraph cut by a page break is joined
again. The title, author and creation date come from the file's metadata unless the
text prints its own headline, byline or dateline (see `corpus.documents`).

A PDF with no text layer (a scan) is refused with a hint to run OCR; an encrypted one
that does not open with an empty password is refused too. pypdf is imported on first
use, so commands that never read a PDF do not load it.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from corpus.dates import normalise_date
from corpus.documents import DocumentText, article_from_document
from corpus.errors import CorpusError
from corpus.files import read_bytes
from corpus.records import Article

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
# Wrapped lines of a paragraph run close to the full width: a line shorter than SHORT_LINE of the
# page's longest line stands alone or ends its paragraph, as does a sentence-ending one under ENDING_LINE.
SHORT_LINE, ENDING_LINE = 0.7, 0.85


def page_paragraphs(text: str) -> list[str]:
    """The paragraphs of one page's extracted text (lines in reading order)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    longest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for line in lines:
        if not line:
            flush()
            continue
        if current and current[-1].endswith("-") and current[-1][-2:-1].isalpha() and line[0].islower():
            current[-1] = current[-1][:-1] + line  # "exam-" + "ple": one word broken at the line end
        else:
            current.append(line)
        broken_word = line.endswith("-") and line[-2:-1].isalpha()
        if not broken_word and (len(line) < SHORT_LINE * longest
                                or (_SENTENCE_END.search(line) and len(line) < ENDING_LINE * longest)):
            flush()
    flush()
    return paragraphs


def join_pages(pages: list[list[str]]) -> list[str]:
    """Paragraphs of all pages; one that a page break cut in the middle of a sentence is joined."""
    out: list[str] = []
    for page in pages:
        for i, paragraph in enumerate(page):
            if i == 0 and out and not _SENTENCE_END.search(out[-1]) and paragraph[:1].islower():
                out[-1] = f"{out[-1]} {paragraph}"
            else:
                out.append(paragraph)
    return out


def _date(value: object) -> str | None:
    try:
        return normalise_date(value) if value else None
    except (ValueError, TypeError):
        return None


def pdf_text(data: bytes, name: str) -> DocumentText:
    """The paragraphs and metadata of a PDF's bytes; CorpusError if it cannot be read."""
    if b"%PDF-" not in data[:1024]:
        raise CorpusError(name, "not a PDF file (no %PDF header)")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on damaged files are not the user's business
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, PdfReadError):
                opened = 0
            if not opened:
                raise CorpusError(name, "the PDF is encrypted; save a copy without a password and add that")
        pages = [page_paragraphs(page.extract_text() or "") for page in reader.pages]
        meta = reader.metadata
        title = meta.title if meta else None
        author = meta.author if meta else None
        try:
            created = meta.creation_date if meta else None
        except (ValueError, TypeError):
            created = None
    except CorpusError:
        raise
    except FileNotDecryptedError:
        raise CorpusError(name, "the PDF is encrypted; save a copy without a password and add that") from None
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError) as err:
        raise CorpusError(name, f"not a readable PDF ({type(err).__name__}: {str(err)[:150]})") from None
    return DocumentText(paragraphs=join_pages(pages), title=str(title) if title else None,
                        author=str(author) if author else None, published=_date(created),
                        extra={"pages": len(pages)})


def article_from_pdf(data: bytes, *, name: str, location: str, fallback_title: str,
                     url: str | None = None) -> Article:
    """One Article from the bytes of a PDF (a file, an upload or a download)."""
    return article_from_document(pdf_text(data, name), name=name, location=location,
                                 fallback_title=fallback_title, url=url)


def read_pdf_file(path: Path, name: str) -> list[Article]:
    """The one article in a .pdf file."""
    return [article_from_pdf(read_bytes(path, name), name=name, location=str(path.resolve()),
                             fallback_title=path.stem)]
